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

  it('clamps anchor sizes to the input, as the reference does', () => {
    const p = generatePriors(64, 64, spec);
    for (let i = 0; i < p.length; i += 4) {
      expect(p[i + 2]).toBeLessThanOrEqual(1);
      expect(p[i + 3]).toBeLessThanOrEqual(1);
    }
  });

  it('puts the centre of a partial last cell past the edge, where the network looks, not on it', () => {
    // 184 = 2 x 64 + 56: the stride-64 map has 3 rows; the last row's centre is at 2.5 x 64 = 160 px,
    // and at 200 px wide the last column's centre is at 3.5 x 64 = 224 px, past the right edge.
    const p = generatePriors(200, 184, spec);
    const last = p.length - 4;
    expect(p[last]! * 200).toBeCloseTo(224, 3);
    expect(p[last + 1]! * 184).toBeCloseTo(160, 3);
  });
});
