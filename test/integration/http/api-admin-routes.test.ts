import { errorOf, startTestApi, type TestApi } from './http-test-kit';

/** Keys, match settings, session, system, audit, health, metrics and docs over app.inject. */
let api: TestApi;
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions
const json = (res: { body: string }) => JSON.parse(res.body) as any;

beforeEach(async () => {
  api = await startTestApi();
});
afterEach(async () => {
  await api.close();
});

describe('keys (admin)', () => {
  it('creates a key shown once, lists without secrets, revokes it (409 twice, 404 unknown), audited', async () => {
    const created = await api.call({
      as: 'admin',
      method: 'POST',
      url: '/v1/keys',
      payload: { role: 'viewer', label: 'wall screen' },
    });
    expect(created.statusCode).toBe(201);
    const { id, key } = json(created);
    expect(key).toMatch(/^argus_[0-9a-f]{16}_/);
    expect(created.headers['cache-control']).toBe('no-store');
    const session = await api.call({ key, method: 'GET', url: '/v1/session' });
    expect(json(session)).toEqual({ keyId: id, role: 'viewer' });
    const list = await api.call({ as: 'admin', method: 'GET', url: '/v1/keys' });
    // The secret is base64url, so it may itself contain '_': take everything after the id.
    const secret = /^argus_[0-9a-f]{16}_(.{43})$/.exec(key)![1]!;
    expect(list.body).not.toContain(secret);
    expect(json(list).keys).toContainEqual(
      expect.objectContaining({ id, role: 'viewer', label: 'wall screen' }),
    );
    expect((await api.call({ as: 'admin', method: 'DELETE', url: `/v1/keys/${id}` })).statusCode).toBe(200);
    const revokedUse = await api.call({ key, method: 'GET', url: '/v1/session' });
    expect(revokedUse.statusCode).toBe(401);
    expect(errorOf(revokedUse).code).toBe('ARGUS_E_AUTH_INVALID_KEY');
    const again = await api.call({ as: 'admin', method: 'DELETE', url: `/v1/keys/${id}` });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('ARGUS_E_CONFLICT');
    const unknown = await api.call({ as: 'admin', method: 'DELETE', url: '/v1/keys/0123456789abcdef' });
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown).code).toBe('ARGUS_E_AUTH_KEY_NOT_FOUND');
    const audit = api.audit.list({}).map((e) => [e.action, e.target]);
    expect(audit).toEqual([
      ['key.revoke', id],
      ['key.create', id],
    ]);
    expect(JSON.stringify(api.audit.list({}))).not.toContain(key);
  });

  it.each([
    [{ role: 'root' }],
    [{}],
    [{ role: 'viewer', label: '' }],
    [{ role: 'viewer', label: 5 }],
    [{ role: 'viewer', expires: 'never' }],
  ])('refuses %j with 400', async (payload) => {
    const res = await api.call({ as: 'admin', method: 'POST', url: '/v1/keys', payload });
    expect(errorOf(res).code).toBe('ARGUS_E_HTTP_BAD_REQUEST');
    expect(api.store.list()).toHaveLength(3);
  });

  it('refuses a malformed key id with 400', async () => {
    const res = await api.call({ as: 'admin', method: 'DELETE', url: '/v1/keys/not-a-key' });
    expect(res.statusCode).toBe(400);
  });
});

describe('match settings', () => {
  it('reads (operator) and changes (admin) with the reason and old/new values audited', async () => {
    const get = await api.call({ as: 'operator', method: 'GET', url: '/v1/settings/match' });
    expect(json(get)).toEqual({ threshold: 0.4, margin: 0.05, fmrAtThreshold: 1e-4 });
    const put = await api.call({
      as: 'admin',
      method: 'PUT',
      url: '/v1/settings/match',
      payload: { threshold: 0.45, margin: 0.1, reason: 'fewer false alerts, ticket 12' },
    });
    expect(put.statusCode).toBe(200);
    expect(json(put)).toMatchObject({ threshold: 0.45, margin: 0.1 });
    expect(api.audit.list({ action: 'settings.match.update' })[0]).toMatchObject({
      actor: `key:${api.keys.admin.id}`,
      reason: 'fewer false alerts, ticket 12',
      details: { oldThreshold: 0.4, oldMargin: 0.05, threshold: 0.45, margin: 0.1 },
    });
  });

  it.each([
    [{ threshold: 0.45, margin: 0.1 }],
    [{ threshold: 0.45, margin: 0.1, reason: '   ' }],
    [{ threshold: 2, margin: 0.1, reason: 'x' }],
    [{ threshold: '0.5', margin: 0.1, reason: 'x' }],
    [{ threshold: 0.5, margin: -0.1, reason: 'x' }],
    [{ threshold: 0.5, margin: 0.1, reason: 'x', k: 3 }],
  ])('refuses %j with 400 and changes nothing', async (payload) => {
    const res = await api.call({ as: 'admin', method: 'PUT', url: '/v1/settings/match', payload });
    expect(errorOf(res).code).toBe('ARGUS_E_HTTP_BAD_REQUEST');
    expect(api.settings.get().threshold).toBe(0.4);
    expect(api.audit.list({})).toEqual([]);
  });
});

