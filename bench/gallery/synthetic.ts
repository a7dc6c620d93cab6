/**
 * Deterministic, face-like synthetic embeddings (the recipe of ../shared/MODELS.md "Search"):
 * identities live in a 64-D latent space (a shared group component + an individual one), samples
 * add latent noise, a fixed random 64x512 map lifts them to 512-D, a little isotropic 512-D noise
 * is added and the result is normalised. Same-identity cosine ~0.6, different identities ~0
 * (spread ~0.12, so among 100k-1M others some come close, as with real faces).
 *
 * Every vector is a pure function of (seed, identity, sample), so worker threads can generate
 * disjoint slices of the same data set in parallel.
 */

export const DIM = 512;

export interface SyntheticParams {
  /** Dimensions of the latent space: sets the spread of impostor scores (~1/sqrt(latent)). */
  latent: number;
  groups: number;
  /** Variances per latent dimension: group part, individual part, per-sample noise. */
  groupVar: number;
  identityVar: number;
  sampleVar: number;
  /** Isotropic noise variance per output dimension (the lifted signal has ~1.35 per dimension). */
  outputNoiseVar: number;
}

/**
 * Session 1's data set: a 64-D latent space gives impostor scores a spread of ~0.12, wider than
 * the real fixture faces (~0.09), so at 1M every query has hundreds of near-duplicate strangers
 * (best other identity 0.57 vs genuine 0.69 at 500k): harder than faces. Kept for comparison.
 */
export const SESSION1_PARAMS: SyntheticParams = {
  latent: 64,
  groups: 1024,
  groupVar: 0.15,
  identityVar: 0.85,
  sampleVar: 0.35,
  outputNoiseVar: 0.1,
};

/**
 * Default: 128 latent dimensions, which match the fixture faces' impostor spread (measured by
 * bench/gallery/similarity-stats.ts and reported in bench/results/gallery.json).
 */
export const FACE_PARAMS: SyntheticParams = { ...SESSION1_PARAMS, latent: 128 };

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/** mulberry32 with a cached second Box-Muller value. */
class Gaussian {
  private a: number;
  private spare = Number.NaN;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  private uniform(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  }
  next(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = Number.NaN;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const th = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }
}

export class FaceLikeGenerator {
  /** latent x DIM, row-major, scaled by 1/sqrt(latent). */
  private readonly lift: Float32Array;
  private readonly groups: Float32Array;
  private readonly latent: Float64Array;

  constructor(
    private readonly seed: number,
    private readonly p: SyntheticParams = FACE_PARAMS,
  ) {
    this.lift = new Float32Array(p.latent * DIM);
    this.groups = new Float32Array(p.groups * p.latent);
    this.latent = new Float64Array(p.latent);
    const g = new Gaussian(mix(seed, 1));
    const s = 1 / Math.sqrt(p.latent);
    for (let i = 0; i < this.lift.length; i++) this.lift[i] = g.next() * s;
    const h = new Gaussian(mix(seed, 2));
    for (let i = 0; i < this.groups.length; i++) this.groups[i] = h.next();
  }

  /** Writes sample `sample` of identity `id` (sample 0 = the enrolled template) at out[offset..]. */
  write(id: number, sample: number, out: Float32Array, offset: number): void {
    const z = this.latent;
    const { latent: dims, groups } = this.p;
    const gi = mix(this.seed ^ 0x51ed, id) % groups;
    const idNoise = new Gaussian(mix(this.seed + 3, id));
    const sampleNoise = new Gaussian(mix(mix(this.seed + 4, id), sample));
    const ga = Math.sqrt(this.p.groupVar);
    const ia = Math.sqrt(this.p.identityVar);
    const sa = Math.sqrt(this.p.sampleVar);
    for (let j = 0; j < dims; j++) {
      z[j] = ga * this.groups[gi * dims + j]! + ia * idNoise.next() + sa * sampleNoise.next();
    }
    const na = Math.sqrt(this.p.outputNoiseVar);
    for (let k = 0; k < DIM; k++) out[offset + k] = na * sampleNoise.next();
    const lift = this.lift;
    for (let j = 0; j < dims; j++) {
      const zj = z[j]!;
      const row = j * DIM;
      for (let k = 0; k < DIM; k++) out[offset + k]! += zj * lift[row + k]!;
    }
    let s = 0;
    for (let k = 0; k < DIM; k++) s += out[offset + k]! * out[offset + k]!;
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < DIM; k++) out[offset + k]! *= inv;
  }
}

/** Dot product of two 512-D rows. */
export function dotRows(a: Float32Array, ao: number, b: Float32Array, bo: number, dim = DIM): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let k = 0; k < dim; k += 4) {
    s0 += a[ao + k]! * b[bo + k]!;
    s1 += a[ao + k + 1]! * b[bo + k + 1]!;
    s2 += a[ao + k + 2]! * b[bo + k + 2]!;
    s3 += a[ao + k + 3]! * b[bo + k + 3]!;
  }
  return s0 + s1 + s2 + s3;
}
