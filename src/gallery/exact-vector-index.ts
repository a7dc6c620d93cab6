import { dotProduct } from './dot-product';
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
      const similarity = dotProduct(q, v);
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
