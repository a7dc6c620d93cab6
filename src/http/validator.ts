import Ajv, { type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

/** Marks a body schema as multipart/form-data: documented in OpenAPI, read and checked by the handler. */
export const MULTIPART = 'x-argus-multipart';

/**
 * Request validation. JSON bodies are checked as sent: no type coercion (`"5"` is not a number)
 * and unknown fields refused, not stripped (Fastify's defaults would do both). Query strings and
 * path parameters are text by nature, so there numbers and booleans are coerced.
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const common = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false } as const;
  const bodyAjv = new Ajv({ ...common, coerceTypes: false });
  const textAjv = new Ajv({ ...common, coerceTypes: 'array' });
  return ({ schema, httpPart }) => {
    if (httpPart === 'body' && (schema as Record<string, unknown>)[MULTIPART] === true) return () => true;
    const validate: ValidateFunction = (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);
    return (data: unknown) => (validate(data) ? true : { error: validationError(validate, httpPart) });
  };
}

function validationError(validate: ValidateFunction, httpPart: string | undefined): Error {
  const first = validate.errors?.[0];
  const where = `${httpPart ?? 'request'}${first?.instancePath ?? ''}`;
  let message = `${where} ${first?.message ?? 'is invalid'}`;
  if (first?.keyword === 'additionalProperties') {
    message = `${where} has an unknown field "${String(first.params.additionalProperty).slice(0, 60)}"`;
  } else if (first?.keyword === 'enum') {
    message = `${where} must be one of ${(first.params.allowedValues as unknown[]).join(', ')}`;
  }
  return Object.assign(new Error(message), { validation: validate.errors, statusCode: 400 });
}
