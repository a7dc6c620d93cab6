import type { Role } from '../../../src/auth/api-key-store';
import { errorOf, startTestApi, type TestApi } from './http-test-kit';

/** Who may call what: 401 without or with a bad key, 403 below the route's role, rate limits, CORS. */

type Route = [method: string, url: string, role: Role];
const ROUTES: Route[] = [
  ['GET', '/v1/streams', 'viewer'],
  ['GET', '/v1/streams/{id}', 'viewer'],
  ['GET', '/v1/alerts', 'viewer'],
  ['GET', '/v1/alerts/{id}', 'viewer'],
  ['GET', '/v1/alerts/{id}/crop', 'viewer'],
  ['GET', '/v1/alerts/rejection-patterns', 'viewer'],
  ['GET', '/v1/session', 'viewer'],
  ['GET', '/v1/system', 'viewer'],
  ['POST', '/v1/streams', 'operator'],
  ['PATCH', '/v1/streams/{id}', 'operator'],
  ['DELETE', '/v1/streams/{id}', 'operator'],
  ['POST', '/v1/streams/{id}/start', 'operator'],
  ['POST', '/v1/streams/{id}/stop', 'operator'],
  ['POST', '/v1/alerts/{id}/review', 'operator'],
  ['GET', '/v1/identities', 'operator'],
  ['GET', '/v1/identities/{id}', 'operator'],
  ['GET', '/v1/identities/{id}/photo', 'operator'],
  ['POST', '/v1/identities/search', 'operator'],
  ['GET', '/v1/settings/match', 'operator'],
  ['POST', '/v1/identities', 'admin'],
  ['DELETE', '/v1/identities/{id}', 'admin'],
  ['POST', '/v1/identities/{id}/images', 'admin'],
  ['DELETE', '/v1/identities/{id}/templates/{templateId}', 'admin'],
  ['POST', '/v1/keys', 'admin'],
  ['GET', '/v1/keys', 'admin'],
  ['DELETE', '/v1/keys/{id}', 'admin'],
  ['PUT', '/v1/settings/match', 'admin'],
  ['GET', '/v1/audit', 'admin'],
];
const BELOW: Record<Role, Role[]> = { viewer: [], operator: ['viewer'], admin: ['viewer', 'operator'] };
const concrete = (url: string) => url.replace('{id}', '1').replace('{templateId}', '1');

describe('access control', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('documents exactly the routes of this table (a new route must be added here)', async () => {
    const spec = JSON.parse((await api.call({ method: 'GET', url: '/docs/json' })).body) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(spec.paths)
      .filter(([p]) => p.startsWith('/v1/'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    expect(documented).toEqual(ROUTES.map(([m, u]) => `${m} ${u}`).sort());
  });

  it.each(ROUTES)('%s %s: 401 without a key, 401 with a bad key, 403 below %s', async (method, url, role) => {
    const req = { method: method as 'GET', url: concrete(url) };
    const none = await api.call(req);
    expect([none.statusCode, errorOf(none).code]).toEqual([401, 'ARGUS_E_AUTH_REQUIRED']);
    const notBearer = await api.call({ ...req, headers: { authorization: `Basic ${api.keys.admin.key}` } });
    expect(errorOf(notBearer).code).toBe('ARGUS_E_AUTH_REQUIRED');
    const forged = `argus_${api.keys.admin.id}_${'A'.repeat(43)}`;
    const bad = await api.call({ ...req, key: forged });
    expect([bad.statusCode, errorOf(bad).code]).toEqual([401, 'ARGUS_E_AUTH_INVALID_KEY']);
    for (const lower of BELOW[role]) {
      const res = await api.call({ ...req, as: lower });
      expect([res.statusCode, errorOf(res).code]).toEqual([403, 'ARGUS_E_FORBIDDEN']);
      expect(errorOf(res).message).toContain(`The ${lower} role may not`);
    }
  });

  it('answers unknown routes and methods with 404 ARGUS_E_HTTP_ROUTE_NOT_FOUND, query not echoed', async () => {
    for (const [method, url] of [
      ['GET', '/v1/nothing?token=secret'],
      ['PUT', '/v1/streams'],
      ['GET', '/v2/streams'],
    ] as const) {
      const res = await api.call({ as: 'admin', method, url });
      expect(res.statusCode).toBe(404);
      expect(errorOf(res).code).toBe('ARGUS_E_HTTP_ROUTE_NOT_FOUND');
      expect(res.body).not.toContain('secret');
    }
  });

  it('serves real HTTP on a port (the lead listens the same way)', async () => {
    const other = await startTestApi();
    try {
      const base = await other.app.listen({ host: '127.0.0.1', port: 0 });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const res = await fetch(`${base}/v1/session`, {
        headers: { authorization: `Bearer ${other.keys.viewer.key}` },
      });
      expect(await res.json()).toEqual({ keyId: other.keys.viewer.id, role: 'viewer' });
      const denied = await fetch(`${base}/v1/keys`, {
        headers: { authorization: `Bearer ${other.keys.viewer.key}` },
      });
      expect(denied.status).toBe(403);
    } finally {
      await other.close();
    }
  });
});

describe('rate limits, CORS, auth off', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('limits each key separately with 429 ARGUS_E_RATE_LIMITED and Retry-After; probes are exempt', async () => {
    api = await startTestApi({ http: { rateLimit: { max: 3, timeWindowMs: 60_000 } } });
    for (let i = 0; i < 3; i++) {
      expect((await api.call({ as: 'viewer', method: 'GET', url: '/v1/streams' })).statusCode).toBe(200);
    }
    const limited = await api.call({ as: 'viewer', method: 'GET', url: '/v1/system' });
    expect(limited.statusCode).toBe(429);
    expect(errorOf(limited).code).toBe('ARGUS_E_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await api.call({ as: 'operator', method: 'GET', url: '/v1/streams' })).statusCode).toBe(200);
    for (let i = 0; i < 5; i++)
      expect((await api.call({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    // Without a key (the docs): by client address.
    for (let i = 0; i < 3; i++) await api.call({ method: 'GET', url: '/docs/json' });
    expect((await api.call({ method: 'GET', url: '/docs/json' })).statusCode).toBe(429);
  });

  it('sends no CORS headers by default and allows only the configured origins', async () => {
    api = await startTestApi({ http: { corsOrigins: ['https://ops.example.org'] } });
    const preflight = (origin: string) =>
      api!.call({
        method: 'OPTIONS',
        url: '/v1/streams',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const ok = await preflight('https://ops.example.org');
    expect(ok.headers['access-control-allow-origin']).toBe('https://ops.example.org');
    const other = await preflight('https://evil.example.com');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('with http.auth off (loopback only), callers act as the admin "anonymous"', async () => {
    api = await startTestApi({ http: { auth: false } });
    const res = await api.call({ method: 'GET', url: '/v1/session' });
    expect(JSON.parse(res.body)).toEqual({ keyId: 'anonymous', role: 'admin' });
  });

  it('with http.metricsAuth off, /metrics needs no key', async () => {
    api = await startTestApi({ http: { metricsAuth: false } });
    expect((await api.call({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });
});
