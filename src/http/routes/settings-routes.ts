import type { FastifyInstance } from 'fastify';
import { actorOf } from '../access';
import type { HttpDeps } from '../http-deps';
import { matchSettings as matchSettingsBody, replies } from '../response-schemas';
import { num, obj, reason } from '../schemas';

const TAGS = ['settings'];

/** /v1/settings/match: operators read the match policy; admins change it, with a reason (audited). */
export function registerSettingsRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { matchSettings, audit, logger } = deps;

  app.get(
    '/v1/settings/match',
    {
      config: { access: 'operator', action: 'read the match settings' },
      schema: {
        tags: TAGS,
        summary: 'Match threshold and margin in force, with the estimated false-match rate',
        response: replies('operator', { 200: matchSettingsBody }),
      },
    },
    async () => matchSettings.get(),
  );

  app.put<{ Body: { threshold: number; margin: number; reason: string } }>(
    '/v1/settings/match',
    {
      config: { access: 'admin', action: 'change the match settings' },
      schema: {
        tags: TAGS,
        summary: 'Change the threshold and margin (applies at once; audited with the reason)',
        body: obj({ threshold: num(-1, 1), margin: num(0, 1), reason }, ['threshold', 'margin', 'reason']),
        response: replies('admin', { 200: matchSettingsBody }, [400, 413, 415]),
      },
    },
    async (req) => {
      const before = matchSettings.get();
      const { threshold, margin } = req.body;
      const after = matchSettings.set({ threshold, margin });
      audit.append({
        actor: actorOf(req.principal),
        action: 'settings.match.update',
        reason: req.body.reason.trim(),
        details: {
          oldThreshold: before.threshold,
          oldMargin: before.margin,
          threshold: after.threshold,
          margin: after.margin,
        },
      });
      logger.info(
        { threshold: after.threshold, margin: after.margin, by: req.principal?.id },
        'match settings changed',
      );
      return after;
    },
  );
}
