/**
 * JSON Schema fragments shared by the routes. Every object schema refuses unknown fields
 * (`additionalProperties: false`): a misspelt field is an error, never silently ignored.
 */

export const errorBody = {
  type: 'object',
  description: 'Every error: a catalogued code (docs/errors.md) and a message for people.',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

/** A strict object schema. */
export function obj(
  properties: Record<string, object>,
  required: readonly string[] = [],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { type: 'object', properties, required: [...required], additionalProperties: false, ...extra };
}

export const text = (maxLength: number, extra: Record<string, unknown> = {}) => ({
  type: 'string',
  minLength: 1,
  maxLength,
  ...extra,
});

export const int = (minimum: number, maximum: number, extra: Record<string, unknown> = {}) => ({
  type: 'integer',
  minimum,
  maximum,
  ...extra,
});

export const num = (minimum: number, maximum: number, extra: Record<string, unknown> = {}) => ({
  type: 'number',
  minimum,
  maximum,
  ...extra,
});

/** The same id rules as the config's streams[].id. */
export const streamId = text(64, { pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' });

export const identityId = text(100, { pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$' });

/** Why a person acts on the gallery or the settings: kept in the audit log. */
export const reason = text(1000, {
  pattern: '\\S',
  description: 'Why (legal basis, case number); kept in the audit log.',
});

/** A multipart file part as OpenAPI documents it. */
export const binary = { type: 'string', format: 'binary' } as const;

/** A public route: no key, rendered without a lock in /docs. */
export const NO_AUTH: ReadonlyArray<Record<string, string[]>> = [];
