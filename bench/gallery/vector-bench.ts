/**
 * Vector search part of the gallery benchmark: N synthetic face-like identities split into S
 * HNSW shards built in parallel worker threads (one per core), loaded from disk into the main
 * thread, searched shard after shard with exact re-ranking of the merged candidates, and compared
 * with exact brute force (also on worker threads) over the same vectors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { HierarchicalNSW } from 'hnswlib-node';
import { median, percentile, round } from '../bench-report';
import type { ShardReply, ShardRequest, ShardWorkerData } from './shard-worker';
import { DIM, dotRows, FaceLikeGenerator } from './synthetic';

export interface VectorBenchOptions {
  n: number;
  shards: number;
  m: number;
  efConstruction: number;
  efs: number[];
  queries: number;
  recallTarget: number;
  seed: number;
  log: (msg: string) => void;
}

export interface EfRow {
  ef: number;
  recall_at1: number;
  identity_hit_at1: number;
  mean_ms: number;
  p50_ms: number;
  p99_ms: number;
}

export interface VectorBenchResult {
  n: number;
  design: string;
  shards: number;
  m: number;
  efConstruction: number;
  queries: number;
  generate_s: number;
  build_s: number;
  build_parts: { insert_s_per_shard: number[]; write_s_per_shard: number[]; load_s: number };
  load_s: number;
  index_file_mb: number;
  rss_mb: number;
  rss_note: string;
  vectors_copy_mb: number;
  exact_s: number;
  exact_identity_hit_at1: number;
  similarity_stats: {
    same_identity_mean: number;
    best_other_mean: number | null;
    queries_nearest_is_other_identity: number;
  };
  per_ef: EfRow[];
  chosen_ef: number;
  recall_at1: number;
  p99_ms: number;
  p50_ms: number;
  add_one_template_ms: { median: number; p99: number; count: number };
}

class ShardWorkers {
  private readonly workers: Worker[];
  constructor(count: number, wd: ShardWorkerData) {
    const script = path.join(__dirname, 'shard-worker.js');
    this.workers = Array.from({ length: count }, () => new Worker(script, { workerData: wd }));
  }
  run(reqs: ShardRequest[]): Promise<ShardReply[]> {
    return Promise.all(
      reqs.map(
        (req, i) =>
          new Promise<ShardReply>((resolve, reject) => {
            const w = this.workers[i % this.workers.length]!;
            const onError = (err: Error) => reject(err);
            w.once('error', onError);
            w.once('message', (m: ShardReply) => {
              w.off('error', onError);
              resolve(m);
            });
            w.postMessage(req);
          }),
      ),
    );
  }
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const mb = (bytes: number) => round(bytes / 2 ** 20, 0);

export async function runVectorBench(o: VectorBenchOptions): Promise<VectorBenchResult> {
  const { n, shards, log } = o;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'argus-gallery-bench-'));
  try {
    const baseBuf = new SharedArrayBuffer(n * DIM * 4);
    const base = new Float32Array(baseBuf);
    const bounds = Array.from({ length: shards }, (_, s) => [
      Math.floor((s * n) / shards),
      Math.floor(((s + 1) * n) / shards),
    ]) as Array<[number, number]>;
    const files = bounds.map((_, s) => path.join(tmp, `shard-${s}.hnsw`));

    let workers = new ShardWorkers(shards, { base: baseBuf, seed: o.seed });
    let t = performance.now();
    await workers.run(bounds.map(([start, end]) => ({ op: 'gen', start, end })));
    const generateS = (performance.now() - t) / 1000;
    log(`n=${n}: generated in ${round(generateS, 1)} s; building ${shards} shards`);

    t = performance.now();
    const built = (await workers.run(
      bounds.map(([start, end], s) => ({
        op: 'build',
        start,
        end,
        m: o.m,
        efConstruction: o.efConstruction,
        // Room for the add-one-template measurement and ordinary growth without a resize.
        capacity: Math.ceil((end - start) * 1.02) + 1000,
        file: files[s]!,
      })),
    )) as Array<Extract<ShardReply, { op: 'build' }>>;
    const buildWallMs = performance.now() - t;
    await workers.close();

    t = performance.now();
    const index = files.map((f) => {
      const h = new HierarchicalNSW('cosine', DIM);
      h.readIndexSync(f);
      return h;
    });
    const loadS = (performance.now() - t) / 1000;
    const buildS = buildWallMs / 1000 + loadS;
    log(`n=${n}: built in ${round(buildWallMs / 1000, 1)} s + loaded in ${round(loadS, 2)} s`);
    global.gc?.();
    const rss = process.memoryUsage().rss;
    const { statSync } = await import('node:fs');
    const fileBytes = files.reduce((a, f) => a + statSync(f).size, 0);

    // Queries: a fresh noisy sample of random enrolled identities.
    const gen = new FaceLikeGenerator(o.seed);
    const qBuf = new SharedArrayBuffer(o.queries * DIM * 4);
    const queries = new Float32Array(qBuf);
    const qIds: number[] = [];
    let pick = o.seed >>> 0;
    for (let j = 0; j < o.queries; j++) {
      pick = (Math.imul(pick, 1664525) + 1013904223) >>> 0;
      const id = pick % n;
      qIds.push(id);
      gen.write(id, 1 + j, queries, j * DIM);
    }

    workers = new ShardWorkers(shards, { base: baseBuf, seed: o.seed });
    t = performance.now();
    const exactParts = (await workers.run(
      bounds.map(([start, end]) => ({ op: 'exact', start, end, queries: qBuf, count: o.queries })),
    )) as Array<Extract<ShardReply, { op: 'exact' }>>;
    const exactS = (performance.now() - t) / 1000;
    await workers.close();
    const truth: number[] = [];
    const truthSim: number[] = [];
    for (let j = 0; j < o.queries; j++) {
      let b = -1;
      let bs = Number.NEGATIVE_INFINITY;
      for (const p of exactParts) {
        if (p.bestSim[j]! > bs) {
          bs = p.bestSim[j]!;
          b = p.best[j]!;
        }
      }
      truth.push(b);
      truthSim.push(bs);
    }
    const sameSims = qIds.map((id, j) => dotRows(base, id * DIM, queries, j * DIM));
    const otherBest = truth
      .map((b, j) => (b === qIds[j] ? Number.NaN : truthSim[j]!))
      .filter((x) => !Number.isNaN(x));
    const exactHit = truth.filter((b, j) => b === qIds[j]).length / o.queries;
    log(`n=${n}: exact ground truth in ${round(exactS, 1)} s; exact identity hit@1 ${round(exactHit, 3)}`);

    const search = (j: number, ef: number): number => {
      const q = Array.from(queries.subarray(j * DIM, (j + 1) * DIM));
      const k = Math.min(ef, 32);
      let best = -1;
      let bestSim = Number.NEGATIVE_INFINITY;
      for (const h of index) {
        h.setEf(ef);
        const found = h.searchKnn(q, k);
        for (const label of found.neighbors) {
          const s = dotRows(base, label * DIM, queries, j * DIM);
          if (s > bestSim || (s === bestSim && label < best)) {
            bestSim = s;
            best = label;
          }
        }
      }
      return best;
    };

    const perEf: EfRow[] = [];
    for (const ef of o.efs) {
      for (let j = 0; j < Math.min(20, o.queries); j++) search(j, ef);
      const times: number[] = [];
      let hits = 0;
      let idHits = 0;
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < o.queries; j++) {
          const t0 = performance.now();
          const got = search(j, ef);
          times.push(performance.now() - t0);
          if (pass === 0) {
            if (got === truth[j]) hits++;
            if (got === qIds[j]) idHits++;
          }
        }
      }
      const row: EfRow = {
        ef,
        recall_at1: round(hits / o.queries, 4),
        identity_hit_at1: round(idHits / o.queries, 4),
        mean_ms: round(times.reduce((a, b) => a + b, 0) / times.length, 3),
        p50_ms: round(median(times), 3),
        p99_ms: round(percentile(times, 99), 3),
      };
      perEf.push(row);
      log(`n=${n}: ef=${ef} recall@1 ${row.recall_at1} p50 ${row.p50_ms} ms p99 ${row.p99_ms} ms`);
    }
    const chosen = perEf.find((r) => r.recall_at1 >= o.recallTarget) ?? perEf[perEf.length - 1]!;

    // Adding one template to the loaded index (new identities, to the smallest shard).
    const addTimes: number[] = [];
    const row = new Float32Array(DIM);
    for (let i = 0; i < 100; i++) {
      gen.write(n + i, 0, row, 0);
      const h = index.reduce((a, b) => (b.getCurrentCount() < a.getCurrentCount() ? b : a));
      const t0 = performance.now();
      h.addPoint(Array.from(row), n + i);
      addTimes.push(performance.now() - t0);
    }

    return {
      n,
      design:
        shards === 1
          ? 'one HNSW index (hnswlib-node, cosine; the single-index layout of HnswVectorIndex) built in one worker thread, written to disk and loaded into the main thread; min(ef, 32) candidates re-ranked exactly'
          : `${shards} HNSW shards (hnswlib-node, cosine) built in parallel worker threads, written to disk and loaded into the main thread; a query searches every shard in turn with the same ef, takes min(ef, 32) candidates from each and re-ranks all of them exactly (float32 dot products on the stored vectors)`,
      shards,
      m: o.m,
      efConstruction: o.efConstruction,
      queries: o.queries,
      generate_s: round(generateS, 1),
      build_s: round(buildS, 1),
      build_parts: {
        insert_s_per_shard: built.map((b) => round(b.buildMs / 1000, 1)),
        write_s_per_shard: built.map((b) => round(b.writeMs / 1000, 2)),
        load_s: round(loadS, 2),
      },
      load_s: round(loadS, 2),
      index_file_mb: mb(fileBytes),
      rss_mb: mb(rss),
      rss_note:
        'process RSS after the shards were loaded (build workers terminated); includes the JS copy of the vectors (vectors_copy_mb) that this benchmark re-ranks from and computes ground truth with',
      vectors_copy_mb: mb(n * DIM * 4),
      exact_s: round(exactS, 1),
      exact_identity_hit_at1: round(exactHit, 4),
      similarity_stats: {
        same_identity_mean: round(sameSims.reduce((a, b) => a + b, 0) / sameSims.length, 3),
        /** Over the queries whose exact top-1 is another identity (null when there were none). */
        best_other_mean:
          otherBest.length === 0 ? null : round(otherBest.reduce((a, b) => a + b, 0) / otherBest.length, 3),
        queries_nearest_is_other_identity: otherBest.length,
      },
      per_ef: perEf,
      chosen_ef: chosen.ef,
      recall_at1: chosen.recall_at1,
      p99_ms: chosen.p99_ms,
      p50_ms: chosen.p50_ms,
      add_one_template_ms: {
        median: round(median(addTimes), 3),
        p99: round(percentile(addTimes, 99), 3),
        count: addTimes.length,
      },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
