import type { InjectOptions } from 'fastify';
import { ERROR_CATALOGUE } from '../../../src/errors/error-catalogue';
import { mulberry32 } from '../../../src/util/mulberry32';
import { startTestApi, type TestApi } from './http-test-kit';

/**
 * A few hundred malformed requests from a seeded PRNG (reproducible: the seed is in each
 * failure's message). Each has at least one defect by construction (bad key, unknown path or
 * method, bad id, bad query, bad body or content type), plus random noise; each must be answered
 * with a 4xx `{"error":{"code","message"}}` carrying a catalogued code, never a 5xx or a hang,
 * and the server must stay healthy.
 */
const SEED = 0x5eed_2026;
const COUNT = 400;

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const junk = (r: Rand, n: number) =>
  Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(r() * 95))).join('');

const BODY_ROUTES = [
  ['POST', '/v1/streams', 'operator'],
  ['PATCH', '/v1/streams/cam1', 'operator'],
  ['POST', '/v1/alerts/1/review', 'operator'],
  ['POST', '/v1/keys', 'admin'],
  ['PUT', '/v1/settings/match', 'admin'],
] as const;
const MULTIPART_ROUTES = ['/v1/identities', '/v1/identities/search', '/v1/identities/x/images'] as const;
const ANY_ROUTES = [
  ['GET', '/v1/streams'],
  ['GET', '/v1/alerts'],
  ['GET', '/v1/identities'],
  ['GET', '/v1/keys'],
  ['GET', '/v1/audit'],
  ['GET', '/v1/session'],
  ['DELETE', '/v1/streams/cam1'],
  ['POST', '/v1/streams/cam1/start'],
  ['GET', '/metrics'],
] as const;
const ID_ROUTES = [
  ['GET', '/v1/streams/ID'],
  ['GET', '/v1/alerts/ID'],
  ['GET', '/v1/alerts/ID/crop'],
  ['GET', '/v1/identities/ID'],
  ['DELETE', '/v1/keys/ID'],
  ['DELETE', '/v1/identities/ID/templates/ID?reason=x'],
] as const;
const QUERY_ROUTES = ['/v1/alerts', '/v1/identities', '/v1/audit'] as const;
const BAD_IDS = [
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  'x'.repeat(150),
  '-1',
  '1e999',
  '%F0%9F%92%A9',
  '__proto__',
  'a b',
];
const BAD_QUERIES = [
  'limit=-5',
  'limit=1e400',
  'limit=99999999999999999999999',
  'cursor=%00%00',
  '__proto__[admin]=1',
  'constructor[prototype][x]=1',
  'review=maybe',
  'minSimilarity=NaN',
  'since=not-a-date',
  'action=everything',
  'beforeSeq=0',
  'limit=1&limit=2&limit=x',
];
const BAD_BODIES: Array<(r: Rand) => string> = [
  () => '{"id": "cam1", "url": ',
  () => '{"__proto__": {"isAdmin": true}, "role": "admin"}',
  () => '{"constructor": {"prototype": {"x": 1}}}',
  () => '{"threshold": 1e400, "margin": 0, "reason": "x"}',
  () => '{"threshold": 123456789012345678901234567890, "margin": -0, "reason": "x"}',
  () => `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
  () => `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
  () => 'null',
  () => '"just a string"',
  () => '[1, 2, 3]',
  () => '{"status": ["confirmed"], "role": {"$gt": ""}, "id": 42, "url": false}',
  (r) => junk(r, 1 + Math.floor(r() * 200)),
  () => `{"id": "cam1", "url": "${'x'.repeat(1_100_000)}"}`,
  () => '\u0000\u0001\u0002',
  () => '{"status": "confirmed", "comment": "ok", "extra": 1}',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'application/json; charset=utf-16',
  'image/jpeg',
  'garbage/////',
];

function authHeader(r: Rand, api: TestApi, role: 'admin' | 'operator' | 'viewer'): string | undefined {
  return r() < 0.9 ? `Bearer ${api.keys[role].key}` : pick(r, [`Bearer ${api.keys.admin.key}`, undefined]);
}

