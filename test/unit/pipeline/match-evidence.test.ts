import { MatchEvidence } from '../../../src/pipeline/match-evidence';

describe('MatchEvidence', () => {
  it('needs k of the last n observations', () => {
    const e = new MatchEvidence(2, 3);
    expect(e.add(true)).toBe(false);
    expect(e.add(false)).toBe(false);
    expect(e.add(true)).toBe(true);
    expect(e.add(false)).toBe(false); // window: false, true, false
    expect(e.add(false)).toBe(false); // window: true, false, false
    expect(e.count()).toBe(1);
    e.add(false);
    expect(e.count()).toBe(0);
  });
});
