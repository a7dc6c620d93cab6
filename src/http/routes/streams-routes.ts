import type { FastifyInstance } from 'fastify';
import { redactUrl } from '../../ingest/redact-url';
import type { StreamSpecInput } from '../../serve/service-ports';
import { actorOf } from '../access';
import type { HttpDeps } from '../http-deps';
import { noContent, replies, streamInfo, streamList } from '../response-schemas';
import { int, num, obj, streamId, text } from '../schemas';

const specFields = {
  url: text(4096, {
    description:
      'rtsp://[user:pass@]host/path, rtsp-listen://, rtmp-listen://, whip:ID, whep+http(s)://... or a file path. Stored as given; always returned with credentials replaced by ***.',
  }),
  enabled: { type: 'boolean', description: 'false: created stopped.' },
  fps: num(0.5, 60),
  maxWidth: int(64, 7680),
  maxHeight: int(64, 4320),
  rtspTransport: { type: 'string', enum: ['tcp', 'udp'] },
  loop: { type: 'boolean' },
  realtime: { type: 'boolean' },
};

const idParams = obj({ id: streamId }, ['id']);
const TAGS = ['streams'];

interface IdParams {
  id: string;
}

/** /v1/streams: operators manage streams; viewers see them. Audited as stream.*. */
export function registerStreamsRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { streams, audit, logger } = deps;

  app.get(
    '/v1/streams',
    {
      config: { access: 'viewer', action: 'list streams' },
      schema: {
        tags: TAGS,
        summary: 'Streams with their state, fps, drops, restarts and last error',
        response: replies('viewer', { 200: streamList }),
      },
    },
    async () => ({ streams: streams.list() }),
  );

  app.post<{ Body: StreamSpecInput }>(
    '/v1/streams',
    {
      config: { access: 'operator', action: 'create streams' },
      schema: {
        tags: TAGS,
        summary: 'Add a stream (started unless enabled is false)',
        body: obj({ id: streamId, ...specFields }, ['id', 'url']),
        response: replies('operator', { 201: streamInfo }, [400, 409, 413, 415]),
      },
    },
    async (req, reply) => {
      const info = await streams.create(req.body);
      audit.append({ actor: actorOf(req.principal), action: 'stream.create', target: info.id });
      logger.info(
        { streamId: info.id, source: redactUrl(req.body.url), keyId: req.principal?.id },
        'stream created over the API',
      );
      return reply.code(201).send(info);
    },
  );

  app.get<{ Params: IdParams }>(
    '/v1/streams/:id',
    {
      config: { access: 'viewer', action: 'read streams' },
      schema: {
        tags: TAGS,
        summary: 'One stream',
        params: idParams,
        response: replies('viewer', { 200: streamInfo }, [400, 404]),
      },
    },
    async (req) => streams.get(req.params.id),
  );

  app.patch<{ Params: IdParams; Body: Partial<Omit<StreamSpecInput, 'id'>> }>(
    '/v1/streams/:id',
    {
      config: { access: 'operator', action: 'update streams' },
      schema: {
        tags: TAGS,
        summary: 'Change a stream (it restarts with the new settings)',
        params: idParams,
        body: obj(specFields, [], { minProperties: 1 }),
        response: replies('operator', { 200: streamInfo }, [400, 404, 413, 415]),
      },
    },
    async (req) => {
      const info = await streams.update(req.params.id, req.body);
      audit.append({
        actor: actorOf(req.principal),
        action: 'stream.update',
        target: info.id,
        details: { fields: Object.keys(req.body).sort().join(',') },
      });
      return info;
    },
  );

  app.delete<{ Params: IdParams }>(
    '/v1/streams/:id',
    {
      config: { access: 'operator', action: 'delete streams' },
      schema: {
        tags: TAGS,
        summary: 'Stop and remove a stream',
        params: idParams,
        response: replies('operator', { 204: noContent }, [400, 404]),
      },
    },
    async (req, reply) => {
      await streams.delete(req.params.id);
      audit.append({ actor: actorOf(req.principal), action: 'stream.delete', target: req.params.id });
      return reply.code(204).send();
    },
  );

  for (const verb of ['start', 'stop'] as const) {
    app.post<{ Params: IdParams }>(
      `/v1/streams/:id/${verb}`,
      {
        config: { access: 'operator', action: `${verb} streams` },
        schema: {
          tags: TAGS,
          summary:
            verb === 'start' ? 'Start (enable) a stream' : 'Stop (disable) a stream; kept across restarts',
          params: idParams,
          response: replies('operator', { 200: streamInfo }, [400, 404]),
        },
      },
      async (req) => {
        const info = await streams[verb](req.params.id);
        audit.append({ actor: actorOf(req.principal), action: `stream.${verb}`, target: info.id });
        return info;
      },
    );
  }
}
