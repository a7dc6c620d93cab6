/**
 * Worker thread of the gallery benchmark: generates a slice of the synthetic vectors into shared
 * memory, builds one HNSW shard over a slice (and writes it to disk), or computes exact top-1
 * neighbours of the queries over a slice (brute force).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HierarchicalNSW } from 'hnswlib-node';
import { DIM, dotRows, FaceLikeGenerator } from './synthetic';

export interface ShardWorkerData {
  base: SharedArrayBuffer;
  seed: number;
}

export type ShardRequest =
  | { op: 'gen'; start: number; end: number }
  | {
      op: 'build';
      start: number;
      end: number;
      m: number;
      efConstruction: number;
      capacity: number;
      file: string;
    }
  | { op: 'exact'; start: number; end: number; queries: SharedArrayBuffer; count: number };

export type ShardReply =
  | { op: 'gen'; ms: number }
  | { op: 'build'; buildMs: number; writeMs: number }
  | { op: 'exact'; ms: number; best: Int32Array; bestSim: Float64Array };

const data = workerData as ShardWorkerData;
const base = new Float32Array(data.base);
const port = parentPort!;

port.on('message', (req: ShardRequest) => {
  const t0 = performance.now();
  if (req.op === 'gen') {
    const gen = new FaceLikeGenerator(data.seed);
    for (let i = req.start; i < req.end; i++) gen.write(i, 0, base, i * DIM);
    port.postMessage({ op: 'gen', ms: performance.now() - t0 } satisfies ShardReply);
    return;
  }
  if (req.op === 'build') {
    const hnsw = new HierarchicalNSW('cosine', DIM);
    hnsw.initIndex({
      maxElements: req.capacity,
      m: req.m,
      efConstruction: req.efConstruction,
      randomSeed: 100,
    });
    const row = new Array<number>(DIM);
    for (let i = req.start; i < req.end; i++) {
      const o = i * DIM;
      for (let k = 0; k < DIM; k++) row[k] = base[o + k]!;
      hnsw.addPoint(row, i);
    }
    const buildMs = performance.now() - t0;
    const t1 = performance.now();
    hnsw.writeIndexSync(req.file);
    port.postMessage({ op: 'build', buildMs, writeMs: performance.now() - t1 } satisfies ShardReply);
    return;
  }
  const q = new Float32Array(req.queries);
  const best = new Int32Array(req.count).fill(-1);
  const bestSim = new Float64Array(req.count).fill(Number.NEGATIVE_INFINITY);
  // Rows outer, queries inner: each base row is read once from memory for all queries.
  for (let i = req.start; i < req.end; i++) {
    const o = i * DIM;
    for (let j = 0; j < req.count; j++) {
      const s = dotRows(base, o, q, j * DIM);
      if (s > bestSim[j]!) {
        bestSim[j] = s;
        best[j] = i;
      }
    }
  }
  port.postMessage({ op: 'exact', ms: performance.now() - t0, best, bestSim } satisfies ShardReply);
});
