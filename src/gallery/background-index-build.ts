import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ArgusError, toArgusError } from '../errors/argus-error';
import { packageRoot } from '../util/package-root';
import { ExactVectorIndex } from './exact-vector-index';
import type { GalleryStore } from './gallery-store';
import type { GalleryLogger } from './gallery-types';
import type { IndexBuildJob, IndexBuildMessage } from './index-build-protocol';
import { type IndexProgress, rebuild, type SyncedIndex, syncIndex } from './index-sync';
import type { VectorIndex, VectorIndexFactory } from './vector-index';

export type IndexBuildDone = Extract<IndexBuildMessage, { type: 'done' }>;

/** The compiled worker (tsc puts src/ under dist/src/). */
export function indexBuildWorkerPath(): string {
  return path.join(packageRoot(), 'dist', 'src', 'gallery', 'index-build-worker.js');
}

/**
 * One run of the index-build worker: resolves when it has saved an index in step with the
 * database snapshot it read, rejects on its error or exit. `close` stops it (the files it may
 * have been writing are temporary until renamed, and a half-written index fails its checksum).
 */
export class BackgroundIndexBuild {
  private worker: Worker | undefined;

  constructor(
    private readonly job: IndexBuildJob,
    private readonly onProgress?: IndexProgress,
  ) {}

  run(): Promise<IndexBuildDone> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(indexBuildWorkerPath(), { workerData: this.job });
      this.worker = worker;
      let settled = false;
      worker.on('message', (m: IndexBuildMessage) => {
        if (m.type === 'progress') this.onProgress?.(m.done, m.total);
        else if (m.type === 'done') {
          settled = true;
          resolve(m);
        } else {
          settled = true;
          reject(new ArgusError(m.code, m.details));
        }
      });
      worker.on('error', (err) => {
        settled = true;
        reject(err);
      });
      worker.on('exit', (code) => {
        this.worker = undefined;
        if (!settled) reject(new Error(`index build worker exited with code ${code}`));
      });
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}

/**
 * Loads what the worker saved and catches it up with writes made meanwhile; undefined when it
 * cannot be used: erasures happened after the worker's snapshot (its file may hold an erased
 * face, so it is deleted) or the file does not load. The caller builds again.
 */
export function adoptBuiltIndex(
  done: IndexBuildDone,
  store: GalleryStore,
  factory: VectorIndexFactory,
  indexDir: string,
): SyncedIndex | undefined {
  if (store.stamp().deleteGeneration !== done.stamp.deleteGeneration) {
    factory.discard(indexDir);
    return undefined;
  }
  const loaded = factory.load(indexDir, store.modelId, store.dim);
  if (!loaded.ok) return undefined;
  const state: SyncedIndex = {
    index: loaded.index,
    stamp: loaded.stamp,
    state: done.state,
    ...(done.reason ? { reason: done.reason } : {}),
  };
  // Additions since the snapshot are cheap to catch up; anything else was ruled out above.
  return syncIndex(state, store, factory);
}

/** The interim index while the worker builds: exact search over the database when it is small enough. */
export function interimIndex(
  store: GalleryStore,
  exactUpTo: number,
): { synced: SyncedIndex; factory: VectorIndexFactory } {
  const factory = exactIndexFactory();
  const count = store.stamp().count;
  if (count <= exactUpTo) {
    return {
      synced: rebuild(
        store,
        factory,
        'exact',
        'HNSW index building in a worker thread; exact search meanwhile',
      ),
      factory,
    };
  }
  const pending: VectorIndex = {
    modelId: store.modelId,
    dim: store.dim,
    size: () => count,
    has: () => false,
    labels: () => [],
    add: () => {},
    remove: () => false,
    search: () => {
      throw new ArgusError('ARGUS_E_GALLERY_INDEX_BUILDING', { templates: count });
    },
    save: () => {
      throw new Error('no index to save while it is being built');
    },
  };
  return {
    synced: {
      index: pending,
      stamp: store.stamp(),
      state: 'building',
      reason: `${count} templates: too many to search exactly meanwhile`,
    },
    factory,
  };
}

function exactIndexFactory(): VectorIndexFactory {
  return {
    create: (modelId, dim) => new ExactVectorIndex(modelId, dim),
    load: () => ({ ok: false, problem: 'missing', detail: 'exact index is in memory only' }),
    discard: () => {},
  };
}

export interface BackgroundBuildHooks {
  onProgress?: IndexProgress;
  logger?: GalleryLogger;
  /** True once the gallery is closing: stop without adopting anything. */
  closed: () => boolean;
  /** The run in progress (so close() can stop it). */
  started: (build: BackgroundIndexBuild | undefined) => void;
  /** Swaps the built index in; undefined when it could not be used (then it is built again). */
  adopt: (done: IndexBuildDone) => SyncedIndex | undefined;
}

/** Runs the index-build worker until its index is adopted: up to 3 runs (erasures meanwhile invalidate one). */
export async function runBackgroundBuilds(job: IndexBuildJob, hooks: BackgroundBuildHooks): Promise<void> {
  const { logger } = hooks;
  for (let attempt = 1; attempt <= 3 && !hooks.closed(); attempt++) {
    const build = new BackgroundIndexBuild(job, hooks.onProgress);
    hooks.started(build);
    let done: IndexBuildDone;
    try {
      done = await build.run();
    } catch (err) {
      if (!hooks.closed()) logger?.warn({ err: toArgusError(err), attempt }, 'gallery index build failed');
      continue;
    } finally {
      hooks.started(undefined);
    }
    if (hooks.closed()) return;
    const t = performance.now();
    const adopted = hooks.adopt(done);
    if (!adopted) continue;
    logger?.info(
      {
        state: adopted.state,
        templates: adopted.index.size(),
        buildMs: Math.round(done.ms),
        swapMs: Math.round(performance.now() - t),
      },
      'gallery index ready',
    );
    return;
  }
  if (!hooks.closed()) logger?.warn({ attempts: 3 }, 'gallery index not built; interim search stays');
}
