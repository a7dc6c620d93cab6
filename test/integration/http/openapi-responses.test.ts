import Ajv from 'ajv';
import type { Role } from '../../../src/auth/api-key-store';
import { seeded, unitVector } from '../../helpers/gallery-fixtures';
import { startTestApi, type TestApi } from './http-test-kit';
import { memorySystem } from './memory-services';

/**
 * The response schemas, over real HTTP: every /v1 operation in the OpenAPI document says what it
 * answers, and for the main routes the body sent (by Fastify's compiled serialiser, which drops
 * whatever a schema does not list) is valid against the documented schema AND equal to what the
 * service returned, so a property missing from a schema fails here rather than vanishing.
 */

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
}

let api: TestApi;
let base: string;
let doc: OpenApiDoc;
const ajv = new Ajv({ strict: false, allErrors: true });

beforeAll(async () => {
  api = await startTestApi();
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  base = `http://127.0.0.1:${address.port}`;
  const res = await fetch(`${base}/docs/json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as OpenApiDoc;
}, 60_000);
afterAll(async () => {
  await api?.close();
});

async function get(url: string, as?: Role): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = as ? { authorization: `Bearer ${api.keys[as].key}` } : {};
  const res = await fetch(`${base}${url}`, { headers });
  return { status: res.status, body: await res.json() };
}

async function send(
  method: string,
  url: string,
  as: Role,
  payload?: object,
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { authorization: `Bearer ${api.keys[as].key}` };
  if (payload) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${url}`, {
    method,
    headers,
    body: payload ? JSON.stringify(payload) : null,
  });
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
}

/** The documented JSON schema of `method path` for `status`. */
function documented(path: string, method: string, status: number): Record<string, unknown> {
  const schema = doc.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} documents no JSON body for ${status}`);
  return schema;
}

/** What went over the wire for a service value: JSON drops undefined, nothing else. */
const wire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('the OpenAPI document', () => {
  it('gives every /v1 operation a 2xx response schema and the error body for its failures', () => {
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    // streams 7, identities 8, alerts 5, keys 3, settings 2, session/system/audit 3.
    expect(operations.length).toBeGreaterThanOrEqual(28);
    for (const { path, method, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      const ok = Object.entries(op.responses).filter(([code]) => /^2\d\d$/.test(code));
      expect({ where, ok: ok.length }).toEqual({ where, ok: 1 });
      const [code, response] = ok[0]!;
      if (code !== '204') {
        const schemas = Object.values(response.content ?? {}).map((m) => m.schema);
        expect({ where, schemas: schemas.length > 0 && schemas.every((s) => s !== undefined) }).toEqual({
          where,
          schemas: true,
        });
      }
      for (const failure of ['401', '429', '500']) {
        expect({ where, failure, documented: failure in op.responses }).toEqual({
          where,
          failure,
          documented: true,
        });
      }
      for (const [status, r] of Object.entries(op.responses)) {
        if (/^2/.test(status)) continue;
        expect({ where, status, required: r.content?.['application/json']?.schema?.required }).toEqual({
          where,
          status,
          required: ['error'],
        });
      }
    }
  });

  it('documents /healthz and /readyz (200 and 503) bodies', () => {
    expect(documented('/healthz', 'get', 200)).toMatchObject({ required: ['status'] });
    expect(documented('/readyz', 'get', 503)).toMatchObject({ required: ['status', 'checks'] });
  });
});

describe('bodies against the documented schemas and the services', () => {
  let identityId: string;

  beforeAll(async () => {
    const cam1 = await api.streams.create({ id: 'cam1', url: 'rtsp://user:pw@cam.local/live' });
    // Every optional field set on one stream, none on the other.
    Object.assign(cam1, {
      fps: 4.5,
      latencyMs: { p50: 41, p99: 88.5 },
      lastError: { code: 'ARGUS_E_SOURCE_UNREACHABLE', message: 'gone' },
      lastAlertAt: '2026-01-01T00:00:09.000Z',
      width: 1280,
      height: 720,
    });
    await api.streams.create({ id: 'cam2', url: 'whip:cam2', enabled: false });
    api.alerts.add();
    api.alerts.add({ identity: { id: 'id-2', name: 'Other', watchlists: [] }, similarity: 0.41234567 });
    api.alerts.add({
      hasCrop: true,
      review: {
        status: 'confirmed',
        by: api.keys.operator.id,
        at: '2026-01-02T00:00:00.000Z',
        comment: 'yes',
      },
    });
    for (const similarity of [0.52, 0.55]) {
      api.alerts.add({
        similarity,
        review: { status: 'rejected', by: api.keys.operator.id, at: '2026-01-03T00:00:00.000Z' },
      });
    }
    const enrolled = api.gallery.enrolTemplates(
      {
        name: 'Ada',
        reason: 'case 7',
        enrolledBy: 'jest',
        watchlists: ['vip'],
        metadata: { badge: 7, nested: { list: [1, 'two', null], flag: true } },
      },
      [{ embedding: unitVector(512, seeded(1)), quality: 0.9 }, { embedding: unitVector(512, seeded(2)) }],
    );
    identityId = enrolled.identity.id;
    api.gallery.enrolTemplates({ name: 'Bo', reason: 'case 8', enrolledBy: 'jest' }, [
      { embedding: unitVector(512, seeded(3)) },
    ]);
    api.audit.append({
      actor: 'system',
      action: 'identity.enrol',
      target: identityId,
      reason: 'case 7',
      details: { added: 2, name: 'x', flag: true, none: null },
    });
  });

  // `url` with ":identity" replaced by the enrolled identity's id at run time.
  const cases: Array<{ path: string; url: string; as?: Role; expected: () => unknown }> = [
    {
      path: '/v1/streams',
      url: '/v1/streams',
      as: 'viewer',
      expected: () => ({ streams: api.streams.list() }),
    },
    {
      path: '/v1/streams/{id}',
      url: '/v1/streams/cam1',
      as: 'viewer',
      expected: () => api.streams.get('cam1'),
    },
    {
      path: '/v1/streams/{id}',
      url: '/v1/streams/cam2',
      as: 'viewer',
      expected: () => api.streams.get('cam2'),
    },
    { path: '/v1/alerts', url: '/v1/alerts', as: 'viewer', expected: () => api.alerts.list({}) },
    {
      path: '/v1/alerts',
      url: '/v1/alerts?limit=2',
      as: 'viewer',
      expected: () => api.alerts.list({ limit: 2 }),
    },
    { path: '/v1/alerts/{id}', url: '/v1/alerts/3', as: 'viewer', expected: () => api.alerts.get(3) },
    { path: '/v1/alerts/{id}', url: '/v1/alerts/1', as: 'viewer', expected: () => api.alerts.get(1) },
    {
      path: '/v1/alerts/rejection-patterns',
      url: '/v1/alerts/rejection-patterns',
      as: 'viewer',
      expected: () => ({ patterns: api.alerts.rejectionPatterns() }),
    },
    {
      path: '/v1/identities',
      url: '/v1/identities?limit=1',
      as: 'operator',
      expected: () => api.gallery.list({ limit: 1 }),
    },
    { path: '/v1/identities', url: '/v1/identities', as: 'operator', expected: () => api.gallery.list({}) },
    {
      path: '/v1/identities/{id}',
      url: '/v1/identities/:identity',
      as: 'operator',
      expected: () => api.gallery.get(identityId),
    },
    { path: '/v1/keys', url: '/v1/keys', as: 'admin', expected: () => ({ keys: api.store.list() }) },
    {
      path: '/v1/settings/match',
      url: '/v1/settings/match',
      as: 'operator',
      expected: () => api.settings.get(),
    },
    { path: '/v1/system', url: '/v1/system', as: 'viewer', expected: () => memorySystem.info() },
    {
      path: '/v1/session',
      url: '/v1/session',
      as: 'viewer',
      expected: () => ({ keyId: api.keys.viewer.id, role: 'viewer' }),
    },
    {
      path: '/v1/audit',
      url: '/v1/audit?limit=1',
      as: 'admin',
      expected: () => {
        const entries = api.audit.list({ limit: 1 });
        return { entries, nextBeforeSeq: entries[0]!.seq };
      },
    },
    { path: '/healthz', url: '/healthz', expected: () => ({ status: 'ok' }) },
    { path: '/readyz', url: '/readyz', expected: () => ({ status: 'ready', checks: api.readiness.state }) },
  ];

  it.each(cases.map((c) => [c.url, c] as const))('GET %s', async (_name, c) => {
    const res = await get(c.url.replace(':identity', identityId), c.as);
    expect(res.status).toBe(200);
    const validate = ajv.compile(documented(c.path, 'get', 200));
    const expected = wire(c.expected());
    // The service's value is valid: the schema lists (and allows) every property it has...
    expect({ valid: validate(expected), errors: validate.errors ?? null }).toEqual({
      valid: true,
      errors: null,
    });
    // ...and the body is that value, nothing dropped, renamed or retyped on the way.
    expect(res.body).toStrictEqual(expected);
    expect(validate(res.body)).toBe(true);
  });

  it('answers 503 with the failing check in the documented shape', async () => {
    api.readiness.state.ffmpeg = { ok: false, detail: 'not found' };
    try {
      const res = await get('/readyz');
      expect(res.status).toBe(503);
      const expected = { status: 'not-ready', checks: wire(await api.readiness.checks()) };
      expect(res.body).toStrictEqual(expected);
      expect(ajv.validate(documented('/readyz', 'get', 503), res.body)).toBe(true);
    } finally {
      api.readiness.state.ffmpeg = { ok: true };
    }
  });

  it('fails a schema that misses a property (the check above is not vacuous)', () => {
    const schema = structuredClone(documented('/v1/alerts/{id}', 'get', 200)) as {
      properties: Record<string, unknown>;
      required: string[];
    };
    delete schema.properties.hasCrop;
    schema.required = schema.required.filter((k) => k !== 'hasCrop');
    expect(ajv.validate(schema, wire(api.alerts.get(3)))).toBe(false);
  });

  it('uses the compiled serialiser: a field no schema lists never reaches the client', async () => {
    Object.assign(api.streams.get('cam2'), { secretUrl: 'rtsp://user:pw@hidden' });
    const res = await get('/v1/streams/cam2', 'viewer');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'cam2' });
    expect(res.body).not.toHaveProperty('secretUrl');
    delete (api.streams.get('cam2') as unknown as Record<string, unknown>).secretUrl;
  });

  it('sends error bodies in the documented error shape', async () => {
    const res = await get('/v1/alerts/999', 'viewer');
    expect(res.status).toBe(404);
    expect(ajv.validate(documented('/v1/alerts/{id}', 'get', 404), res.body)).toBe(true);
    expect(res.body).toMatchObject({ error: { code: 'ARGUS_E_NOT_FOUND' } });
  });

  it('answers the write routes with what the service returned', async () => {
    const check = async (
      path: string,
      method: string,
      status: number,
      res: { status: number; body: unknown },
      expected: unknown,
    ) => {
      expect({ path, method, status: res.status }).toEqual({ path, method, status });
      expect(res.body).toStrictEqual(wire(expected));
      expect(ajv.validate(documented(path, method, status), res.body)).toBe(true);
    };
    const created = await send('POST', '/v1/streams', 'operator', { id: 'cam3', url: 'whip:cam3' });
    await check('/v1/streams', 'post', 201, created, api.streams.get('cam3'));
    const patched = await send('PATCH', '/v1/streams/cam3', 'operator', { fps: 2 });
    await check('/v1/streams/{id}', 'patch', 200, patched, api.streams.get('cam3'));
    const stopped = await send('POST', '/v1/streams/cam3/stop', 'operator');
    await check('/v1/streams/{id}/stop', 'post', 200, stopped, api.streams.get('cam3'));
    expect((await send('DELETE', '/v1/streams/cam3', 'operator')).status).toBe(204);

    const reviewed = await send('POST', '/v1/alerts/2/review', 'operator', {
      status: 'rejected',
      comment: 'no',
    });
    await check('/v1/alerts/{id}/review', 'post', 200, reviewed, api.alerts.get(2));

    const settings = await send('PUT', '/v1/settings/match', 'admin', {
      threshold: 0.5,
      margin: 0.1,
      reason: 'x',
    });
    await check('/v1/settings/match', 'put', 200, settings, api.settings.get());

    const key = await send('POST', '/v1/keys', 'admin', { role: 'viewer', label: 'ci' });
    const { id, role, label } = api.store.list().find((k) => k.label === 'ci')!;
    const secret = (key.body as { key?: unknown }).key;
    expect(typeof secret === 'string' && (await api.store.verify(secret))?.id).toBe(id);
    await check('/v1/keys', 'post', 201, key, { id, key: secret, role, label });
    const revoked = await send('DELETE', `/v1/keys/${id}`, 'admin');
    await check('/v1/keys/{id}', 'delete', 200, revoked, { id, revoked: true });
  });
});
