import { findRejectionPatterns, type RejectedAlert } from '../../../src/alerts/rejection-patterns';

const who = (id: string, name = id) => ({ id, name, watchlists: ['w'] });
const rej = (id: string, similarity: number, at: string, name?: string): RejectedAlert => ({
  identity: who(id, name),
  similarity,
  rejectedAt: at,
});

describe('findRejectionPatterns', () => {
  it('reports an identity rejected 3 times within a 0.05 similarity window', () => {
    const p = findRejectionPatterns([
      rej('a', 0.61, '2026-01-01T00:00:01Z'),
      rej('a', 0.63, '2026-01-01T00:00:03Z'),
      rej('a', 0.65, '2026-01-01T00:00:02Z'),
    ]);
    expect(p).toEqual([
      {
        identity: who('a'),
        rejections: 3,
        minSimilarity: 0.61,
        maxSimilarity: 0.65,
        lastRejectedAt: '2026-01-01T00:00:03Z',
      },
    ]);
  });

  it('ignores rejections spread wider than the window and identities under the minimum', () => {
    expect(
      findRejectionPatterns([
        rej('a', 0.5, 't1'),
        rej('a', 0.6, 't2'),
        rej('a', 0.7, 't3'),
        rej('b', 0.6, 't1'),
        rej('b', 0.61, 't2'),
      ]),
    ).toEqual([]);
  });

  it('finds the largest cluster among scattered scores and counts only it', () => {
    const p = findRejectionPatterns(
      [0.4, 0.7, 0.71, 0.72, 0.74, 0.9].map((s, i) => rej('a', s, `t${i}`)),
      3,
      0.05,
    );
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({
      rejections: 4,
      minSimilarity: 0.7,
      maxSimilarity: 0.74,
      lastRejectedAt: 't4',
    });
  });

  it('keeps the window inclusive, honours custom bounds, and sorts by rejections', () => {
    const rows = [
      rej('a', 0.6, 't1'),
      rej('a', 0.65, 't2'),
      rej('b', 0.8, 't3'),
      rej('b', 0.8, 't4'),
      rej('b', 0.81, 't5'),
    ];
    expect(findRejectionPatterns(rows, 2, 0.05).map((p) => [p.identity.id, p.rejections])).toEqual([
      ['b', 3],
      ['a', 2],
    ]);
    expect(findRejectionPatterns(rows, 2, 0.01).map((p) => p.identity.id)).toEqual(['b']);
  });

  it('shows the newest name of a renamed identity', () => {
    const p = findRejectionPatterns([
      rej('a', 0.6, '2026-01-01', 'Old'),
      rej('a', 0.6, '2026-03-01', 'New'),
      rej('a', 0.6, '2026-02-01', 'Old'),
    ]);
    expect(p[0]!.identity.name).toBe('New');
  });
});
