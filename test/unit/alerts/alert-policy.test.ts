import { AlertPolicy, type IdentityScore, type MatchObservation } from '../../../src/alerts/alert-policy';

let clock = 0;
function obs(trackId: number, candidates: IdentityScore[], quality = 0.6, x = 0): MatchObservation {
  clock += 100;
  return { trackId, timeMs: clock, quality, box: { x, y: 0, w: 50, h: 50 }, candidates };
}
const hit = (identityId: string, similarity: number, margin = 0.2): IdentityScore => ({
  identityId,
  similarity,
  margin,
});

describe('AlertPolicy', () => {
  beforeEach(() => {
    clock = 0;
  });

  it('alerts when 2 of the last 3 embeddings match, not on the first', () => {
    const p = new AlertPolicy();
    expect(p.observe(obs(1, [hit('alice', 0.5)]))).toEqual([]);
    expect(p.observe(obs(1, []))).toEqual([]);
    const out = p.observe(obs(1, [hit('alice', 0.45)]));
    expect(out).toEqual([
      {
        type: 'alert',
        trackId: 1,
        identityId: 'alice',
        similarity: 0.5,
        margin: 0.2,
        evidenceCount: 2,
        evidenceWindow: 3,
        trigger: 'k-of-n',
        bestQuality: 0.6,
        bestBox: { x: 0, y: 0, w: 50, h: 50 },
        bestTimeMs: 100,
        timeMs: 300,
        review: 'pending',
      },
    ]);
  });

  it('does not alert when the matches fall outside the window', () => {
    const p = new AlertPolicy({ k: 2, n: 3 });
    p.observe(obs(1, [hit('alice', 0.5)]));
    p.observe(obs(1, []));
    p.observe(obs(1, []));
    expect(p.observe(obs(1, [hit('alice', 0.5)]))).toEqual([]);
  });

  it('needs both the threshold and the margin for a match', () => {
    const p = new AlertPolicy({ threshold: 0.4, margin: 0.05 });
    p.observe(obs(1, [hit('alice', 0.39)]));
    expect(p.observe(obs(1, [hit('alice', 0.39)]))).toEqual([]);
    p.observe(obs(2, [hit('bob', 0.6, 0.01)]));
    expect(p.observe(obs(2, [hit('bob', 0.6, 0.01)]))).toEqual([]);
    // Exactly at the boundaries (float rounding included) is a match.
    p.observe(obs(3, [hit('carol', 0.4, 0.45 - 0.4)]));
    expect(p.observe(obs(3, [hit('carol', 0.4, 0.45 - 0.4)]))).toHaveLength(1);
  });

  it('alerts at once on a single very high similarity', () => {
    const p = new AlertPolicy({ instantThreshold: 0.7 });
    const out = p.observe(obs(1, [hit('alice', 0.75)]));
    expect(out).toEqual([
      expect.objectContaining({
        type: 'alert',
        identityId: 'alice',
        evidenceCount: 1,
        evidenceWindow: 1,
        trigger: 'instant',
        review: 'pending',
      }),
    ]);
    // A very high score with no margin (look-alikes) is not instant.
    expect(p.observe(obs(2, [hit('bob', 0.9, 0.0)]))).toEqual([]);
  });

  it('raises one alert per (track, identity) and no duplicates while evidence stays the same', () => {
    const p = new AlertPolicy();
    const all = [];
    for (let i = 0; i < 12; i++) all.push(...p.observe(obs(1, [hit('alice', 0.5)])));
    expect(all.filter((a) => a.type === 'alert')).toHaveLength(1);
    // One update when the window fills to 3 of 3; nothing after that.
    expect(all.map((a) => [a.type, a.evidenceCount])).toEqual([
      ['alert', 2],
      ['alert-update', 3],
    ]);
  });

  it('sends an update when the evidence strengthens (higher similarity or more matches)', () => {
    const p = new AlertPolicy({ updateMinDelta: 0.02 });
    p.observe(obs(1, [hit('alice', 0.5)]));
    expect(p.observe(obs(1, [hit('alice', 0.5)]))[0]!.type).toBe('alert');
    const u1 = p.observe(obs(1, [hit('alice', 0.51)], 0.9, 30));
    expect(u1).toEqual([
      expect.objectContaining({ type: 'alert-update', evidenceCount: 3, similarity: 0.51 }),
    ]);
    // Better quality moves the best crop.
    expect(u1[0]!.bestQuality).toBe(0.9);
    expect(u1[0]!.bestBox.x).toBe(30);
    expect(p.observe(obs(1, [hit('alice', 0.52)]))).toEqual([]); // +0.01: below updateMinDelta
    expect(p.observe(obs(1, [hit('alice', 0.6)]))).toEqual([
      expect.objectContaining({ type: 'alert-update', similarity: 0.6, evidenceCount: 3 }),
    ]);
    // A weaker match afterwards is no news.
    expect(p.observe(obs(1, [hit('alice', 0.45)]))).toEqual([]);
  });

  it('an instant alert is updated when k-of-n evidence arrives', () => {
    const p = new AlertPolicy();
    expect(p.observe(obs(1, [hit('alice', 0.8)]))[0]!.trigger).toBe('instant');
    expect(p.observe(obs(1, [hit('alice', 0.5)]))).toEqual([
      expect.objectContaining({ type: 'alert-update', trigger: 'k-of-n', evidenceCount: 2, similarity: 0.8 }),
    ]);
  });

  it('keeps tracks and identities apart', () => {
    const p = new AlertPolicy();
    p.observe(obs(1, [hit('alice', 0.5)]));
    expect(p.observe(obs(2, [hit('alice', 0.5)]))).toEqual([]);
    p.observe(obs(1, [hit('bob', 0.5)]));
    const out = p.observe(obs(1, [hit('alice', 0.5), hit('bob', 0.5)]));
    expect(out.map((a) => a.identityId).sort()).toEqual(['alice', 'bob']);
  });

  it('a rejected pair never alerts again for that track, but still can for another track', () => {
    const p = new AlertPolicy();
    p.observe(obs(1, [hit('alice', 0.5)]));
    expect(p.observe(obs(1, [hit('alice', 0.5)]))).toHaveLength(1);
    p.reject(1, 'alice');
    for (let i = 0; i < 5; i++) expect(p.observe(obs(1, [hit('alice', 0.95)]))).toEqual([]);
    // Rejecting before any evidence also works, and other identities are unaffected.
    p.reject(3, 'bob');
    expect(p.observe(obs(3, [hit('bob', 0.9)]))).toEqual([]);
    expect(p.observe(obs(3, [hit('carol', 0.9)]))).toHaveLength(1);
    expect(p.observe(obs(2, [hit('alice', 0.9)]))).toHaveLength(1);
  });

  it('rejection also removes that identity from the window (it cannot count later)', () => {
    const p = new AlertPolicy({ k: 2, n: 3 });
    p.observe(obs(1, [hit('alice', 0.5)]));
    p.reject(1, 'alice');
    expect(p.observe(obs(1, [hit('alice', 0.5)]))).toEqual([]);
  });

  it('ended tracks clear their state', () => {
    const p = new AlertPolicy();
    p.observe(obs(1, [hit('alice', 0.5)]));
    p.observe(obs(2, [hit('alice', 0.5)]));
    p.endTracks([1]);
    expect(p.trackCount).toBe(1);
    expect(p.observe(obs(1, [hit('alice', 0.5)]))).toEqual([]); // evidence started over
    p.endTrack(1);
    p.endTrack(2);
    expect(p.trackCount).toBe(0);
  });

  it('is bounded in tracks and in identities per track', () => {
    const p = new AlertPolicy({ maxTracks: 10, maxIdentitiesPerTrack: 3 });
    for (let t = 1; t <= 50; t++) p.observe(obs(t, [hit('alice', 0.5)]));
    expect(p.trackCount).toBe(10);
    // The oldest tracks were dropped: track 1 starts over, track 50 completes its evidence.
    expect(p.observe(obs(50, [hit('alice', 0.5)]))).toHaveLength(1);
    const q = new AlertPolicy({ maxIdentitiesPerTrack: 2 });
    q.observe(obs(1, [hit('a', 0.8)])); // alerted (instant): kept over non-alerted ones
    q.observe(obs(1, [hit('b', 0.5)]));
    q.observe(obs(1, [hit('c', 0.5)])); // evicts b
    // 'a' kept its reported state: a stronger score is an update, not a second alert.
    expect(q.observe(obs(1, [hit('a', 0.9)]))).toEqual([
      expect.objectContaining({ type: 'alert-update', identityId: 'a', similarity: 0.9 }),
    ]);
  });

  it('rejects nonsense options', () => {
    expect(() => new AlertPolicy({ k: 4, n: 3 })).toThrow(RangeError);
    expect(() => new AlertPolicy({ k: 0 })).toThrow(RangeError);
  });
});
