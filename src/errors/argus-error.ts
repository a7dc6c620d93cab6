import { ERROR_CATALOGUE, type ErrorCode } from './error-catalogue';

export type ErrorDetails = Record<string, string | number | boolean | undefined>;

/** The one error type Argus throws on purpose; anything else reaching a boundary is a bug. */
export class ArgusError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    const entry = ERROR_CATALOGUE[code];
    super(formatMessage(entry.message, details), options);
    this.name = 'ArgusError';
    this.code = code;
    this.status = entry.status;
    this.retryable = entry.retryable;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

function formatMessage(template: string, details: ErrorDetails): string {
  return template.replace(/\{(\w+)\}/g, (_m, key: string) => {
    const value = details[key];
    return value === undefined ? `{${key}}` : String(value);
  });
}

/** Wraps whatever was thrown so boundaries (CLI lines, HTTP answers) always report a catalogued code. */
export function toArgusError(err: unknown): ArgusError {
  if (err instanceof ArgusError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new ArgusError('ARGUS_E_INTERNAL', { reason }, { cause: err });
}

export function isArgusError(err: unknown, code?: ErrorCode): err is ArgusError {
  return err instanceof ArgusError && (code === undefined || err.code === code);
}
