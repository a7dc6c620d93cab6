import path from 'node:path';
import type { ArgusConfig } from '../config/config-schema';
import { toArgusError } from '../errors/argus-error';
import {
  adoptBuiltIndex,
  type BackgroundIndexBuild,
  interimIndex,
  runBackgroundBuilds,
} from './background-index-build';
import type { GalleryStore, Written } from './gallery-store';
import type { GalleryLogger } from './gallery-types';
import { type IndexProgress, openIndex, type SyncedIndex, syncIndex } from './index-sync';
import type { VectorIndex, VectorIndexFactory } from './vector-index';

export interface GalleryIndexDeps {
  store: GalleryStore;
  indexFactory: VectorIndexFactory;
  config: Readonly<ArgusConfig>;
  /** The embedding model this process produces embeddings with. */
  embedder: { modelId: string; dim: number };
  /** The index lives in `dir`/index. */
  dir: string;
  onIndexProgress?: IndexProgress;
  logger?: GalleryLogger;
  /** See GalleryDeps.indexInBackground. */
  indexInBackground?: boolean;
  exactWhileBuilding: number;
  /** A built index was swapped in (labels cached against the old one are stale). */
  onAdopted?: () => void;
}

/**
 * The gallery's vector index kept in step with its database: loaded, caught up or rebuilt at
 * start (or built in a worker thread while an interim index answers), following every committed
 * write, saved on close and after every erasure. The database is the truth; when the index
 * cannot follow a write it is marked out of step and rebuilt at the next sync.
 */
export class GalleryIndex {
  private synced: SyncedIndex;
  private dirty = false;
  /** What sync() rebuilds with: the HNSW factory, or the exact one while a worker builds. */
  private syncFactory: VectorIndexFactory;
  private build: BackgroundIndexBuild | undefined;
  private closed = false;
  /** Settles when the index is in place (at once unless it is built in the background). */
  readonly ready: Promise<void>;

  constructor(private readonly deps: GalleryIndexDeps) {
    const { store } = deps;
    if (deps.indexInBackground) {
      const interim = interimIndex(store, deps.exactWhileBuilding);
      this.synced = interim.synced;
      this.syncFactory = interim.factory;
      this.ready = this.buildInBackground();
      return;
    }
    this.syncFactory = deps.indexFactory;
    this.ready = Promise.resolve();
    this.synced = openIndex(store, deps.indexFactory, this.dir, deps.onIndexProgress);
    this.dirty = this.synced.state !== 'loaded';
    if (this.synced.state === 'rebuilt' || this.synced.state === 'caught-up') {
      deps.logger?.info(
        { state: this.synced.state, reason: this.synced.reason, templates: this.synced.index.size() },
        'gallery index brought in step with the database',
      );
    }
  }

  get state(): { state: string; reason?: string } {
    return { state: this.synced.state, ...(this.synced.reason ? { reason: this.synced.reason } : {}) };
  }

  /** Live vectors, as the index stands (no sync). */
  size(): number {
    return this.synced.index.size();
  }

  /** The index brought in step with the database, and the database generation it reflects. */
  current(): { index: VectorIndex; generation: number } {
    this.sync();
    return { index: this.synced.index, generation: this.synced.stamp.generation };
  }

  /** Applies a committed write to the index; the index only counts as in step if it was before. */
  follow<T>(w: Written<T>, apply: (index: VectorIndex) => void): void {
    const inStep = w.generationBefore === this.synced.stamp.generation;
    try {
      apply(this.synced.index);
      if (inStep) this.synced = { ...this.synced, stamp: w.after };
    } catch (err) {
      // Committed is committed: an index that failed to follow is rebuilt at the next sync.
      this.synced = { ...this.synced, stamp: { ...this.synced.stamp, generation: -1 } };
      this.deps.logger?.warn(
        { err: toArgusError(err) },
        'gallery index did not follow a write; rebuilding later',
      );
    }
    this.dirty = true;
  }

  /** After an erasure no saved index may keep the vector: save the scrubbed index, or drop the file. */
  persistAfterErasure(): void {
    try {
      if (this.deps.store.modelId !== this.deps.embedder.modelId) throw new Error('other model');
      // While a worker builds, any saved file predates this erasure: drop it (the worker's result
      // is checked against the erasure count before it is used).
      if (this.interim) throw new Error('interim index');
      this.dirty = true;
      this.save();
    } catch {
      this.deps.indexFactory.discard(this.dir);
    }
  }

  /** Saves the index if it changed since it was loaded or saved. */
  save(): void {
    // The interim index is not saved: the worker saves the real one.
    if (this.interim || !this.dirty || this.deps.store.modelId !== this.deps.embedder.modelId) return;
    this.sync();
    this.synced.index.save(this.dir, this.synced.stamp);
    this.dirty = false;
  }

  /** Stops a background build and saves (unless told not to: tests that want a crash's files). */
  async close(o: { saveIndex?: boolean } = {}): Promise<void> {
    this.closed = true;
    await this.build?.close();
    try {
      if (o.saveIndex !== false) this.save();
    } catch (err) {
      // The index is derived data: failing to save it costs a rebuild at the next start, nothing more.
      this.deps.logger?.warn({ err: toArgusError(err) }, 'gallery index not saved; it will be rebuilt');
    }
  }

  private get dir(): string {
    return path.join(this.deps.dir, 'index');
  }

  /** True while a worker builds the index and searches use the interim one. */
  private get interim(): boolean {
    return this.synced.state === 'exact' || this.synced.state === 'building';
  }

  private sync(): void {
    if (this.synced.state === 'building') return;
    const before = this.synced;
    this.synced = syncIndex(before, this.deps.store, this.syncFactory, this.deps.onIndexProgress);
    if (this.synced !== before) this.dirty = true;
  }

  /** Builds the index in a worker thread and swaps it in (see background-index-build.ts). */
  private async buildInBackground(): Promise<void> {
    const { store, config, logger } = this.deps;
    const job = {
      database: store.file,
      indexDir: this.dir,
      modelId: store.modelId,
      dim: store.dim,
      busyTimeoutMs: config.gallery.busyTimeoutMs,
      hnsw: config.gallery.hnsw,
    };
    await runBackgroundBuilds(job, {
      ...(this.deps.onIndexProgress ? { onProgress: this.deps.onIndexProgress } : {}),
      ...(logger ? { logger } : {}),
      closed: () => this.closed,
      started: (build) => {
        this.build = build;
      },
      adopt: (done) => {
        const adopted = adoptBuiltIndex(done, store, this.deps.indexFactory, this.dir);
        if (!adopted) return undefined;
        this.synced = adopted;
        this.syncFactory = this.deps.indexFactory;
        this.dirty = adopted.stamp.generation !== done.stamp.generation;
        this.deps.onAdopted?.();
        return adopted;
      },
    });
  }
}
