import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { ArgusError } from '../errors/argus-error';
import './access';
import { authHook } from './auth-hook';
import { installErrorHandlers, unsupportedMediaType } from './error-handler';
import type { HttpDeps } from './http-deps';
import { registerOpenApi } from './openapi';
import { registerAlertsRoutes } from './routes/alerts-routes';
import { registerHealthRoutes } from './routes/health-routes';
import { registerIdentitiesRoutes } from './routes/identities-routes';
import { registerKeysRoutes } from './routes/keys-routes';
import { registerSettingsRoutes } from './routes/settings-routes';
import { registerStreamsRoutes } from './routes/streams-routes';
import { registerSystemRoutes } from './routes/system-routes';
import { MULTIPART, validatorCompiler } from './validator';

/**
 * The REST API as a Fastify instance, not listening: the composition root calls `listen`, and
 * the WebSocket alert server attaches to `app.server`'s upgrade event. Order matters: error
 * handlers and hooks first, then security plugins, docs, the routes, and the injected plugins.
 *
 * Per request: onRequest (security headers, CORS, auth: 401/403 before any body is read) ->
 * body parsing (JSON only, bodyLimitBytes; multipart is read by its handler) -> preValidation
 * (rate limit per key id, then JSON-vs-multipart check) -> schema validation -> handler.
 */
export async function createHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: false,
    bodyLimit: config.bodyLimitBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    requestTimeout: 120_000,
    routerOptions: { maxParamLength: 200 },
  });
  app.setValidatorCompiler(validatorCompiler());
  // Default-deny for the API: a /v1 route without an access rule is a programming error.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1/') && route.config?.access === undefined) {
      throw new Error(`route ${route.method} ${route.url} has no config.access`);
    }
  });
  installErrorHandlers(app, deps.logger, config);
  // JSON and multipart only: text/plain would reach a JSON route as a string and fail as 400, not 415.
  app.removeContentTypeParser('text/plain');
  // An empty JSON body is no body (clients send the header on DELETE and start/stop too); a route
  // that needs a body still refuses it in validation. Anything else goes to Fastify's own parser.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '') return done(null, undefined);
    return parseJson(req, String(body), done);
  });

  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: true, directives: { 'upgrade-insecure-requests': null } },
    // Argus serves plain HTTP (loopback or LAN) by default; HSTS belongs to a TLS front end.
    hsts: false,
  });
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type'],
      maxAge: 600,
    });
  }
  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: { fileSize: config.uploadLimitBytes, files: config.maxUploadFiles },
  });
  app.addHook('onRequest', authHook({ keys: deps.keys, auth: config.auth }));
  await app.register(rateLimit, {
    global: true,
    // After auth, so the bucket is the verified key id (unauthenticated public calls: the address).
    hook: 'preValidation',
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.timeWindowMs,
    keyGenerator: (req: FastifyRequest) => (req.principal ? `key:${req.principal.id}` : `ip:${req.ip}`),
    errorResponseBuilder: (_req, ctx) =>
      new ArgusError('ARGUS_E_RATE_LIMITED', { retryAfterSec: Math.max(1, Math.ceil(ctx.ttl / 1000)) }),
  });
  app.addHook('preValidation', async (req) => {
    const body = req.routeOptions.schema?.body as Record<string, unknown> | undefined;
    if (body && body[MULTIPART] !== true && req.isMultipart()) {
      throw unsupportedMediaType(req.headers['content-type'], 'application/json');
    }
  });
  const { onResponse } = deps;
  if (onResponse) {
    app.addHook('onResponse', async (req, reply) => {
      onResponse(req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime, req.method);
    });
  }
  if (config.docs) await registerOpenApi(app, deps.version ?? '0.0.0');

  registerHealthRoutes(app, deps);
  registerStreamsRoutes(app, deps);
  registerIdentitiesRoutes(app, deps);
  registerAlertsRoutes(app, deps);
  registerKeysRoutes(app, deps);
  registerSettingsRoutes(app, deps);
  registerSystemRoutes(app, deps);
  for (const p of deps.plugins ?? []) await app.register(p.plugin, p.options ?? {});
  return app;
}
