import { generatePriors, priorCount } from '../../../src/vision/detect/priors';

const spec = {
  strides: [8, 16, 32, 64],
  minSizes: [
    [10, 16, 24],
    [32, 48],
    [64, 96],
    [128, 192, 256],
  ],
};

describe('generatePriors', () => {
  it('yields the 4420 priors baked into the 320x240 model', () => {
    const p = generatePriors(320, 240, spec);
    expect(p.length / 4).toBe(4420);
    expect(priorCount(320, 240, spec)).toBe(4420);
  });

  it('starts at the first cell centre with the smallest anchor', () => {
    const p = generatePriors(320, 240, spec);
    expect(p[0]).toBeCloseTo(0.5 / 40, 6);
    expect(p[1]).toBeCloseTo(0.5 / 30, 6);
    expect(p[2]).toBeCloseTo(10 / 320, 6);
    expect(p[3]).toBeCloseTo(10 / 240, 6);
    // third anchor of the same cell
    expect(p[4 * 2 + 2]).toBeCloseTo(24 / 320, 6);
  });

  it('counts ceil(W/s) x ceil(H/s) cells for sizes that are not multiples of the stride', () => {
    expect(generatePriors(330, 250, spec).length / 4).toBe(priorCount(330, 250, spec));
    expect(priorCount(640, 384, spec)).toBe(80 * 48 * 3 + 40 * 24 * 2 + 20 * 12 * 2 + 10 * 6 * 3);
  });

  it('clamps every value to [0, 1]', () => {
    const p = generatePriors(64, 64, spec);
    expect(Math.max(...p)).toBeLessThanOrEqual(1);
    expect(Math.min(...p)).toBeGreaterThanOrEqual(0);
  });
});
