import type { Point } from '../../../src/domain/geometry';
import {
  applySimilarity,
  estimateSimilarity,
  similarityScale,
} from '../../../src/vision/align/similarity-transform';

const template: Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

describe('estimateSimilarity', () => {
  it('recovers a known rotation, scale and translation exactly', () => {
    const truth = { a: 0.8 * Math.cos(0.3), b: 0.8 * Math.sin(0.3), tx: 12, ty: -7 };
    const src = template.map((p) => [p[0] * 3 + 100, p[1] * 3 + 50] as Point);
    const dst = src.map((p) => applySimilarity(truth, p));
    const t = estimateSimilarity(src, dst);
    expect(t.a).toBeCloseTo(truth.a, 9);
    expect(t.b).toBeCloseTo(truth.b, 9);
    expect(t.tx).toBeCloseTo(truth.tx, 6);
    expect(t.ty).toBeCloseTo(truth.ty, 6);
    expect(similarityScale(t)).toBeCloseTo(0.8, 9);
  });

  it('never reflects: a mirrored face maps with a rotation, not a flip', () => {
    const mirrored = template.map(([x, y]) => [112 - x, y] as Point);
    const t = estimateSimilarity(mirrored, template);
    // A reflection would need a negative determinant; a^2 + b^2 is always positive.
    expect(t.a * t.a + t.b * t.b).toBeGreaterThan(0);
    const err = mirrored.map((p, i) =>
      Math.hypot(...(applySimilarity(t, p).map((v, k) => v - template[i]![k]!) as [number, number])),
    );
    expect(Math.max(...err)).toBeGreaterThan(1);
  });

  it('rejects degenerate input', () => {
    expect(() => estimateSimilarity([[1, 1]], [[1, 1]])).toThrow(RangeError);
    expect(() =>
      estimateSimilarity(
        [
          [1, 1],
          [1, 1],
        ],
        [
          [0, 0],
          [1, 1],
        ],
      ),
    ).toThrow(RangeError);
  });
});
