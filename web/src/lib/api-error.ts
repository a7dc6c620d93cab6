/** An API error as the user sees it: the server's message, and its code for support. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Turns a failed response into an ApiError: the `{"error":{"code","message"}}` body when there is
 * one, else the status and the start of whatever came back (a proxy's HTML page, for instance).
 */
export function apiErrorFrom(status: number, bodyText: string): ApiError {
  try {
    const body = JSON.parse(bodyText) as { error?: { code?: unknown; message?: unknown } };
    const e = body.error;
    if (e && typeof e.message === 'string') {
      return new ApiError(status, typeof e.code === 'string' ? e.code : `HTTP_${status}`, e.message);
    }
  } catch {
    // not JSON: fall through
  }
  const text = bodyText.replace(/\s+/g, ' ').trim().slice(0, 200);
  return new ApiError(status, `HTTP_${status}`, `HTTP ${status}${text ? `: ${text}` : ''}`);
}

/** A message for any thrown value (fetch's TypeError when the server is unreachable, ...). */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) {
    return err.name === 'TypeError' ? `Cannot reach the server (${err.message})` : err.message;
  }
  return String(err);
}

/** `?a=1&b=x` from the defined, non-empty values (no leading `?` when there are none). */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}