/** One malformed request; `defect` names what makes it so (for failure messages). */
function makeRequest(r: Rand, api: TestApi): { req: InjectOptions; defect: string } {
  const headers: Record<string, string> = {};
  if (r() < 0.3) headers[`x-${junk(r, 5).replace(/[^a-z]/gi, 'q')}`] = junk(r, 20).replace(/[\r\n]/g, '');
  const kind = Math.floor(r() * 7);
  switch (kind) {
    case 0: {
      const [method, url] = pick(r, ANY_ROUTES);
      const bad = pick(r, [
        undefined,
        'Bearer',
        'Bearer nope',
        `Basic ${junk(r, 10)}`,
        `Bearer argus_${'0'.repeat(16)}_${'x'.repeat(43)}`,
      ]);
      if (bad !== undefined) headers.authorization = bad;
      return { req: { method, url, headers }, defect: `auth ${bad}` };
    }
    case 1: {
      const url = pick(r, [
        '/v1/',
        '/v1/streamz',
        '/v1/streams/a/b/c',
        `/${junk(r, 8).replace(/[?#%]/g, 'x')}`,
        '/v1/alerts/1/crop/x',
      ]);
      headers.authorization = `Bearer ${api.keys.admin.key}`;
      return {
        req: { method: pick(r, ['GET', 'POST', 'DELETE', 'PUT']), url: encodeURI(url), headers },
        defect: 'path',
      };
    }
    case 2: {
      const [method, url] = pick(r, [
        ['PUT', '/v1/streams'],
        ['POST', '/v1/session'],
        ['DELETE', '/v1/alerts'],
        ['PATCH', '/v1/keys'],
        ['OPTIONS', '/v1/streams'],
      ] as const);
      headers.authorization = `Bearer ${api.keys.admin.key}`;
      return { req: { method, url, headers }, defect: 'method' };
    }
    case 3: {
      const [method, pattern] = pick(r, ID_ROUTES);
      headers.authorization = `Bearer ${api.keys.admin.key}`;
      const url = pattern.replace(/ID/g, () => pick(r, BAD_IDS));
      return { req: { method, url, headers }, defect: `id ${url}` };
    }
    case 4: {
      headers.authorization = authHeader(r, api, 'admin') ?? '';
      const q = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, BAD_QUERIES)).join('&');
      return { req: { method: 'GET', url: `${pick(r, QUERY_ROUTES)}?${q}`, headers }, defect: `query ${q}` };
    }
    case 5: {
      const [method, url, role] = pick(r, BODY_ROUTES);
      const auth = authHeader(r, api, role);
      if (auth) headers.authorization = auth;
      headers['content-type'] = r() < 0.6 ? 'application/json' : pick(r, CONTENT_TYPES);
      const payload = pick(r, BAD_BODIES)(r);
      return { req: { method, url, headers, payload }, defect: `body ${payload.slice(0, 40)}` };
    }
    default: {
      headers.authorization = `Bearer ${api.keys.admin.key}`;
      const boundary = pick(r, ['b', '', '----x', junk(r, 10).replace(/[";\s]/g, 'z')]);
      headers['content-type'] = pick(r, [`multipart/form-data; boundary=${boundary}`, ...CONTENT_TYPES]);
      const payload = pick(r, [
        `--${boundary}\r\nContent-Disposition: form-data; name="images"; filename="a.jpg"\r\n\r\nnot an image`,
        `--${boundary}\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\nx\r\n--${boundary}--\r\n`,
        `--${boundary}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${boundary}--\r\n`,
        junk(r, 300),
        '',
      ]);
      return {
        req: { method: 'POST', url: pick(r, MULTIPART_ROUTES), headers, payload },
        defect: `multipart ${payload.slice(0, 40)}`,
      };
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

describe('HTTP API fuzz', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it(`answers ${COUNT} malformed requests (seed ${SEED}) with 4xx JSON errors and stays healthy`, async () => {
    const r = mulberry32(SEED);
    const statuses = new Map<number, number>();
    for (let i = 0; i < COUNT; i++) {
      const { req, defect } = makeRequest(r, api);
      const what = `#${i} ${req.method} ${String(req.url).slice(0, 80)} (${defect.slice(0, 60)})`;
      const res = await withTimeout(api.app.inject(req), 15_000, what);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      let body: { error?: { code?: string; message?: string } } = {};
      try {
        body = JSON.parse(res.body);
      } catch {
        // checked below
      }
      const ok =
        res.statusCode >= 400 &&
        res.statusCode < 500 &&
        String(res.headers['content-type']).startsWith('application/json') &&
        typeof body.error?.code === 'string' &&
        body.error.code in ERROR_CATALOGUE &&
        typeof body.error.message === 'string';
      if (!ok) throw new Error(`${what} -> ${res.statusCode} ${res.body.slice(0, 300)}`);
    }
    // The mix reached every kind of refusal, not only 401s.
    for (const status of [400, 401, 404, 413, 415]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect((await api.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const session = await api.call({ as: 'viewer', method: 'GET', url: '/v1/session' });
    expect(session.statusCode).toBe(200);
    expect(api.store.list()).toHaveLength(3);
    expect(api.streams.list()).toEqual([]);
  }, 300_000);
});
