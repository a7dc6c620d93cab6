import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from '../../auth/api-key-store';
import { ArgusError } from '../../errors/argus-error';
import { actorOf } from '../access';
import type { HttpDeps } from '../http-deps';
import { createdKey, keyList, replies, revokedKey } from '../response-schemas';
import { obj, text } from '../schemas';

const TAGS = ['keys'];
const idParams = obj({ id: text(16, { pattern: '^[0-9a-f]{16}$' }) }, ['id']);

/** /v1/keys (admin): the secret is in the create answer only; lists never carry secrets or hashes. */
export function registerKeysRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { keys, audit, logger } = deps;

  app.post<{ Body: { role: Role; label?: string } }>(
    '/v1/keys',
    {
      config: { access: 'admin', action: 'manage API keys' },
      schema: {
        tags: TAGS,
        summary: 'Create an API key; the key is in this answer only',
        body: obj({ role: { type: 'string', enum: [...ROLES] }, label: text(200) }, ['role']),
        response: replies('admin', { 201: createdKey }, [400, 413, 415]),
      },
    },
    async (req, reply) => {
      const created = await keys.create(req.body);
      audit.append({
        actor: actorOf(req.principal),
        action: 'key.create',
        target: created.id,
        details: { role: created.role, label: req.body.label ?? null },
      });
      logger.info({ keyId: created.id, role: created.role, by: req.principal?.id }, 'API key created');
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ...created, label: req.body.label ?? null });
    },
  );

  app.get(
    '/v1/keys',
    {
      config: { access: 'admin', action: 'manage API keys' },
      schema: {
        tags: TAGS,
        summary: 'API keys (ids, roles, labels, dates; never secrets)',
        response: replies('admin', { 200: keyList }),
      },
    },
    async () => ({ keys: keys.list() }),
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/keys/:id',
    {
      config: { access: 'admin', action: 'manage API keys' },
      schema: {
        tags: TAGS,
        summary: 'Revoke an API key (its live connections drop)',
        params: idParams,
        response: replies('admin', { 200: revokedKey }, [400, 404, 409]),
      },
    },
    async (req) => {
      const { id } = req.params;
      if (!keys.revoke(id))
        throw new ArgusError('ARGUS_E_CONFLICT', { reason: `API key ${id} is already revoked` });
      audit.append({ actor: actorOf(req.principal), action: 'key.revoke', target: id });
      logger.info({ keyId: id, by: req.principal?.id }, 'API key revoked');
      return { id, revoked: true };
    },
  );
}
