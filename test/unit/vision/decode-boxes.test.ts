import { decodeBoxes } from '../../../src/vision/detect/decode-boxes';

const base = {
  inputWidth: 320,
  inputHeight: 240,
  scaleX: 0.5,
  scaleY: 0.5,
  scoreThreshold: 0.5,
  centerVariance: 0.1,
  sizeVariance: 0.2,
  maxNetSize: Number.POSITIVE_INFINITY,
  imageWidth: 640,
  imageHeight: 480,
};

describe('decodeBoxes', () => {
  const priors = Float32Array.from([0.5, 0.5, 0.25, 0.25, 0.1, 0.1, 0.05, 0.05]);

  it('returns the prior box itself for zero regression, in image pixels', () => {
    const scores = Float32Array.from([0.1, 0.9, 0.9, 0.1]);
    const reg = new Float32Array(8);
    const out = decodeBoxes(scores, reg, priors, base);
    expect(out).toHaveLength(1);
    const b = out[0]!.box;
    // prior: centre (160,120) net px, 80x60 net px; image = net / 0.5
    expect(b.x).toBeCloseTo(240);
    expect(b.y).toBeCloseTo(180);
    expect(b.w).toBeCloseTo(160);
    expect(b.h).toBeCloseTo(120);
    expect(out[0]!.score).toBeCloseTo(0.9);
  });

  it('applies centre and size variances', () => {
    const scores = Float32Array.from([0, 1, 0, 0]);
    const reg = Float32Array.from([1, 0, Math.log(2) / 0.2, 0, 0, 0, 0, 0]);
    const b = decodeBoxes(scores, reg, priors, base)[0]!.box;
    // cx moves by 0.1 * 0.25 of the input width; width doubles
    expect(b.x + b.w / 2).toBeCloseTo((0.5 + 0.025) * 320 * 2, 3);
    expect(b.w).toBeCloseTo(320, 3);
  });

  it('drops boxes above maxNetSize (pyramid gating) and below the score threshold', () => {
    const scores = Float32Array.from([0, 1, 0, 1]);
    const reg = new Float32Array(8);
    const out = decodeBoxes(scores, reg, priors, { ...base, maxNetSize: 40 });
    expect(out).toHaveLength(1);
    expect(out[0]!.box.w).toBeCloseTo(32);
    expect(decodeBoxes(Float32Array.from([1, 0, 1, 0.4]), reg, priors, base)).toHaveLength(0);
  });

  it('clips boxes to the image', () => {
    const edge = Float32Array.from([0.01, 0.01, 0.1, 0.1]);
    const b = decodeBoxes(Float32Array.from([0, 1]), new Float32Array(4), edge, base)[0]!.box;
    expect(b.x).toBe(0);
    expect(b.y).toBe(0);
  });
});
