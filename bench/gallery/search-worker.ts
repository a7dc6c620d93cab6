/**
 * Measure-phase worker for the parallel layout: holds one HNSW shard and answers queries, so the
 * shards of one query are searched at the same time on different cores.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HierarchicalNSW } from 'hnswlib-node';
import { searchShard } from './shard-search';

export interface SearchWorkerData {
  file: string;
  dim: number;
}

export type SearchRequest =
  | { op: 'search'; id: number; q: Float32Array; ef: number; candidates: number }
  | { op: 'add'; id: number; v: Float32Array; label: number };

export type SearchReply =
  | { op: 'ready'; loadMs: number; count: number }
  | { op: 'search'; id: number; label: number; similarity: number }
  | { op: 'add'; id: number; ms: number };

const wd = workerData as SearchWorkerData;
const port = parentPort!;
const t0 = performance.now();
const h = new HierarchicalNSW('cosine', wd.dim);
h.readIndexSync(wd.file);
port.postMessage({
  op: 'ready',
  loadMs: performance.now() - t0,
  count: h.getCurrentCount(),
} satisfies SearchReply);

port.on('message', (req: SearchRequest) => {
  if (req.op === 'search') {
    const hit = searchShard(h, Array.from(req.q), req.ef, req.candidates);
    port.postMessage({ op: 'search', id: req.id, ...hit } satisfies SearchReply);
    return;
  }
  const t = performance.now();
  h.addPoint(Array.from(req.v), req.label);
  port.postMessage({ op: 'add', id: req.id, ms: performance.now() - t } satisfies SearchReply);
});
