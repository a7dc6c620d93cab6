import { WatchlistLabels } from '../../../src/gallery/watchlist-labels';

describe('WatchlistLabels (cache of watchlist -> template labels)', () => {
  it('queries once per watchlist set and database generation, in any order of names', () => {
    const calls: string[][] = [];
    const cache = new WatchlistLabels((names) => {
      calls.push([...names]);
      return new Set(names.map((n) => n.length));
    });
    expect([...cache.labels(['vip', 'staff'], 1)].sort()).toEqual([3, 5]);
    cache.labels(['staff', 'vip', 'vip'], 1);
    expect(calls).toHaveLength(1);
    cache.labels(['vip', 'staff'], 2);
    expect(calls).toHaveLength(2);
    cache.clear();
    cache.labels(['vip', 'staff'], 2);
    expect(calls).toHaveLength(3);
  });

  it('stays bounded', () => {
    let n = 0;
    const cache = new WatchlistLabels(() => new Set([n++]), 4);
    for (let i = 0; i < 10; i++) cache.labels([`list${i}`], 1);
    // The 4th distinct set after a clear evicts everything; a repeat of an evicted one queries again.
    const before = n;
    cache.labels(['list0'], 1);
    expect(n).toBe(before + 1);
  });
});
