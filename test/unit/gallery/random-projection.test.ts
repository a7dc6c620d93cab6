import { RandomProjection } from '../../../src/gallery/random-projection';
import { seeded, unitVector } from '../../helpers/gallery-fixtures';

const cosine = (a: number[], b: number[]) => {
  let d = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    d += x * b[i]!;
    na += x * x;
    nb += b[i]! * b[i]!;
  });
  return d / Math.sqrt(na * nb);
};

describe('RandomProjection', () => {
  it('has orthonormal rows: projecting the rows of the identity gives an orthonormal basis', () => {
    const p = new RandomProjection(64, 16, 7);
    // Column j of the matrix is the projection of the unit vector e_j; rows orthonormal <=> R R^T = I.
    const cols = Array.from({ length: 64 }, (_, j) => {
      const e = new Float32Array(64);
      e[j] = 1;
      return p.apply(e);
    });
    for (let r = 0; r < 16; r++) {
      for (let s = 0; s < 16; s++) {
        const dot = cols.reduce((acc, c) => acc + c[r]! * c[s]!, 0);
        expect(dot).toBeCloseTo(r === s ? 1 : 0, 5);
      }
    }
  });

  it('is the same matrix for the same seed on every run, another for another seed', () => {
    const v = unitVector(128, seeded(3));
    expect(new RandomProjection(128, 32, 1).apply(v)).toEqual(new RandomProjection(128, 32, 1).apply(v));
    expect(new RandomProjection(128, 32, 2).apply(v)).not.toEqual(new RandomProjection(128, 32, 1).apply(v));
  });

  it('keeps cosines close: 512 -> 128 errs by ~1/sqrt(128) on unrelated and on similar pairs', () => {
    const rand = seeded(9);
    const p = new RandomProjection(512, 128, 20_261_129);
    const errors: number[] = [];
    for (let i = 0; i < 300; i++) {
      const a = unitVector(512, rand);
      // Half the pairs similar (cosine ~0.7), half unrelated (~0).
      const b = unitVector(512, rand);
      if (i % 2 === 0) for (let k = 0; k < 512; k++) b[k] = 0.7 * a[k]! + 0.71 * b[k]!;
      const exact = cosine(Array.from(a), Array.from(b));
      errors.push(cosine(p.apply(a), p.apply(b)) - exact);
    }
    const rms = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    expect(Math.abs(errors.reduce((s, e) => s + e, 0) / errors.length)).toBeLessThan(0.02);
    expect(rms).toBeGreaterThan(0.03);
    expect(rms).toBeLessThan(0.12);
  });

  it('refuses a projection that does not shrink, and a vector of the wrong length', () => {
    expect(() => new RandomProjection(16, 32, 1)).toThrow(RangeError);
    expect(() => new RandomProjection(16, 0, 1)).toThrow(RangeError);
    expect(() => new RandomProjection(16, 4, 1).apply(new Float32Array(15))).toThrow(RangeError);
  });
});
