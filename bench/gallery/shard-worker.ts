/**
 * Build-phase worker of the gallery benchmark. Every op works on one slice of the data set and
 * on files in the cache dir, so a cut-short build resumes where it stopped:
 * - gen: writes the slice's synthetic vectors to a raw float32 file;
 * - build: inserts the slice into one shard, the gallery's own HnswVectorIndex, and saves it
 *   (the part timed as build);
 * - truth: exact brute force of the queries over the slice (ground truth for recall).
 */
import { closeSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { HnswVectorIndex } from '../../src/gallery/hnsw-vector-index';
import { BENCH_MODEL, type BuildConfig, benchIndexParams, benchStamp } from './bench-cache';
import { DIM, dotRows, FaceLikeGenerator, type SyntheticParams } from './synthetic';
import { threadCpuMs } from './thread-cpu';

export interface ShardWorkerData {
  seed: number;
  params: SyntheticParams;
}

export type ShardRequest =
  | { op: 'gen'; start: number; end: number; file: string }
  | {
      op: 'build';
      start: number;
      end: number;
      /** The data slices holding labels start..end-1. */
      slices: Array<{ file: string; start: number; end: number }>;
      config: BuildConfig;
      capacity: number;
      /** The directory the shard's index is saved in. */
      file: string;
    }
  | {
      op: 'truth';
      start: number;
      vectors: string;
      count: number;
      queries: SharedArrayBuffer;
      queryIds: Int32Array;
    };

export type ShardReply =
  | { op: 'gen'; ms: number }
  | { op: 'build'; insertMs: number; insertCpuMs: number; writeMs: number; readMs: number }
  | {
      op: 'truth';
      ms: number;
      best: Int32Array;
      bestSim: Float64Array;
      /** Best similarity among identities other than the query's own. */
      otherSim: Float64Array;
    };

const data = workerData as ShardWorkerData;
const port = parentPort!;
const CHUNK = 8192;

/** Streams a float32 slice file in chunks of CHUNK rows. */
function forEachChunk(file: string, fn: (rows: Float32Array, first: number, count: number) => void): void {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(CHUNK * DIM * 4);
  const rows = new Float32Array(buf.buffer, buf.byteOffset, CHUNK * DIM);
  try {
    let first = 0;
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, first * DIM * 4);
      const count = Math.floor(got / (DIM * 4));
      if (count === 0) break;
      fn(rows, first, count);
      first += count;
    }
  } finally {
    closeSync(fd);
  }
}

function gen(req: Extract<ShardRequest, { op: 'gen' }>): ShardReply {
  const t0 = performance.now();
  const g = new FaceLikeGenerator(data.seed, data.params);
  const n = req.end - req.start;
  const out = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) g.write(req.start + i, 0, out, i * DIM);
  writeFileSync(`${req.file}.tmp`, Buffer.from(out.buffer));
  renameSync(`${req.file}.tmp`, req.file);
  return { op: 'gen', ms: performance.now() - t0 };
}

function build(req: Extract<ShardRequest, { op: 'build' }>): ShardReply {
  let t = performance.now();
  // Read first (not timed as build): a gallery builds from embeddings it already holds.
  const n = req.end - req.start;
  const rows = new Float32Array(n * DIM);
  for (const sl of req.slices) {
    const file = readFileSync(sl.file);
    if (file.length !== (sl.end - sl.start) * DIM * 4)
      throw new Error(`slice file has ${file.length} bytes, expected ${(sl.end - sl.start) * DIM * 4}`);
    const from = Math.max(sl.start, req.start);
    const to = Math.min(sl.end, req.end);
    rows.set(
      new Float32Array(file.buffer, file.byteOffset + (from - sl.start) * DIM * 4, (to - from) * DIM),
      (from - req.start) * DIM,
    );
  }
  const readMs = performance.now() - t;
  t = performance.now();
  const cpu0 = threadCpuMs();
  // The ef given here only matters for searches; the measure phase loads with its own.
  const index = HnswVectorIndex.create(BENCH_MODEL, DIM, benchIndexParams(req.config, 64, req.capacity));
  for (let i = 0; i < n; i++) index.add(req.start + i, rows.subarray(i * DIM, (i + 1) * DIM));
  const insertMs = performance.now() - t;
  const insertCpuMs = threadCpuMs() - cpu0;
  t = performance.now();
  const tmp = `${req.file}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  index.save(tmp, benchStamp(req.start, req.end));
  renameSync(tmp, req.file);
  return { op: 'build', insertMs, insertCpuMs, writeMs: performance.now() - t, readMs };
}

function truth(req: Extract<ShardRequest, { op: 'truth' }>): ShardReply {
  const t0 = performance.now();
  const q = new Float32Array(req.queries);
  const best = new Int32Array(req.count).fill(-1);
  const bestSim = new Float64Array(req.count).fill(Number.NEGATIVE_INFINITY);
  const otherSim = new Float64Array(req.count).fill(Number.NEGATIVE_INFINITY);
  // Rows outer, queries inner: each row is read once for all queries.
  forEachChunk(req.vectors, (rows, first, count) => {
    for (let i = 0; i < count; i++) {
      const label = req.start + first + i;
      for (let j = 0; j < req.count; j++) {
        const s = dotRows(rows, i * DIM, q, j * DIM);
        if (s > bestSim[j]!) {
          bestSim[j] = s;
          best[j] = label;
        }
        if (label !== req.queryIds[j] && s > otherSim[j]!) otherSim[j] = s;
      }
    }
  });
  return { op: 'truth', ms: performance.now() - t0, best, bestSim, otherSim };
}

port.on('message', (req: ShardRequest) => {
  try {
    const reply = req.op === 'gen' ? gen(req) : req.op === 'build' ? build(req) : truth(req);
    port.postMessage(reply);
  } catch (err) {
    port.postMessage({ op: 'error', message: (err as Error).stack ?? String(err) });
  }
});
