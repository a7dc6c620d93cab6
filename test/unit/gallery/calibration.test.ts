import { buildFmrTable, fmrAt, impostorScores, proposeThreshold } from '../../../src/gallery/calibration';
import { mulberry32 } from '../../../src/util/mulberry32';

const vec = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs.map((x) => x / n));
};

describe('impostorScores', () => {
  const templates = [
    { group: 'a', v: vec(1, 0, 0) },
    { group: 'a', v: vec(0.9, 0.1, 0) },
    { group: 'b', v: vec(0, 1, 0) },
    { group: 'c', v: vec(0, 0, 1) },
  ];

  it('scores every pair of templates of different identities, never a same-identity pair', () => {
    const r = impostorScores(templates, [], { maxPairs: 1000 });
    // 6 pairs in all, 1 of them within identity a.
    expect(r.totalPairs).toBe(5);
    expect(r.scores).toHaveLength(5);
    expect(r.sampled).toBe(false);
    expect(Math.max(...r.scores)).toBeLessThan(0.2);
  });

  it('adds every non-enrolled face against every template', () => {
    const r = impostorScores(templates, [vec(1, 1, 0)], { maxPairs: 1000 });
    expect(r.totalPairs).toBe(9);
    expect(r.scores).toHaveLength(9);
  });

  it('draws maxPairs pairs at random when there are more, reproducibly', () => {
    const rand = mulberry32(1);
    const many = Array.from({ length: 200 }, (_, i) => ({
      group: `g${i % 50}`,
      v: vec(rand(), rand(), rand(), rand()),
    }));
    const a = impostorScores(many, [], { maxPairs: 500 });
    const b = impostorScores(many, [], { maxPairs: 500 });
    expect(a.sampled).toBe(true);
    expect(a.totalPairs).toBe((200 * 199) / 2 - 50 * 6);
    expect(a.scores).toHaveLength(500);
    expect([...a.scores]).toEqual([...b.scores]);
  });

  it('finds no pair with a single identity and no extra faces', () => {
    expect(impostorScores([templates[0]!, templates[1]!], [], { maxPairs: 10 }).scores).toHaveLength(0);
  });
});

describe('FMR table', () => {
  // 1000 impostor scores spread evenly over [-0.5, 0.499].
  const scores = Float64Array.from({ length: 1000 }, (_, i) => -0.5 + i / 1000);
  const table = buildFmrTable(
    { scores, totalPairs: 1000, sampled: false },
    { modelId: 'm', source: 'test', createdAt: 'now' },
  );

  it('estimates FMR as the share of impostors at or above the score', () => {
    expect(fmrAt(table, 0)).toBeCloseTo(0.5, 2);
    expect(fmrAt(table, 0.4)).toBeCloseTo(0.1, 2);
    expect(fmrAt(table, -0.6)).toBe(1);
  });

  it('never estimates lower than the grid point below the score (conservative)', () => {
    const exact = (t: number) => scores.filter((s) => s >= t).length / scores.length;
    for (const t of [-0.3, 0.013, 0.257, 0.4449]) expect(fmrAt(table, t)).toBeGreaterThanOrEqual(exact(t));
  });

  it('floors estimates at 1/P where no impostor reached the score', () => {
    expect(fmrAt(table, 0.9)).toBe(1 / 1000);
    expect(table.points[table.points.length - 1]![1]).toBe(0);
  });

  it('knows nothing without impostors', () => {
    const empty = buildFmrTable(
      { scores: new Float64Array(), totalPairs: 0, sampled: false },
      { modelId: 'm', source: 's' },
    );
    expect(fmrAt(empty, 0.9)).toBe(1);
  });
});

describe('proposeThreshold', () => {
  it('proposes the lowest 4-decimal threshold whose observed FMR meets the target', () => {
    const scores = Float64Array.from({ length: 100_000 }, (_, i) => i / 100_000 - 0.5);
    const p = proposeThreshold(scores, 1e-4);
    expect(p.resolvable).toBe(true);
    expect(p.impostorsAtOrAbove).toBeLessThanOrEqual(10);
    expect(p.fmr).toBeLessThanOrEqual(1e-4);
    // One step lower would let more than 10 impostors through.
    const lower = scores.filter((s) => s >= p.threshold - 1e-4).length;
    expect(lower).toBeGreaterThan(10);
    expect(p.note).toMatch(/FMR/);
  });

  it('says honestly when there are too few pairs to resolve the target, and bounds FMR by 1/N', () => {
    const scores = Float64Array.from([0.1, 0.2, 0.3, 0.1234]);
    const p = proposeThreshold(scores, 1e-4);
    expect(p.resolvable).toBe(false);
    expect(p.threshold).toBe(0.3001);
    expect(p.impostorsAtOrAbove).toBe(0);
    expect(p.fmrResolution).toBe(0.25);
    expect(p.note).toContain('cannot resolve');
    expect(p.note).toContain('FMR < 1/4');
  });

  it('flags an estimate resting on fewer than ten impostors as rough', () => {
    const scores = Float64Array.from({ length: 20_000 }, (_, i) => i / 20_000);
    const p = proposeThreshold(scores, 1e-4);
    expect(p.resolvable).toBe(true);
    expect(p.impostorsAtOrAbove).toBeLessThanOrEqual(2);
    expect(p.note).toContain('rough');
  });
});
