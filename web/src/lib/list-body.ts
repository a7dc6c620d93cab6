/**
 * The array inside a list response: the body itself, or its `items` / `streams` / `identities`
 * field (list routes wrap arrays in an object so they can grow pagination fields).
 */
export function listBody<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    for (const k of ['items', 'streams', 'identities']) {
      if (Array.isArray(o[k])) return o[k] as T[];
    }
  }
  return [];
}