describe('session, system, audit', () => {
  it('tells each key its role and serves system numbers', async () => {
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      const res = await api.call({ as: role, method: 'GET', url: '/v1/session' });
      expect(json(res)).toEqual({ keyId: api.keys[role].id, role });
    }
    const sys = await api.call({ as: 'viewer', method: 'GET', url: '/v1/system' });
    expect(json(sys)).toMatchObject({ version: 'test', workers: { total: 1 } });
  });

  it('pages through the audit log newest first and filters by action', async () => {
    for (let i = 0; i < 5; i++) {
      await api.call({
        as: 'operator',
        method: 'POST',
        url: '/v1/streams',
        payload: { id: `s${i}`, url: 'whip:x' },
      });
    }
    await api.call({ as: 'operator', method: 'DELETE', url: '/v1/streams/s0' });
    const page = json(await api.call({ as: 'admin', method: 'GET', url: '/v1/audit?limit=4' }));
    expect(page.entries.map((e: { action: string }) => e.action)).toEqual([
      'stream.delete',
      'stream.create',
      'stream.create',
      'stream.create',
    ]);
    const next = json(
      await api.call({
        as: 'admin',
        method: 'GET',
        url: `/v1/audit?limit=4&beforeSeq=${page.nextBeforeSeq}`,
      }),
    );
    expect(next.entries).toHaveLength(2);
    expect(next.nextBeforeSeq).toBeUndefined();
    const deletes = json(
      await api.call({ as: 'admin', method: 'GET', url: '/v1/audit?action=stream.delete' }),
    );
    expect(deletes.entries).toHaveLength(1);
    const bad = await api.call({ as: 'admin', method: 'GET', url: '/v1/audit?action=stream.explode' });
    expect(errorOf(bad).code).toBe('ARGUS_E_HTTP_BAD_REQUEST');
  });
});

describe('health, metrics, docs', () => {
  it('answers /healthz and /readyz without a key; /readyz is 503 with the failing check', async () => {
    const health = await api.call({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(json(health)).toEqual({ status: 'ok' });
    expect((await api.call({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    api.readiness.state.ffmpeg = { ok: false, detail: 'ffmpeg not found' };
    const unready = await api.call({ method: 'GET', url: '/readyz' });
    expect(unready.statusCode).toBe(503);
    expect(json(unready)).toMatchObject({ status: 'not-ready', checks: { ffmpeg: { ok: false } } });
  });

  it('serves Prometheus text to any key, 401 without one', async () => {
    const res = await api.call({ as: 'viewer', method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('argus_test_up 1');
    expect(errorOf(await api.call({ method: 'GET', url: '/metrics' })).code).toBe('ARGUS_E_AUTH_REQUIRED');
  });

  it('serves the OpenAPI document and Swagger UI without a key, with the bearer scheme', async () => {
    const doc = await api.call({ method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    const spec = json(doc);
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const p of ['/v1/streams', '/v1/identities', '/v1/alerts/{id}/review', '/v1/keys', '/healthz']) {
      expect(Object.keys(spec.paths)).toContain(p);
    }
    expect(spec.paths['/healthz'].get.security).toEqual([]);
    expect(Object.keys(spec.paths['/v1/identities'].post.requestBody.content)).toEqual([
      'multipart/form-data',
    ]);
    const ui = await api.call({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
    const csp = String(ui.headers['content-security-policy']);
    // Swagger UI's own CSP: scripts from the page's origin only (the package's files, no CDN).
    expect(csp).toMatch(/script-src 'self'[^;]*;/);
    expect(/script-src [^;]*/.exec(csp)?.[0]).not.toContain('unsafe-inline');
    expect(csp).not.toContain('upgrade-insecure-requests');
    const asset = await api.call({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(asset.statusCode).toBe(200);
  });

  it('sets security headers on API answers and reports each response to the metrics hook', async () => {
    const res = await api.call({ as: 'viewer', method: 'GET', url: '/v1/streams' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(api.responses).toContainEqual({ route: '/v1/streams', status: 200 });
  });
});
