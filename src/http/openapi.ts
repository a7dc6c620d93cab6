import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI document (GET /docs/json) and Swagger UI at /docs, served from the installed
 * package (no CDN: it works offline). Registered before the routes so every route is documented.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Argus API',
        version,
        description:
          'Real-time face analysis: streams, watchlist gallery, alerts and their review. Every error is `{"error":{"code","message"}}` with a code from docs/errors.md. Roles: viewer < operator < admin. The WebSocket alert feed is on the same path as GET /v1/alerts (see README).',
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key (argus_<id>_<secret>) from `argus keys create` or POST /v1/keys.',
          },
        },
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'streams', description: 'Video sources and their live state' },
        { name: 'identities', description: 'The watchlist gallery' },
        { name: 'alerts', description: 'Alert history and human review' },
        { name: 'keys', description: 'API keys (admin)' },
        { name: 'settings', description: 'Match policy' },
        { name: 'system', description: 'Session and live numbers' },
        { name: 'audit', description: 'The hash-chained audit log (admin)' },
        { name: 'health', description: 'Probes and metrics' },
      ],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Its own CSP (hashes of its inline scripts) replaces the general one on /docs; without
    // upgrade-insecure-requests, which would break the page on plain-HTTP LAN addresses.
    staticCSP: true,
    transformStaticCSP: (header: string) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
    // The plugin's default validatorUrl (none) keeps the page from calling validator.swagger.io.
    uiConfig: { persistAuthorization: false, deepLinking: false },
  });
}
