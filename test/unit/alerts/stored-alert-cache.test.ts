import { AlertStore } from '../../../src/alerts/alert-store';
import { StoredAlertCache } from '../../../src/alerts/stored-alert-cache';
import type { StoredAlert } from '../../../src/serve/service-ports';
import { alertEvent as event, ALERT_T0 as T0 } from '../../helpers/alert-events';
import { tempDir } from '../../helpers/gallery-fixtures';

function alert(id: number): StoredAlert {
  return {
    id,
    identity: { id: 'x', name: 'x', watchlists: ['a'] },
    box: { x: 0, y: 0, width: 1, height: 1 },
    review: { status: 'pending' },
  } as StoredAlert;
}

describe('StoredAlertCache', () => {
  it('keeps at most maxAlerts, the least recently used out first', () => {
    const cache = new StoredAlertCache(3);
    for (const id of [1, 2, 3]) cache.set(alert(id));
    cache.get(1);
    cache.set(alert(4));
    expect(cache.size).toBe(3);
    expect(cache.get(2)).toBeUndefined();
    expect([1, 3, 4].map((id) => cache.get(id)?.id)).toEqual([1, 3, 4]);
    cache.delete(3);
    expect(cache.get(3)).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('freezes what it shares, all the way down', () => {
    const a = new StoredAlertCache(3).set(alert(1));
    expect(() => {
      (a.review as { status: string }).status = 'confirmed';
    }).toThrow(TypeError);
    expect(() => a.identity.watchlists.push('b')).toThrow(TypeError);
    expect(() => {
      (a.box as { x: number }).x = 5;
    }).toThrow(TypeError);
  });
});

describe('AlertStore.list with its alert cache', () => {
  const tmp = tempDir('stored-alert-cache');
  afterAll(() => tmp.cleanup());
  const at = new Date(T0).toISOString();

  it('shares one object per alert across pages until a write to it', () => {
    const store = AlertStore.open(`${tmp.dir}/shared`);
    try {
      for (let id = 1; id <= 6; id++) store.insert(event(id));
      const a5 = store.list({ limit: 2 }).items[1]!;
      expect(a5.id).toBe(5);
      // Another page (another filter): the same object, not a re-read row.
      expect(store.list({ minSimilarity: 0.5 }).items[1]).toBe(a5);
      store.setReview(5, { status: 'rejected', by: 'k1', comment: 'not him', at });
      const after = store.list({ minSimilarity: 0.51 }).items[1]!;
      expect(after).not.toBe(a5);
      expect(after.review).toEqual({ status: 'rejected', by: 'k1', comment: 'not him', at });
      expect(a5.review).toEqual({ status: 'pending' });
      // The others are still shared.
      expect(store.list({ minSimilarity: 0.52 }).items[0]).toBe(store.list({ limit: 1 }).items[0]);
    } finally {
      store.close();
    }
  });

  it('never answers an alert as it was before a write, under any filter', () => {
    const store = AlertStore.open(`${tmp.dir}/writes`);
    const other = AlertStore.open(`${tmp.dir}/writes`);
    let q = 0;
    // A filter no page was answered for yet, so only the alert cache could answer.
    const fresh = () => store.list({ minSimilarity: 0.3 + ++q / 1e6 });
    const item = (id: number) => fresh().items.find((a) => a.id === id);
    try {
      for (let id = 1; id <= 6; id++) store.insert(event(id));
      fresh();

      const { margin, fmr, evidenceCount, box, quality } = event(6);
      const updatedTime = new Date(T0 + 9000).toISOString();
      store.update(6, { similarity: 0.9, margin, fmr, evidenceCount, box, quality, updatedTime });
      expect(item(6)?.similarity).toBe(0.9);
      store.saveCrop(6, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
      expect(item(6)?.hasCrop).toBe(true);
      store.setReview(5, { status: 'confirmed', at });
      expect(item(5)?.review.status).toBe('confirmed');

      // Another connection's commits: the data version moves.
      other.setReview(4, { status: 'rejected', at });
      expect(item(4)?.review.status).toBe('rejected');
      other.update(3, { similarity: 0.95, margin, fmr, evidenceCount, box, quality, updatedTime });
      expect(item(3)?.similarity).toBe(0.95);
      other.purge(new Date(T0 + 400 * 86_400_000), { cropDays: 1, recordDays: 365 });
      expect(fresh().items).toEqual([]);

      // A deleted id recorded again (records are purged, ids come back after a restore).
      other.insert(event(2, { identity: { id: 'id_9', name: 'Back', watchlists: [] } }));
      expect(item(2)?.identity.name).toBe('Back');
      store.purge(new Date(T0 + 400 * 86_400_000), { cropDays: 1, recordDays: 365 });
      store.insert(event(2));
      expect(item(2)?.identity.name).toBe('Person 2');
    } finally {
      other.close();
      store.close();
    }
  });
});
