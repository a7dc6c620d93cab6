import { decideMatches, rankIdentities } from '../../../src/gallery/match-policy';

const policy = { threshold: 0.4, margin: 0.05 };
const fmrAt = (s: number) => (s >= 0.5 ? 0.001 : 0.1);

describe('rankIdentities', () => {
  it('scores an identity by its best template and orders identities best first', () => {
    const ranked = rankIdentities([
      { key: 'a', templateId: 1, similarity: 0.3 },
      { key: 'b', templateId: 2, similarity: 0.5 },
      { key: 'a', templateId: 3, similarity: 0.7 },
      { key: 'c', templateId: 4, similarity: 0.1 },
    ]);
    expect(ranked).toEqual([
      { key: 'a', similarity: 0.7, templateId: 3 },
      { key: 'b', similarity: 0.5, templateId: 2 },
      { key: 'c', similarity: 0.1, templateId: 4 },
    ]);
  });

  it('breaks ties by the lower template id, so results are stable', () => {
    const ranked = rankIdentities([
      { key: 'b', templateId: 9, similarity: 0.5 },
      { key: 'a', templateId: 2, similarity: 0.5 },
    ]);
    expect(ranked.map((r) => r.key)).toEqual(['a', 'b']);
  });
});

describe('decideMatches', () => {
  const ranked = (...sims: number[]) => sims.map((s, i) => ({ key: `id${i}`, similarity: s, templateId: i }));

  it('matches the best identity when it clears the threshold and the margin', () => {
    const d = decideMatches(ranked(0.7, 0.2), policy, { fmrAt });
    expect(d[0]).toMatchObject({ key: 'id0', match: true, fmr: 0.001 });
    expect(d[0]!.margin).toBeCloseTo(0.5);
    expect(d[1]).toMatchObject({ match: false, fmr: 0.1 });
    expect(d[1]!.margin).toBeCloseTo(-0.5);
  });

  it('refuses a match below the threshold whatever the margin', () => {
    expect(decideMatches(ranked(0.39, -0.2), policy, { fmrAt })[0]!.match).toBe(false);
  });

  it('refuses a match when another identity scores nearly as high (look-alike, double enrolment)', () => {
    const d = decideMatches(ranked(0.62, 0.6), policy, { fmrAt });
    expect(d.map((x) => x.match)).toEqual([false, false]);
    expect(d[0]!.margin).toBeCloseTo(0.02);
  });

  it('counts a margin exactly at the configured value as enough, despite float rounding', () => {
    expect(decideMatches(ranked(0.45, 0.4), policy, { fmrAt })[0]!.match).toBe(true);
    expect(decideMatches(ranked(0.4, 0.1), policy, { fmrAt })[0]!.match).toBe(true);
  });

  it('uses the unseen bound as runner-up when only one identity was among the candidates', () => {
    const d = decideMatches(ranked(0.5), policy, { fmrAt, unseenBound: 0.47 });
    expect(d[0]!.margin).toBeCloseTo(0.03);
    expect(d[0]!.match).toBe(false);
  });

  it('compares with 0 when the gallery holds no other identity at all', () => {
    const d = decideMatches(ranked(0.5), policy, { fmrAt });
    expect(d[0]).toMatchObject({ margin: 0.5, match: true });
  });

  it('returns nothing for nothing', () => {
    expect(decideMatches([], policy, { fmrAt })).toEqual([]);
  });
});
