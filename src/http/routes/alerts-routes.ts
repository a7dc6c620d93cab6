import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { ArgusError } from '../../errors/argus-error';
import type { AlertQuery } from '../../serve/service-ports';
import { actorOf } from '../access';
import { AlertPageJson, type Serialize } from '../alert-page-json';
import { badRequest } from '../error-handler';
import type { HttpDeps } from '../http-deps';
import { alertPage, binaryReply, rejectionPatterns, replies, storedAlert } from '../response-schemas';
import { int, num, obj, streamId, text } from '../schemas';

const TAGS = ['alerts'];
/** Fastify's content type for what it serialises. */
const JSON_UTF8 = 'application/json; charset=utf-8';
const idParams = obj({ id: int(1, Number.MAX_SAFE_INTEGER) }, ['id']);
const isoTime = text(40, { description: 'ISO 8601 time, inclusive.' });

const listQuery = obj({
  streamId,
  identityId: text(100),
  watchlist: text(100),
  review: { type: 'string', enum: ['pending', 'confirmed', 'rejected'] },
  since: isoTime,
  until: isoTime,
  minSimilarity: num(-1, 1),
  limit: int(1, 500, { default: 50 }),
  cursor: text(200, { description: "Opaque: the previous page's nextCursor." }),
});

interface IdParams {
  id: number;
}

/** /v1/alerts history and review. (The WebSocket on the same path is WsAlertServer's, on 'upgrade'.) */
export function registerAlertsRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { alerts, audit } = deps;
  // Compiled by the first request (Fastify hands out a route's serialisers on its reply).
  let pageJson: AlertPageJson | undefined;

  app.get<{ Querystring: AlertQuery }>(
    '/v1/alerts',
    {
      config: { access: 'viewer', action: 'read alerts' },
      schema: {
        tags: TAGS,
        summary: 'Alert history, newest first, with filters and pagination',
        querystring: listQuery,
        response: replies('viewer', { 200: alertPage }, [400]),
      },
    },
    async (req, reply) => {
      for (const k of ['since', 'until'] as const) {
        const v = req.query[k];
        if (v !== undefined && Number.isNaN(Date.parse(v)))
          throw badRequest(`querystring/${k} is not an ISO time`);
      }
      const page = alerts.list(req.query);
      if (!pageJson) {
        const serializePage = reply.getSerializationFunction('200');
        if (!serializePage) throw new Error('GET /v1/alerts has no compiled 200 serialiser');
        pageJson = new AlertPageJson(
          reply.compileSerializationSchema(storedAlert, '200') as Serialize,
          serializePage as Serialize,
        );
      }
      // A string with this type is sent as it is: the same bytes and header the schema's serialiser gives.
      return reply.type(JSON_UTF8).send(pageJson.of(page));
    },
  );

  app.get<{ Querystring: { minRejections?: number } }>(
    '/v1/alerts/rejection-patterns',
    {
      config: { access: 'viewer', action: 'read alerts' },
      schema: {
        tags: TAGS,
        summary: 'Identities rejected repeatedly at similar scores ("not this person")',
        querystring: obj({ minRejections: int(1, 1000) }),
        response: replies('viewer', { 200: rejectionPatterns }, [400]),
      },
    },
    async (req) => ({ patterns: alerts.rejectionPatterns(req.query.minRejections) }),
  );

  app.get<{ Params: IdParams }>(
    '/v1/alerts/:id',
    {
      config: { access: 'viewer', action: 'read alerts' },
      schema: {
        tags: TAGS,
        summary: 'One alert',
        params: idParams,
        response: replies('viewer', { 200: storedAlert }, [400, 404]),
      },
    },
    async (req) => alerts.get(req.params.id),
  );

  app.get<{ Params: IdParams }>(
    '/v1/alerts/:id/crop',
    {
      config: { access: 'viewer', action: 'view alert crops' },
      schema: {
        tags: TAGS,
        summary: 'The face crop of an alert (JPEG); audited as alert.crop.view',
        params: idParams,
        response: replies('viewer', { 200: binaryReply('image/jpeg', 'The JPEG crop.') }, [400, 404]),
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const file = alerts.cropFile(id);
      const jpeg = file === undefined ? undefined : await readFile(file).catch(() => undefined);
      // Crops expire before their alerts: a missing file is "no crop", not a server error.
      if (!jpeg) throw new ArgusError('ARGUS_E_NOT_FOUND', { kind: 'crop of alert', id });
      audit.append({ actor: actorOf(req.principal), action: 'alert.crop.view', target: String(id) });
      return reply.type('image/jpeg').header('cache-control', 'private, no-store').send(jpeg);
    },
  );

  app.post<{ Params: IdParams; Body: { status: 'confirmed' | 'rejected'; comment?: string } }>(
    '/v1/alerts/:id/review',
    {
      config: { access: 'operator', action: 'review alerts' },
      schema: {
        tags: TAGS,
        summary: 'Confirm or reject an alert; a rejection stops re-alerts of that track for that identity',
        params: idParams,
        body: obj(
          {
            status: { type: 'string', enum: ['confirmed', 'rejected'] },
            comment: { type: 'string', maxLength: 1000 },
          },
          ['status'],
        ),
        response: replies('operator', { 200: storedAlert }, [400, 404, 413, 415]),
      },
    },
    // The service audits every verdict itself.
    async (req) => alerts.review(req.params.id, req.body, req.principal!),
  );
}
