import Fastify, { type FastifyInstance } from 'fastify';
import type { AlertEvent } from '../../../src/alerts/alert-messages';
import { AlertStore } from '../../../src/alerts/alert-store';
import { AlertPageJson } from '../../../src/http/alert-page-json';
import type { HttpDeps } from '../../../src/http/http-deps';
import { alertPage, replies, storedAlert } from '../../../src/http/response-schemas';
import { registerAlertsRoutes } from '../../../src/http/routes/alerts-routes';
import { validatorCompiler } from '../../../src/http/validator';
import type { AlertPage, AlertQuery, AlertService } from '../../../src/serve/service-ports';
import { alertEvent, ALERT_T0 as T0 } from '../../helpers/alert-events';
import { tempDir } from '../../helpers/gallery-fixtures';

/** Strings JSON has to escape, or that a serialiser could take a shortcut on. */
const NAMES = ['Plain', 'Quote " and \\ back', 'Ünïcödé 名前 😀', 'tab\tnew\nline\u0001', '\u2028\u2029', ''];

function tricky(id: number): AlertEvent {
  const name = NAMES[id % NAMES.length]!;
  return alertEvent(id, {
    identity: { id: `id_${id % 4}`, name, watchlists: id % 2 ? [] : [name, 'staff'] },
    similarity: id % 5 === 0 ? 1 : 0.3 + id / 1000,
    margin: id % 7 === 0 ? -0 : 1e-7 * id,
    fmr: id % 3 === 0 ? 1e-21 : 5e-5,
    box: { x: id / 3, y: -1.5, width: 1e21, height: 96 },
  });
}

/**
 * GET /v1/alerts answers its own string, built from per-alert JSON kept between requests; this
 * checks it byte for byte against the response schema's serialiser given the same page, before
 * and after every kind of write, through this store and another connection.
 */
describe('GET /v1/alerts body', () => {
  const tmp = tempDir('alert-page-json');
  let store: AlertStore;
  let other: AlertStore;
  let app: FastifyInstance;
  /** The page the route answered last, so the reference serialises exactly that page. */
  let lastPage: AlertPage | undefined;
  const queries: Array<[string, AlertQuery]> = [
    ['', {}],
    ['limit=3', { limit: 3 }],
    ['limit=500', { limit: 500 }],
    ['streamId=cam1&minSimilarity=0.31', { streamId: 'cam1', minSimilarity: 0.31 }],
    ['identityId=id_2', { identityId: 'id_2' }],
    ['watchlist=staff&limit=7', { watchlist: 'staff', limit: 7 }],
    ['review=confirmed', { review: 'confirmed' }],
    ['minSimilarity=0.99', { minSimilarity: 0.99 }],
    ['identityId=nobody', { identityId: 'nobody' }],
  ];

  beforeAll(async () => {
    store = AlertStore.open(tmp.dir);
    other = AlertStore.open(tmp.dir);
    for (let id = 1; id <= 120; id++) store.insert(tricky(id));
    const service = {
      list: (q: AlertQuery) => {
        lastPage = store.list(q);
        return lastPage;
      },
    } as AlertService;
    app = Fastify();
    app.setValidatorCompiler(validatorCompiler());
    registerAlertsRoutes(app, { alerts: service, audit: { append: () => {} } } as unknown as HttpDeps);
    // The reference: the same page object through the schema's own serialiser.
    app.get(
      '/reference',
      { schema: { response: replies('viewer', { 200: alertPage }) } },
      async () => lastPage,
    );
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    other.close();
    store.close();
    tmp.cleanup();
  });

  async function expectSameBytes(url: string): Promise<string> {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    const ref = await app.inject({ method: 'GET', url: '/reference' });
    expect(res.headers['content-type']).toBe(ref.headers['content-type']);
    expect(res.headers['content-length']).toBe(ref.headers['content-length']);
    expect(res.body).toBe(ref.body);
    return res.body;
  }

  async function expectAllQueries(): Promise<void> {
    // A store opened now has no cache: what the data is.
    const fresh = AlertStore.open(tmp.dir);
    try {
      // Twice: the second time the per-alert and per-page JSON is kept.
      for (let round = 0; round < 2; round++) {
        for (const [qs, q] of queries) {
          const body = await expectSameBytes(`/v1/alerts?${qs}`);
          expect(JSON.parse(body)).toEqual(JSON.parse(JSON.stringify(fresh.list(q))));
        }
      }
    } finally {
      fresh.close();
    }
  }

  it('is what the schema serialiser writes, for every filter, with and without a next page', async () => {
    await expectAllQueries();
    const first = JSON.parse((await app.inject({ method: 'GET', url: '/v1/alerts?limit=3' })).body);
    expect(first.items.map((a: { id: number }) => a.id)).toEqual([120, 119, 118]);
    await expectSameBytes(`/v1/alerts?limit=3&cursor=${first.nextCursor}`);
  });

  it('follows every write, through this store and another connection', async () => {
    const at = new Date(T0).toISOString();
    store.setReview(120, { status: 'confirmed', by: 'k1', comment: 'yes "him" ✓', at });
    await expectAllQueries();
    const { margin, fmr, evidenceCount, quality } = tricky(119);
    const patch = { margin, fmr, evidenceCount, quality, updatedTime: at };
    store.update(119, { ...patch, similarity: 0.999, box: { x: 1, y: 2, width: 3, height: 4 } });
    store.saveCrop(118, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    await expectAllQueries();
    store.insert(tricky(121));
    other.setReview(117, { status: 'rejected', at });
    await expectAllQueries();
    other.update(116, { ...patch, similarity: 0.42, box: { x: 0, y: 0, width: 1, height: 1 } });
    other.insert(tricky(122));
    await expectAllQueries();
    other.purge(new Date(T0 + 365 * 86_400_000 + 60_000), { cropDays: 1, recordDays: 365 });
    await expectAllQueries();
    store.purge(new Date(T0 + 400 * 86_400_000), { cropDays: 1, recordDays: 365 });
    await expectAllQueries();
    expect(JSON.parse((await app.inject({ method: 'GET', url: '/v1/alerts' })).body)).toEqual({ items: [] });
  });

  it('keeps no JSON for objects that could still change', () => {
    const calls: unknown[] = [];
    const json = new AlertPageJson(
      (a) => {
        calls.push(a);
        return JSON.stringify(a);
      },
      (p) => JSON.stringify(p),
    );
    const a = { ...tricky(1), id: 1 } as unknown as AlertPage['items'][number];
    const mutable: AlertPage = { items: [a] };
    json.of(mutable);
    json.of(mutable);
    expect(calls).toHaveLength(2);
    // Frozen (as the store hands them out): serialised once, and the page kept whole.
    for (const id of [200, 201, 202]) store.insert(tricky(id));
    const frozen = store.list({ limit: 2 });
    expect(frozen.items).toHaveLength(2);
    calls.length = 0;
    const body = json.of(frozen);
    expect(json.of(frozen)).toBe(body);
    expect(json.of({ ...frozen, items: [...frozen.items] })).toBe(body);
    expect(calls).toHaveLength(frozen.items.length);
  });

  it('serialises single alerts the way the page schema serialises its items', () => {
    expect(storedAlert).toBe((alertPage.properties as { items: { items: unknown } }).items.items);
  });
});
