import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { DASHBOARD_SECURITY_HEADERS, dashboardRoutes } from '../../../src/http/dashboard-routes';

/** The dashboard plugin on a real Fastify server on loopback, over a real directory. */
let dir: string;
const apps: FastifyInstance[] = [];

interface Got {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json(): unknown;
}

async function appFor(webDir: string): Promise<{ inject(o: { url: string }): Promise<Got> }> {
  const app = Fastify();
  apps.push(app);
  app.get('/v1/other', async () => ({ ok: true }));
  await app.register(dashboardRoutes, { webDir });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    async inject({ url }) {
      // fetch would normalise "/assets/../../x"; send the raw path as a client could.
      const r = await fetch(base + url.replace(/\.\./g, '%2e%2e'));
      const body = await r.text();
      return {
        statusCode: r.status,
        headers: Object.fromEntries(r.headers.entries()),
        body,
        json: () => JSON.parse(body) as unknown,
      };
    },
  };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'argus-dashboard-'));
});

afterAll(async () => {
  for (const app of apps) await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard routes', () => {
  test('serves index.html at / and the bundle under /assets/, with strict headers', async () => {
    const web = path.join(dir, 'web');
    mkdirSync(web);
    writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>Argus</title>');
    writeFileSync(path.join(web, 'app.js'), 'console.log(1)');
    writeFileSync(path.join(web, 'app.css'), 'body{}');
    const app = await appFor(web);

    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<title>Argus</title>');
    for (const [k, v] of Object.entries(DASHBOARD_SECURITY_HEADERS)) expect(page.headers[k]).toBe(v);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("img-src 'self' blob: data:");
    expect(csp).toContain("connect-src 'self' ws: wss:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');

    const js = await app.inject({ url: '/assets/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['content-security-policy']).toBe(DASHBOARD_SECURITY_HEADERS['content-security-policy']);
    const css = await app.inject({ url: '/assets/app.css' });
    expect(css.headers['content-type']).toMatch(/^text\/css/);

    expect((await app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/assets/../../etc/passwd' })).statusCode).toBe(404);
    // Other routes of the app keep their own headers: the plugin is encapsulated.
    const other = await app.inject({ url: '/v1/other' });
    expect(other.statusCode).toBe(200);
    expect(other.headers['content-security-policy']).toBeUndefined();
  });

  test('without a build it answers 503 with a JSON error that says to run npm run build', async () => {
    const app = await appFor(path.join(dir, 'not-built'));
    for (const url of ['/', '/assets/app.js']) {
      const r = await app.inject({ url });
      expect(r.statusCode).toBe(503);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      const body = r.json() as { error: { code: string; message: string } };
      expect(body.error.code).toBe('ARGUS_E_DASHBOARD_NOT_BUILT');
      expect(body.error.message).toContain('npm run build');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  // npm test builds first (npm run build bundles web/ into dist/web).
  test('the real bundle from npm run build is what / links to, and loads nothing remote', async () => {
    const built = path.resolve(__dirname, '../../../dist/web');
    const app = await appFor(built);
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/assets/app.js');
    expect(page.body).toContain('/assets/app.css');
    const js = await app.inject({ url: '/assets/app.js' });
    expect(js.statusCode).toBe(200);
    // No CDN, no remote fetch: the bundle names no http(s) origin to load from.
    expect(js.body).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\//i);
  });
});
