import type { FastifyInstance } from 'fastify';
import { toArgusError } from '../../errors/argus-error';
import type { ReadinessCheck } from '../../serve/service-ports';
import type { HttpDeps } from '../http-deps';
import { binaryReply, liveness, readiness as readinessBody, replies } from '../response-schemas';
import { NO_AUTH } from '../schemas';

/** Probes and metrics: not rate limited (probes and scrapers are frequent and trusted). */
export function registerHealthRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { readiness, metrics } = deps;
  const noLimit = { rateLimit: false } as const;

  app.get(
    '/healthz',
    {
      config: { access: 'public', ...noLimit },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        security: NO_AUTH,
        response: replies('public', { 200: liveness }),
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public', ...noLimit },
      schema: {
        tags: ['health'],
        summary:
          'Readiness: models loaded, gallery open, FFmpeg found (503 with the failing checks otherwise)',
        security: NO_AUTH,
        response: replies('public', {
          200: { ...readinessBody, description: 'Every check passed.' },
          503: { ...readinessBody, description: 'At least one check failed (ok: false).' },
        }),
      },
    },
    async (_req, reply) => {
      let checks: Record<string, ReadinessCheck>;
      try {
        checks = await readiness.checks();
      } catch (err) {
        checks = { readiness: { ok: false, detail: toArgusError(err).code } };
      }
      const ready = Object.values(checks).every((c) => c.ok);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
    },
  );

  app.get(
    '/metrics',
    {
      config: deps.config.metricsAuth
        ? { access: 'viewer', action: 'read metrics', ...noLimit }
        : { access: 'public', ...noLimit },
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text exposition format), names prefixed argus_',
        ...(deps.config.metricsAuth ? {} : { security: NO_AUTH }),
        response: replies(
          deps.config.metricsAuth ? 'viewer' : 'public',
          { 200: binaryReply('text/plain', 'Prometheus text exposition format 0.0.4.') },
          [],
          { rateLimited: false },
        ),
      },
    },
    async (_req, reply) => reply.type(metrics.contentType).send(await metrics.metrics()),
  );
}
