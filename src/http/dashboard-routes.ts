import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { ArgusError } from '../errors/argus-error';

export interface DashboardOptions {
  /** The built dashboard: dist/web (index.html, app.js, app.css), made by `npm run build`. */
  webDir: string;
}

/**
 * Headers on every dashboard response. The page loads only its own script and styles, talks
 * only to this server (REST + WebSocket), shows images from blob:/data: URLs it made itself,
 * and may not be framed (clickjacking on review buttons).
 */
export const DASHBOARD_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "img-src 'self' blob: data:",
    "connect-src 'self' ws: wss:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

/**
 * The ops dashboard: index.html at `/`, its bundle under `/assets/`. Registered by the
 * composition root like any plugin; encapsulated, so its headers and 503 apply to its own routes
 * only. The page itself is public (it holds no data); everything it shows comes from the API
 * with the user's key.
 */
export const dashboardRoutes: FastifyPluginAsync<DashboardOptions> = async (app, opts) => {
  const webDir = path.resolve(opts.webDir);
  const indexFile = path.join(webDir, 'index.html');

  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(DASHBOARD_SECURITY_HEADERS)) reply.header(k, v);
    return payload;
  });

  // Checked per request, so a build made while the server runs is picked up for index.html.
  app.addHook('onRequest', async (_req, reply) => {
    if (!existsSync(indexFile)) return notBuilt(reply, indexFile);
  });

  app.get('/', async (_req, reply) => {
    const html = await readFile(indexFile);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });

  if (existsSync(webDir)) {
    await app.register(fastifyStatic, {
      root: webDir,
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      // The bundle's names carry no hash: revalidate every time (a 304 costs little on loopback).
      cacheControl: true,
      maxAge: 0,
      allowedPath: (p) => p !== '/index.html',
    });
  } else {
    app.get('/assets/*', async (_req, reply) => notBuilt(reply, indexFile));
  }
};

function notBuilt(reply: FastifyReply, file: string): FastifyReply {
  const err = new ArgusError('ARGUS_E_DASHBOARD_NOT_BUILT', { path: path.dirname(file) });
  return reply
    .code(err.status)
    .type('application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send({ error: err.toJSON() });
}
