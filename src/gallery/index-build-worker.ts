/**
 * Worker thread that brings a gallery's saved HNSW index in step with the database (load, catch
 * up, or rebuild: openIndex) and saves it, so `argus serve` never builds an index on its event
 * loop. It opens its own SQLite connection and reads one snapshot; the gallery then loads the
 * saved file and catches up whatever was enrolled meanwhile.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toArgusError } from '../errors/argus-error';
import { GalleryStore } from './gallery-store';
import { hnswIndexFactory } from './hnsw-vector-index';
import type { IndexBuildJob, IndexBuildMessage } from './index-build-protocol';
import { openIndex } from './index-sync';

const job = workerData as IndexBuildJob;
const port = parentPort!;
const send = (m: IndexBuildMessage) => port.postMessage(m);

const t0 = performance.now();
let store: GalleryStore | undefined;
try {
  store = GalleryStore.open(job.database, {
    create: false,
    busyTimeoutMs: job.busyTimeoutMs,
    modelId: job.modelId,
    dim: job.dim,
  });
  let last = 0;
  const synced = openIndex(store, hnswIndexFactory(job.hnsw), job.indexDir, (done, total) => {
    const now = performance.now();
    if (done === total || now - last > 500) {
      last = now;
      send({ type: 'progress', done, total });
    }
  });
  if (synced.state !== 'loaded') synced.index.save(job.indexDir, synced.stamp);
  send({
    type: 'done',
    state: synced.state,
    ...(synced.reason ? { reason: synced.reason } : {}),
    stamp: synced.stamp,
    size: synced.index.size(),
    ms: performance.now() - t0,
  });
} catch (err) {
  const e = toArgusError(err);
  send({ type: 'error', code: e.code, details: e.details });
} finally {
  store?.close();
}
