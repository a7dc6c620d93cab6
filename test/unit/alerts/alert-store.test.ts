import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AlertStore, alertStorePaths } from '../../../src/alerts/alert-store';
import { isArgusError } from '../../../src/errors/argus-error';
import { alertEvent as event, ALERT_T0 as T0 } from '../../helpers/alert-events';
import { tempDir } from '../../helpers/gallery-fixtures';

const tmp = tempDir('alert-store');
afterAll(() => tmp.cleanup());
let n = 0;
const DAY = 86_400_000;
function openStore(): { dir: string; store: AlertStore } {
  const dir = path.join(tmp.dir, `d${++n}`);
  return { dir, store: AlertStore.open(dir) };
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isArgusError(err) ? err.code : `not an ArgusError: ${String(err)}`;
  }
  return undefined;
}

describe('AlertStore records', () => {
  const { store } = openStore();
  afterAll(() => store.close());
  beforeAll(() => {
    for (let id = 1; id <= 30; id++) store.insert(event(id));
  });

  it('insert returns the stored alert, review pending, no crop, no crop data kept', () => {
    const s = store.insert(event(31, { crop: { jpegBase64: 'AAAA' } }));
    expect(s).toEqual({
      id: 31,
      streamId: 'cam1',
      trackId: '131',
      identity: { id: 'id_1', name: 'Person 1', watchlists: ['staff'] },
      similarity: 0.81,
      margin: 0.1,
      fmr: 1e-5,
      evidenceCount: 2,
      box: { x: 10, y: 20, width: 30, height: 40 },
      quality: 0.8,
      modelId: 'arcface-r100',
      captureTime: new Date(T0 + 31_000).toISOString(),
      emitTime: new Date(T0 + 31_000).toISOString(),
      updatedTime: new Date(T0 + 31_000).toISOString(),
      hasCrop: false,
      review: { status: 'pending' },
    });
    expect(store.get(31)).toEqual(s);
    expect(code(() => store.insert(event(31)))).toBe('ARGUS_E_CONFLICT');
  });

  it('update applies an alert-update and keeps the high-water event id', () => {
    const u = store.update(5, {
      similarity: 0.9,
      margin: 0.3,
      fmr: 1e-7,
      evidenceCount: 5,
      box: { x: 1, y: 2, width: 3, height: 4 },
      quality: 0.95,
      updatedTime: '2026-06-01T13:00:00.000Z',
      eventId: 40,
    });
    expect(u).toMatchObject({
      id: 5,
      similarity: 0.9,
      evidenceCount: 5,
      updatedTime: '2026-06-01T13:00:00.000Z',
    });
    expect(u.box).toEqual({ x: 1, y: 2, width: 3, height: 4 });
    expect(store.maxEventId()).toBe(40);
    expect(code(() => store.update(999, { ...u, updatedTime: u.updatedTime }))).toBe('ARGUS_E_NOT_FOUND');
  });

  it('get of an unknown id is ARGUS_E_NOT_FOUND naming the alert', () => {
    let caught: unknown;
    try {
      store.get(12345);
    } catch (err) {
      caught = err;
    }
    expect(isArgusError(caught, 'ARGUS_E_NOT_FOUND')).toBe(true);
    expect((caught as Error).message).toBe('No alert with id "12345"');
  });

  it('lists newest first and pages with an opaque cursor until the end', () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = store.list({ limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 31 }, (_, i) => 31 - i));
    expect(pages).toBe(5);
    expect(store.list({}).items).toHaveLength(31);
    expect(store.list({ limit: 31 }).nextCursor).toBeUndefined();
  });

  it('filters by stream, identity, watchlist, review, time range and similarity (combined with paging)', () => {
    const ids = (q: Parameters<AlertStore['list']>[0]) =>
      store.list({ limit: 500, ...q }).items.map((a) => a.id);
    expect(ids({ streamId: 'cam2' })).toEqual([30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2]);
    expect(ids({ identityId: 'id_0' })).toEqual([30, 27, 24, 21, 18, 15, 12, 9, 6, 3]);
    expect(ids({ watchlist: 'vip' })).toEqual(ids({ identityId: 'id_0' }));
    expect(ids({ watchlist: 'staff' })).toHaveLength(31);
    expect(ids({ watchlist: 'nobody' })).toEqual([]);
    expect(
      ids({ since: new Date(T0 + 10_000).toISOString(), until: new Date(T0 + 12_000).toISOString() }),
    ).toEqual([12, 11, 10]);
    expect(ids({ minSimilarity: 0.785 })).toEqual([31, 30, 29, 5]);
    expect(ids({ streamId: 'cam1', identityId: 'id_0', minSimilarity: 0.7 })).toEqual([27, 21]);
    const first = store.list({ identityId: 'id_0', limit: 4 });
    const second = store.list({ identityId: 'id_0', limit: 4, cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map((a) => a.id)).toEqual([30, 27, 24, 21, 18, 15, 12, 9]);
  });

  it.each([
    ['a cursor it did not issue', { cursor: 'bm9wZQ' }],
    ['a cursor of garbage', { cursor: '!!!' }],
    ['a forged numeric cursor', { cursor: '5' }],
    ['limit 0', { limit: 0 }],
    ['limit 501', { limit: 501 }],
    ['limit 2.5', { limit: 2.5 }],
    ['a bad since', { since: 'yesterday' }],
    ['a bad review status', { review: 'maybe' }],
  ])('refuses %s with ARGUS_E_HTTP_BAD_REQUEST', (_n, q) => {
    expect(code(() => store.list(q as Parameters<AlertStore['list']>[0]))).toBe('ARGUS_E_HTTP_BAD_REQUEST');
  });

  it('setReview records the verdict (newest wins) and counts() follows', () => {
    expect(store.counts()).toEqual({ total: 31, pending: 31 });
    const r = store.setReview(7, {
      status: 'rejected',
      by: 'k1',
      at: '2026-06-02T00:00:00Z',
      comment: 'not him',
    });
    expect(r.review).toEqual({
      status: 'rejected',
      by: 'k1',
      at: '2026-06-02T00:00:00Z',
      comment: 'not him',
    });
    expect(store.setReview(7, { status: 'confirmed', by: 'k2', at: '2026-06-02T01:00:00Z' }).review).toEqual({
      status: 'confirmed',
      by: 'k2',
      at: '2026-06-02T01:00:00Z',
    });
    expect(store.list({ review: 'confirmed' }).items.map((a) => a.id)).toEqual([7]);
    expect(store.counts()).toEqual({ total: 31, pending: 30 });
    expect(code(() => store.setReview(999, { status: 'confirmed', at: 'x' }))).toBe('ARGUS_E_NOT_FOUND');
  });

  it('rejectionPatterns surfaces an identity rejected 3 times at similar scores', () => {
    // id_2 alerts: 2, 5, 8, 11, ... similarities 0.52, 0.9 (updated), 0.58, 0.61...
    for (const id of [8, 11, 14])
      store.setReview(id, {
        status: 'rejected',
        by: 'k',
        at: `2026-06-03T00:00:${String(id).padStart(2, '0')}Z`,
      });
    store.setReview(2, { status: 'rejected', by: 'k', at: '2026-06-03T00:01:00Z' });
    // Similarities 0.58, 0.61, 0.64 (and 0.52): three within 0.065, never three within 0.05.
    expect(store.rejectionPatterns()).toEqual([]);
    const p = store.rejectionPatterns(3, 0.065);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({
      identity: { id: 'id_2', name: 'Person 2', watchlists: ['staff'] },
      rejections: 3,
      lastRejectedAt: '2026-06-03T00:00:14Z',
    });
    expect(p[0]!.minSimilarity).toBeCloseTo(0.58, 9);
    expect(p[0]!.maxSimilarity).toBeCloseTo(0.64, 9);
    expect(store.rejectionPatterns(5, 0.065)).toEqual([]);
  });
});

