import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ArgusError, toArgusError } from '../errors/argus-error';
import { redactText } from '../ingest/redact-url';
import type { Logger } from '../logging/create-logger';

export interface ErrorLimits {
  bodyLimitBytes: number;
  uploadLimitBytes: number;
  maxUploadFiles: number;
}

/**
 * Every error the API answers with, Fastify's and its plugins' included, as a catalogued ArgusError:
 * `{"error":{"code","message"}}` with the catalogue's status. Anything unrecognised is a 500
 * (ARGUS_E_INTERNAL) and is logged; client errors are not (a flood of them must not flood the log).
 */
export function toHttpError(err: unknown, req: FastifyRequest, limits: ErrorLimits): ArgusError {
  if (err instanceof ArgusError) return err;
  const e = err as Partial<FastifyError> & { validation?: unknown };
  if (e.validation) return badRequest(e.message ?? 'invalid request', err);
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ArgusError('ARGUS_E_HTTP_BODY_TOO_LARGE', { limit: limits.bodyLimitBytes }, { cause: err });
    case 'FST_REQ_FILE_TOO_LARGE':
      return new ArgusError(
        'ARGUS_E_HTTP_BODY_TOO_LARGE',
        { limit: limits.uploadLimitBytes },
        { cause: err },
      );
    case 'FST_FILES_LIMIT':
      return badRequest(`more than ${limits.maxUploadFiles} files (http.maxUploadFiles)`, err);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return unsupportedMediaType(req.headers['content-type'], 'application/json', err);
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) return badRequest(e.message ?? 'malformed request', err);
  return toArgusError(err);
}

export function badRequest(reason: string, cause?: unknown): ArgusError {
  return new ArgusError('ARGUS_E_HTTP_BAD_REQUEST', { reason: reason.slice(0, 300) }, { cause });
}

export function unsupportedMediaType(
  contentType: string | undefined,
  expected: string,
  cause?: unknown,
): ArgusError {
  const given = (contentType ?? '').split(';')[0]!.trim().slice(0, 80);
  return new ArgusError(
    'ARGUS_E_HTTP_UNSUPPORTED_MEDIA_TYPE',
    { contentType: given === '' ? 'none' : JSON.stringify(given), expected },
    { cause },
  );
}

export function sendError(reply: FastifyReply, err: ArgusError): FastifyReply {
  return reply.code(err.status).type('application/json; charset=utf-8').send({ error: err.toJSON() });
}

/** Installs the error and not-found handlers on the root instance (plugins inherit them). */
export function installErrorHandlers(app: FastifyInstance, logger: Logger, limits: ErrorLimits): void {
  app.setErrorHandler((err, req, reply) => {
    const e = toHttpError(err, req, limits);
    if (e.status >= 500) {
      // Messages and stacks may quote a source URL: redacted, like every log line that could.
      const cause = e.cause instanceof Error ? e.cause : e;
      logger.error(
        {
          code: e.code,
          route: req.routeOptions.url,
          method: req.method,
          reason: redactText(e.message),
          stack: redactText(cause.stack ?? ''),
        },
        'HTTP request failed',
      );
    }
    return sendError(reply, e);
  });
  app.setNotFoundHandler((req, reply) => {
    // The path only: a query string may carry anything.
    const url = (req.url.split('?')[0] ?? '').slice(0, 200);
    return sendError(reply, new ArgusError('ARGUS_E_HTTP_ROUTE_NOT_FOUND', { method: req.method, url }));
  });
}
