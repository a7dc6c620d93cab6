import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ArgusError, toArgusError } from '../../errors/argus-error';
import type { WhipIngest } from './whip-ingest';

export interface WhipRoutesOptions {
  ingest: WhipIngest;
  /** Checks the request before anything else; throws an ArgusError (e.g. 401) to refuse it. */
  authorize?: (req: FastifyRequest) => void | Promise<void>;
}

interface StreamParams {
  streamId: string;
}

interface SessionParams extends StreamParams {
  sessionId: string;
}

/**
 * WHIP over HTTP (RFC 9725): `POST /whip/:streamId` with an SDP offer answers 201 with the SDP
 * answer and a Location; `DELETE` on that Location ends the session. Errors are
 * `{"error":{"code","message"}}` with the catalogue's status, Fastify's own (body too large,
 * unsupported media type) included. A Fastify plugin: its parser and error handler stay inside it.
 */
export async function whipRoutes(app: FastifyInstance, options: WhipRoutesOptions): Promise<void> {
  const { ingest } = options;
  // Only SDP is parsed here: a JSON or form body is refused as the wrong media type (415).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/sdp', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // onRequest: before the body is read, so an unauthorized client gets 401, not 413 or 415.
  const { authorize } = options;
  if (authorize) app.addHook('onRequest', async (req) => authorize(req));
  app.setErrorHandler((err: FastifyError, req, reply) =>
    sendError(reply, fromFastify(err, ingest.maxSdpBytes, req.headers['content-type'])),
  );

  app.post<{ Params: StreamParams; Body: string }>(
    '/whip/:streamId',
    { bodyLimit: ingest.maxSdpBytes },
    async (req, reply) => {
      if (!isSdp(req.headers['content-type'])) {
        throw new ArgusError('ARGUS_E_WHIP_CONTENT_TYPE', {
          contentType: describe(req.headers['content-type']),
        });
      }
      const { streamId } = req.params;
      const { sessionId, answerSdp } = await ingest.accept(
        streamId,
        typeof req.body === 'string' ? req.body : '',
      );
      const location = `${app.prefix}/whip/${encodeURIComponent(streamId)}/${encodeURIComponent(sessionId)}`;
      return reply.code(201).header('location', location).type('application/sdp').send(answerSdp);
    },
  );

  app.delete<{ Params: SessionParams }>('/whip/:streamId/:sessionId', async (req, reply) => {
    await ingest.end(req.params.streamId, req.params.sessionId);
    return reply.code(200).send();
  });
}

function sendError(reply: FastifyReply, err: ArgusError): FastifyReply {
  return reply.code(err.status).type('application/json').send({ error: err.toJSON() });
}

/** Fastify's own errors as catalogued ones: same meaning, our codes. */
function fromFastify(err: FastifyError, maxSdpBytes: number, contentType: string | undefined): ArgusError {
  if (err instanceof ArgusError) return err;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ArgusError('ARGUS_E_WHIP_SDP_TOO_LARGE', { limit: maxSdpBytes }, { cause: err });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ArgusError(
        'ARGUS_E_WHIP_CONTENT_TYPE',
        { contentType: describe(contentType) },
        { cause: err },
      );
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new ArgusError('ARGUS_E_WHIP_SDP_INVALID', { reason: err.message }, { cause: err });
  }
  return toArgusError(err);
}

function isSdp(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/sdp';
}

function describe(contentType: string | undefined): string {
  if (contentType === undefined || contentType.trim() === '') return 'none';
  return JSON.stringify(contentType.split(';')[0]!.trim().slice(0, 80));
}