describe('AlertStore crops and retention', () => {
  const jpeg = (tag: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(100, tag)]);

  it('saveCrop writes <dataDir>/alerts/crops/<id>.jpg 0600 in a 0700 dir, atomically replacing', () => {
    const { dir, store } = openStore();
    try {
      store.insert(event(1));
      expect(store.cropFile(1)).toBeUndefined();
      store.saveCrop(1, jpeg(1));
      const file = store.cropFile(1)!;
      expect(file).toBe(path.join(alertStorePaths(dir).crops, '1.jpg'));
      expect(readFileSync(file)).toEqual(jpeg(1));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      store.saveCrop(1, jpeg(2));
      expect(readFileSync(file)).toEqual(jpeg(2));
      expect(readdirSync(path.dirname(file))).toEqual(['1.jpg']);
      expect(store.get(1).hasCrop).toBe(true);
      expect(code(() => store.saveCrop(77, jpeg(3)))).toBe('ARGUS_E_NOT_FOUND');
      expect(existsSync(path.join(path.dirname(file), '77.jpg'))).toBe(false);
    } finally {
      store.close();
    }
  });

  it('stageCrop writes a 0600 temp file off the event loop; commitCrop renames it into place', async () => {
    const { dir, store } = openStore();
    try {
      store.insert(event(1));
      const crops = alertStorePaths(dir).crops;
      const staged = await store.stageCrop(jpeg(5));
      expect(path.dirname(staged)).toBe(crops);
      expect(statSync(staged).mode & 0o777).toBe(0o600);
      expect(store.cropFile(1)).toBeUndefined(); // staged is not yet the alert's
      store.commitCrop(1, staged);
      expect(readFileSync(store.cropFile(1)!)).toEqual(jpeg(5));
      expect(readdirSync(crops)).toEqual(['1.jpg']);
      expect(store.get(1).hasCrop).toBe(true);
      // An unknown alert: not found, and the staged file does not linger.
      const orphan = await store.stageCrop(jpeg(6));
      expect(code(() => store.commitCrop(77, orphan))).toBe('ARGUS_E_NOT_FOUND');
      expect(readdirSync(crops)).toEqual(['1.jpg']);
    } finally {
      store.close();
    }
  });

  it('purge: crops older than cropDays go (record stays), records older than recordDays go with crops', () => {
    const { dir, store } = openStore();
    try {
      // Alerts captured at T0 + id s; `now` is chosen relative to them to test the boundaries.
      for (let id = 1; id <= 4; id++) {
        store.insert(event(id));
        store.saveCrop(id, jpeg(id));
      }
      const crops = alertStorePaths(dir).crops;
      const capture = (id: number) => T0 + id * 1000;
      // Exactly 7 days after alert 2's capture: alert 1 is older than 7 days, alert 2 is not.
      expect(store.purge(new Date(capture(2) + 7 * DAY), { cropDays: 7, recordDays: 30 })).toEqual({
        crops: 1,
        records: 0,
      });
      expect(store.get(1).hasCrop).toBe(false);
      expect(store.cropFile(1)).toBeUndefined();
      expect(existsSync(path.join(crops, '1.jpg'))).toBe(false);
      expect(store.get(2).hasCrop).toBe(true);
      // Idempotent.
      expect(store.purge(new Date(capture(2) + 7 * DAY), { cropDays: 7, recordDays: 30 })).toEqual({
        crops: 0,
        records: 0,
      });
      // 30 days + 1 ms after alert 3's capture: records 1..3 go; 2 and 3 still had crops.
      expect(store.purge(new Date(capture(3) + 30 * DAY + 1), { cropDays: 365, recordDays: 30 })).toEqual({
        crops: 2,
        records: 3,
      });
      expect(store.list({}).items.map((a) => a.id)).toEqual([4]);
      expect(readdirSync(crops)).toEqual(['4.jpg']);
      expect(store.counts()).toEqual({ total: 1, pending: 1 });
      // Ids keep growing after the records are gone.
      expect(store.maxEventId()).toBe(4);
    } finally {
      store.close();
    }
  });

  it('purge removes crop files no record accounts for (orphans, stale temp files)', () => {
    const { dir, store } = openStore();
    try {
      store.insert(event(1));
      store.saveCrop(1, jpeg(1));
      const crops = alertStorePaths(dir).crops;
      writeFileSync(path.join(crops, '99.jpg'), jpeg(9));
      expect(store.purge(new Date(T0), { cropDays: 7, recordDays: 30 })).toEqual({ crops: 1, records: 0 });
      expect(readdirSync(crops)).toEqual(['1.jpg']);
    } finally {
      store.close();
    }
  });

  it('keeps secure_delete on, so deleted records are overwritten on disk', () => {
    const { dir, store } = openStore();
    const marker = 'Zzyzx-Unique-Name-For-Erasure';
    store.insert(event(1, { identity: { id: 'id_x', name: marker, watchlists: [] } }));
    store.purge(new Date(T0 + 40 * DAY), { cropDays: 7, recordDays: 30 });
    store.close();
    // Closing the last connection checkpoints the WAL into the db file: the page that held the
    // record must not keep its bytes (it would without secure_delete).
    const db = alertStorePaths(dir).db;
    expect(existsSync(`${db}-wal`)).toBe(false);
    expect(readFileSync(db).includes(Buffer.from(marker))).toBe(false);
  });

  it('a corrupt alerts.db is ARGUS_E_ALERT_STORE_CORRUPT naming the file', () => {
    const { dir, store } = openStore();
    store.close();
    const db = alertStorePaths(dir).db;
    writeFileSync(db, Buffer.alloc(8192, 0x42));
    for (const s of ['-wal', '-shm']) if (existsSync(`${db}${s}`)) writeFileSync(`${db}${s}`, '');
    let caught: unknown;
    try {
      AlertStore.open(dir).close();
    } catch (err) {
      caught = err;
    }
    expect(isArgusError(caught, 'ARGUS_E_ALERT_STORE_CORRUPT')).toBe(true);
    expect((caught as Error).message).toContain(db);
  });

  it('maxEventId survives a restart', () => {
    const { dir, store } = openStore();
    store.insert(event(12));
    store.close();
    const again = AlertStore.open(dir);
    try {
      expect(again.maxEventId()).toBe(12);
    } finally {
      again.close();
    }
  });
});
