import { AlertPageCache } from '../../../src/alerts/alert-page-cache';
import { AlertStore } from '../../../src/alerts/alert-store';
import type { AlertPage, StoredAlert } from '../../../src/serve/service-ports';
import { alertEvent as event, ALERT_T0 as T0 } from '../../helpers/alert-events';
import { tempDir } from '../../helpers/gallery-fixtures';

function page(ids: number[]): AlertPage {
  return {
    items: ids.map(
      (id) =>
        ({
          id,
          identity: { id: 'x', name: 'x', watchlists: ['a'] },
          box: { x: 0, y: 0, width: 1, height: 1 },
          review: { status: 'pending' },
        }) as StoredAlert,
    ),
  };
}

describe('AlertPageCache', () => {
  it('answers a page until it is cleared', () => {
    const cache = new AlertPageCache(100);
    expect(cache.get('a')).toBeUndefined();
    const p = cache.set('a', page([1, 2]));
    expect(cache.get('a')).toBe(p);
    cache.set('a', page([1]));
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
  });

  it('holds at most maxItems alerts, dropping the oldest page first', () => {
    const cache = new AlertPageCache(5);
    cache.set('a', page([1, 2]));
    cache.set('b', page([3, 4]));
    cache.set('c', page([5, 6]));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')?.items).toHaveLength(2);
    expect(cache.get('c')?.items).toHaveLength(2);
    // A page larger than the bound is answered but not kept.
    cache.set('big', page([1, 2, 3, 4, 5, 6]));
    expect(cache.get('big')).toBeUndefined();
  });

  it('freezes what it shares', () => {
    const cache = new AlertPageCache(10);
    const p = cache.set('a', page([1]));
    const a = p.items[0]!;
    expect(() => {
      (a.review as { status: string }).status = 'confirmed';
    }).toThrow(TypeError);
    expect(() => a.identity.watchlists.push('b')).toThrow(TypeError);
    expect(() => (p.items as StoredAlert[]).pop()).toThrow(TypeError);
  });
});

describe('AlertStore.list with its page cache', () => {
  const tmp = tempDir('alert-page-cache');
  afterAll(() => tmp.cleanup());

  it('sees its own writes and those of another connection at once', () => {
    const store = AlertStore.open(tmp.dir);
    const other = AlertStore.open(tmp.dir);
    try {
      for (let id = 1; id <= 5; id++) store.insert(event(id));
      const first = store.list({ limit: 3 });
      expect(store.list({ limit: 3 })).toBe(first);
      expect(first.items.map((a) => a.id)).toEqual([5, 4, 3]);

      store.setReview(5, { status: 'confirmed', by: 'k1', at: new Date(T0).toISOString() });
      expect(store.list({ limit: 3 }).items[0]!.review).toEqual({
        status: 'confirmed',
        by: 'k1',
        at: new Date(T0).toISOString(),
      });

      other.setReview(4, { status: 'rejected', at: new Date(T0).toISOString() });
      other.insert(event(6));
      expect(store.list({ limit: 3 }).items.map((a) => [a.id, a.review.status])).toEqual([
        [6, 'pending'],
        [5, 'confirmed'],
        [4, 'rejected'],
      ]);

      const { margin, fmr, evidenceCount, box, quality } = event(6);
      const updatedTime = new Date(T0 + 9000).toISOString();
      store.update(6, { similarity: 0.9, margin, fmr, evidenceCount, box, quality, updatedTime });
      expect(store.list({ limit: 1 }).items[0]!.similarity).toBe(0.9);
      store.saveCrop(6, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
      expect(store.list({ limit: 1 }).items[0]!.hasCrop).toBe(true);
      other.purge(new Date(T0 + 400 * 86_400_000), { cropDays: 1, recordDays: 365 });
      expect(store.list({}).items).toEqual([]);
    } finally {
      other.close();
      store.close();
    }
  });

  it('keeps filtered pages apart', () => {
    const dir = `${tmp.dir}/filters`;
    const store = AlertStore.open(dir);
    try {
      for (let id = 1; id <= 4; id++) store.insert({ ...event(id), streamId: id % 2 ? 'cam1' : 'cam2' });
      expect(store.list({ streamId: 'cam1' }).items.map((a) => a.id)).toEqual([3, 1]);
      expect(store.list({ streamId: 'cam2' }).items.map((a) => a.id)).toEqual([4, 2]);
      expect(store.list({ identityId: 'cam1' }).items).toEqual([]);
      expect(store.list({}).items.map((a) => a.id)).toEqual([4, 3, 2, 1]);
    } finally {
      store.close();
    }
  });
});
