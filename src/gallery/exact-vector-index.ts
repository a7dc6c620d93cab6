import type { IndexStamp, VectorHit, VectorIndex } from './vector-index';

/**
 * Brute-force, in-memory VectorIndex: the reference the HNSW adapter is checked against (recall
 * measurements, contract tests). Not persistent: `save` is refused.
 */
export class ExactVectorIndex implements VectorIndex {
  private readonly vectors = new Map<number, Float32Array>();

  constructor(
    readonly modelId: string,
    readonly dim: number,
  ) {}

  size(): number {
    return this.vectors.size;
  }

  has(label: number): boolean {
    return this.vectors.has(label);
  }

  labels(): number[] {
    return [...this.vectors.keys()].sort((a, b) => a - b);
  }

  add(label: number, v: Float32Array): void {
    if (v.length !== this.dim) throw new RangeError(`expected ${this.dim} numbers, got ${v.length}`);
    this.vectors.set(label, Float32Array.from(v));
  }

  remove(label: number): boolean {
    return this.vectors.delete(label);
  }

  search(q: Float32Array, k: number, allowed?: ReadonlySet<number>): VectorHit[] {
    if (k <= 0) return [];
    // A bounded best-first list instead of scoring objects for every vector and sorting them all:
    // this is also the interim search of a serving gallery while its HNSW index builds.
    const best: VectorHit[] = [];
    for (const [label, v] of this.vectors) {
      if (allowed && !allowed.has(label)) continue;
      const similarity = dot512(q, v);
      if (best.length === k) {
        const last = best[k - 1]!;
        if (similarity < last.similarity || (similarity === last.similarity && label > last.label)) continue;
        best.pop();
      }
      let i = best.length;
      while (i > 0) {
        const b = best[i - 1]!;
        if (b.similarity > similarity || (b.similarity === similarity && b.label < label)) break;
        i--;
      }
      best.splice(i, 0, { label, similarity });
    }
    return best;
  }

  save(_dir: string, _stamp: IndexStamp): void {
    throw new Error('ExactVectorIndex is in-memory only');
  }
}

/** Dot product of two equal-length Float32Arrays (monomorphic, unrolled: the hot loop of exact search). */
function dot512(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (; i < n; i++) s0 += a[i]! * b[i]!;
  return s0 + s1 + s2 + s3;
}
