import type { FastifyInstance } from 'fastify';
import { AUDIT_ACTIONS, type AuditAction } from '../../audit/audit-log';
import type { HttpDeps } from '../http-deps';
import { auditPage, replies, session, systemInfo } from '../response-schemas';
import { int, obj } from '../schemas';

/** /v1/session (who am I), /v1/system (live numbers) and /v1/audit (admin). */
export function registerSystemRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { system, audit } = deps;

  app.get(
    '/v1/session',
    {
      config: { access: 'viewer', action: 'read its session' },
      schema: {
        tags: ['system'],
        summary: "The caller's key id and role (the dashboard's login check)",
        response: replies('viewer', { 200: session }),
      },
    },
    async (req) => ({ keyId: req.principal!.id, role: req.principal!.role }),
  );

  app.get(
    '/v1/system',
    {
      config: { access: 'viewer', action: 'read system information' },
      schema: {
        tags: ['system'],
        summary: 'CPU, memory, event-loop lag, workers, drops, alerts, clients',
        response: replies('viewer', { 200: systemInfo }),
      },
    },
    async () => system.info(),
  );

  app.get<{ Querystring: { limit?: number; beforeSeq?: number; action?: AuditAction } }>(
    '/v1/audit',
    {
      config: { access: 'admin', action: 'read the audit log' },
      schema: {
        tags: ['audit'],
        summary: 'Audit log entries, newest first (hash-chained; no biometric data)',
        querystring: obj({
          limit: int(1, 1000, { default: 100 }),
          beforeSeq: int(1, Number.MAX_SAFE_INTEGER),
          action: { type: 'string', enum: [...AUDIT_ACTIONS] },
        }),
        response: replies('admin', { 200: auditPage }, [400]),
      },
    },
    async (req) => {
      const entries = audit.list(req.query);
      const limit = req.query.limit ?? 100;
      const last = entries[entries.length - 1];
      return { entries, ...(entries.length === limit && last ? { nextBeforeSeq: last.seq } : {}) };
    },
  );
}
