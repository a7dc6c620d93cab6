/**
 * The port between the gallery and whatever finds nearest neighbours. Labels are template ids.
 * Vectors are unit length (cosine = dot product). An index is derived data: the database is the
 * truth, and an index that cannot be trusted is rebuilt from it.
 */

export interface VectorHit {
  label: number;
  /** Cosine similarity, computed exactly (double precision) from the stored vector. */
  similarity: number;
}

/** Which database state an index reflects (see GalleryStore.stamp). */
export interface IndexStamp {
  /** Bumped by every write transaction. */
  generation: number;
  /** Bumped by every transaction that removes templates. */
  deleteGeneration: number;
  /** Highest label the index was brought up to. */
  maxLabel: number;
  /** Templates in the database at that generation. */
  count: number;
}

export interface VectorIndex {
  readonly modelId: string;
  readonly dim: number;
  /** Live (not removed) vectors. */
  size(): number;
  has(label: number): boolean;
  /** Live labels, ascending. */
  labels(): number[];
  /** Adds a vector; adding a label that is present replaces its vector. */
  add(label: number, v: Float32Array): void;
  /** Removes a label; false when it was not there. Nothing of the vector may survive a later save. */
  remove(label: number): boolean;
  /** Up to k nearest live vectors, best first; with `allowed`, only among those labels. */
  search(q: Float32Array, k: number, allowed?: ReadonlySet<number>): VectorHit[];
  /** Writes the index and its sidecar into `dir`, atomically, tagged with the database state. */
  save(dir: string, stamp: IndexStamp): void;
}

export type LoadResult =
  | { ok: true; index: VectorIndex; stamp: IndexStamp }
  | { ok: false; problem: 'missing' | 'corrupt' | 'model' | 'params'; detail: string };

/** Creates empty indexes and loads saved ones for one model. */
export interface VectorIndexFactory {
  create(modelId: string, dim: number, expectedSize: number): VectorIndex;
  load(dir: string, modelId: string, dim: number): LoadResult;
  /** Deletes a saved index (an index that may hold erased vectors and cannot be rewritten). */
  discard(dir: string): void;
}
