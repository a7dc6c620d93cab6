import type { GalleryStore } from './gallery-store';
import type { IndexStamp, VectorIndex, VectorIndexFactory } from './vector-index';

/**
 * How the index in use came to be. 'exact' and 'building' are interim states of `argus serve`
 * while a worker builds the HNSW index: exact search over the database's templates, or (for
 * galleries too big to search exactly) searches refused with ARGUS_E_GALLERY_INDEX_BUILDING.
 */
export type IndexState = 'loaded' | 'caught-up' | 'rebuilt' | 'created' | 'exact' | 'building';

export interface SyncedIndex {
  index: VectorIndex;
  /** The database state the index reflects. */
  stamp: IndexStamp;
  state: IndexState;
  /** Why it was rebuilt, when it was. */
  reason?: string;
}

export type IndexProgress = (done: number, total: number) => void;

const PROGRESS_EVERY = 500;

/**
 * Loads the saved index and brings it in step with the database: as is when the generations agree,
 * by adding the newer templates when only additions happened since, else by a full rebuild
 * (missing, damaged, other model, other parameters, or templates removed meanwhile).
 */
export function openIndex(
  store: GalleryStore,
  factory: VectorIndexFactory,
  dir: string,
  onProgress?: IndexProgress,
): SyncedIndex {
  const loaded = factory.load(dir, store.modelId, store.dim);
  if (!loaded.ok) {
    const empty = store.stamp().count === 0;
    return rebuild(
      store,
      factory,
      empty && loaded.problem === 'missing' ? 'created' : 'rebuilt',
      loaded.detail,
      onProgress,
    );
  }
  return syncIndex({ index: loaded.index, stamp: loaded.stamp, state: 'loaded' }, store, factory, onProgress);
}

/** Brings an index in step with the database (cheap when it already is: one read of the meta table). */
export function syncIndex(
  current: SyncedIndex,
  store: GalleryStore,
  factory: VectorIndexFactory,
  onProgress?: IndexProgress,
): SyncedIndex {
  if (current.stamp.generation === store.generation()) return current;
  const caughtUp = store.snapshot(() => {
    const db = store.stamp();
    if (db.generation < current.stamp.generation) return undefined;
    if (db.deleteGeneration !== current.stamp.deleteGeneration) return undefined;
    // Only additions since the stamp: ids are assigned in commit order, so they are all above maxLabel.
    for (const t of store.templateVectors(current.stamp.maxLabel)) current.index.add(t.id, t.v);
    return current.index.size() === db.count ? db : undefined;
  });
  if (caughtUp) return { index: current.index, stamp: caughtUp, state: 'caught-up' };
  return rebuild(store, factory, 'rebuilt', 'templates were removed or the index is out of step', onProgress);
}

/** A new index from every template in the database, read in one snapshot. */
export function rebuild(
  store: GalleryStore,
  factory: VectorIndexFactory,
  state: IndexState,
  reason: string,
  onProgress?: IndexProgress,
): SyncedIndex {
  return store.snapshot(() => {
    const stamp = store.stamp();
    const index = factory.create(store.modelId, store.dim, stamp.count);
    let done = 0;
    onProgress?.(0, stamp.count);
    for (const t of store.templateVectors()) {
      index.add(t.id, t.v);
      if (++done % PROGRESS_EVERY === 0) onProgress?.(done, stamp.count);
    }
    onProgress?.(done, stamp.count);
    return { index, stamp, state, reason };
  });
}
