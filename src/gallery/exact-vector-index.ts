import { cosine as dot } from '../vision/embed/vector-math';
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

  search(q: Float32Array, k: number): VectorHit[] {
    const hits: VectorHit[] = [];
    for (const [label, v] of this.vectors) hits.push({ label, similarity: dot(q, v) });
    return hits.sort((a, b) => b.similarity - a.similarity || a.label - b.label).slice(0, k);
  }

  save(_dir: string, _stamp: IndexStamp): void {
    throw new Error('ExactVectorIndex is in-memory only');
  }
}
