import { mulberry32 } from '../util/mulberry32';
import { dotProduct } from './dot-product';

/**
 * A fixed random orthonormal projection from `inDim` to `outDim` dimensions (seeded: the same seed
 * gives the same matrix on every machine, so a saved index needs only the seed). By the
 * Johnson-Lindenstrauss lemma it keeps angles between vectors close (the error of a projected
 * cosine shrinks like 1/sqrt(outDim)) whatever the data, which is why it is used instead of a
 * projection fitted to the gallery: it cannot overfit to the vectors enrolled so far. The HNSW
 * graph is searched in the small space (4x fewer bytes per distance at 512 -> 128) and its
 * candidates are then re-scored exactly on the full vectors.
 */
export class RandomProjection {
  /** outDim rows of inDim numbers, orthonormal (float32: the products are summed in double). */
  private readonly rows: Float32Array;

  constructor(
    readonly inDim: number,
    readonly outDim: number,
    readonly seed: number,
  ) {
    if (!Number.isInteger(outDim) || outDim < 1 || outDim > inDim) {
      throw new RangeError(`projection to ${outDim} dimensions from ${inDim} is not possible`);
    }
    const rand = mulberry32(seed);
    const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const rows = new Float64Array(outDim * inDim);
    for (let r = 0; r < outDim; r++) {
      const row = rows.subarray(r * inDim, (r + 1) * inDim);
      // Gram-Schmidt against the rows before it (twice, for numerical orthogonality), then unit length.
      for (let attempt = 0; ; attempt++) {
        for (let i = 0; i < inDim; i++) row[i] = gaussian();
        for (let pass = 0; pass < 2; pass++) {
          for (let p = 0; p < r; p++) {
            const prev = rows.subarray(p * inDim, (p + 1) * inDim);
            let d = 0;
            for (let i = 0; i < inDim; i++) d += row[i]! * prev[i]!;
            for (let i = 0; i < inDim; i++) row[i]! -= d * prev[i]!;
          }
        }
        let norm = 0;
        for (let i = 0; i < inDim; i++) norm += row[i]! * row[i]!;
        norm = Math.sqrt(norm);
        if (norm > 1e-6 || attempt > 10) {
          for (let i = 0; i < inDim; i++) row[i]! /= norm;
          break;
        }
      }
    }
    this.rows = Float32Array.from(rows);
  }

  /** The projected vector (not normalised: callers in cosine space normalise it anyway). */
  apply(v: Float32Array): number[] {
    const { inDim, outDim } = this;
    if (v.length !== inDim) throw new RangeError(`expected ${inDim} numbers, got ${v.length}`);
    const out = new Array<number>(outDim);
    for (let r = 0; r < outDim; r++) out[r] = dotProduct(v, this.rows, r * inDim);
    return out;
  }
}
