/**
 * Measure phase of the gallery benchmark, run in a fresh process so its RSS is the loaded index
 * alone: loads the cached shards (sequential layout: all in this thread, searched one after the
 * other; parallel layout: one search worker per shard, searched at the same time), picks ef on
 * the tuning queries, then measures recall@1 against exact brute force and latency on the
 * held-out queries.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { HierarchicalNSW } from 'hnswlib-node';
import { median, percentile, round } from '../bench-report';
import { BenchCache, type BuildConfig } from './bench-cache';
import { makeQueries } from './queries';
import type { SearchReply, SearchRequest, SearchWorkerData } from './search-worker';
import { mergeHits, type ShardHit, searchShard } from './shard-search';
import { DIM, FaceLikeGenerator } from './synthetic';

export type Layout = 'sequential' | 'parallel';

export interface EfRow {
  ef: number;
  recall_at1: number;
  p50_ms: number;
  p99_ms: number;
  cpu_p50_ms: number;
  cpu_p99_ms: number;
}

export interface MeasureResult {
  layout: Layout;
  load_s: number;
  rss_mb: number;
  tuning: EfRow[];
  chosen_ef: number;
  recall_at1: number;
  identity_hit_at1: number;
  mean_ms: number;
  p50_ms: number;
  p99_ms: number;
  /** Process CPU time per query (all threads: in the parallel layout both shard workers). */
  cpu_p50_ms: number;
  cpu_p99_ms: number;
  queries: number;
  load_average: number[];
  add_one_template_ms: { median: number; p99: number; count: number };
}

interface Searcher {
  search(q: Float32Array, ef: number): Promise<ShardHit>;
  add(v: Float32Array, label: number): Promise<number>;
  close(): Promise<void>;
}

const CANDIDATES = 32;

function sequential(files: string[]): Searcher {
  const shards = files.map((f) => {
    const h = new HierarchicalNSW('cosine', DIM);
    h.readIndexSync(f);
    return h;
  });
  return {
    search: async (q, ef) => {
      const arr = Array.from(q);
      return mergeHits(shards.map((h) => searchShard(h, arr, ef, CANDIDATES)));
    },
    add: async (v, label) => {
      const h = shards.reduce((a, b) => (b.getCurrentCount() < a.getCurrentCount() ? b : a));
      const t = performance.now();
      h.addPoint(Array.from(v), label);
      return performance.now() - t;
    },
    close: async () => {},
  };
}

async function parallel(files: string[]): Promise<Searcher> {
  const script = path.join(__dirname, 'search-worker.js');
  const workers = files.map(
    (file) => new Worker(script, { workerData: { file, dim: DIM } satisfies SearchWorkerData }),
  );
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.once('error', reject);
          w.once('message', () => resolve());
        }),
    ),
  );
  let next = 0;
  const pending = new Map<number, { left: number; hits: ShardHit[]; resolve: (h: ShardHit) => void }>();
  for (const w of workers) {
    w.on('message', (m: SearchReply) => {
      if (m.op !== 'search') return;
      const p = pending.get(m.id)!;
      p.hits.push({ label: m.label, similarity: m.similarity });
      if (--p.left === 0) {
        pending.delete(m.id);
        p.resolve(mergeHits(p.hits));
      }
    });
  }
  return {
    search: (q, ef) =>
      new Promise<ShardHit>((resolve) => {
        const id = next++;
        pending.set(id, { left: workers.length, hits: [], resolve });
        for (const w of workers)
          w.postMessage({ op: 'search', id, q, ef, candidates: CANDIDATES } satisfies SearchRequest);
      }),
    add: (v, label) =>
      new Promise<number>((resolve) => {
        const w = workers[label % workers.length]!;
        const t = performance.now();
        const onMsg = (m: SearchReply) => {
          if (m.op !== 'add') return;
          w.off('message', onMsg);
          resolve(performance.now() - t);
        };
        w.on('message', onMsg);
        w.postMessage({ op: 'add', id: next++, v, label } satisfies SearchRequest);
      }),
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

export async function runVectorMeasure(
  config: BuildConfig,
  layout: Layout,
  efs: number[],
  recallTarget: number,
  log: (m: string) => void,
): Promise<MeasureResult> {
  const cache = new BenchCache(config);
  const truth = cache.truth();
  if (!truth) throw new Error(`no ground truth in ${cache.dir}: run the build phase first`);
  const files = cache.bounds().map((_, s) => cache.shard(s));
  const loadAverage = [round(os.loadavg()[0] ?? 0)];
  const t = performance.now();
  const searcher = layout === 'sequential' ? sequential(files) : await parallel(files);
  const loadS = (performance.now() - t) / 1000;
  global.gc?.();
  const rssMb = round(process.memoryUsage().rss / 2 ** 20, 0);
  const tag = `n=${config.n} ${layout}`;
  log(`${tag}: loaded in ${round(loadS, 2)} s, RSS ${rssMb} MB`);
  try {
    const total = config.tuningQueries + config.measureQueries;
    const q = makeQueries(config.n, total, config.seed, config.params);
    const row = (j: number) => q.vectors.subarray(j * DIM, (j + 1) * DIM);
    const run = async (from: number, to: number, ef: number) => {
      const times: number[] = [];
      const cpu: number[] = [];
      let hits = 0;
      let idHits = 0;
      for (let j = from; j < to; j++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const got = await searcher.search(row(j), ef);
        times.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        if (got.label === truth.best[j]) hits++;
        if (got.label === truth.queryIds[j]) idHits++;
      }
      return { times, cpu, recall: hits / (to - from), idHit: idHits / (to - from) };
    };
    // Warm-up (page faults of a freshly loaded index), not measured.
    await run(0, Math.min(50, config.tuningQueries), efs[efs.length - 1]!);
    const tuning: EfRow[] = [];
    for (const ef of efs) {
      const r = await run(0, config.tuningQueries, ef);
      const er = {
        ef,
        recall_at1: round(r.recall, 4),
        p50_ms: round(median(r.times), 3),
        p99_ms: round(percentile(r.times, 99), 3),
        cpu_p50_ms: round(median(r.cpu), 3),
        cpu_p99_ms: round(percentile(r.cpu, 99), 3),
      };
      tuning.push(er);
      log(`${tag}: tuning ef=${ef} recall@1 ${er.recall_at1} p50 ${er.p50_ms} p99 ${er.p99_ms} ms`);
    }
    const chosen = tuning.find((r) => r.recall_at1 >= recallTarget) ?? tuning[tuning.length - 1]!;
    loadAverage.push(round(os.loadavg()[0] ?? 0));
    const m = await run(config.tuningQueries, total, chosen.ef);
    loadAverage.push(round(os.loadavg()[0] ?? 0));
    log(
      `${tag}: held-out ${config.measureQueries} queries at ef=${chosen.ef}: recall@1 ${round(m.recall, 4)} p50 ${round(median(m.times), 3)} p99 ${round(percentile(m.times, 99), 3)} ms`,
    );

    const gen = new FaceLikeGenerator(config.seed, config.params);
    const addTimes: number[] = [];
    const v = new Float32Array(DIM);
    for (let i = 0; i < 100; i++) {
      gen.write(config.n + i, 0, v, 0);
      addTimes.push(await searcher.add(v, config.n + i));
    }
    return {
      layout,
      load_s: round(loadS, 2),
      rss_mb: rssMb,
      tuning,
      chosen_ef: chosen.ef,
      recall_at1: round(m.recall, 4),
      identity_hit_at1: round(m.idHit, 4),
      mean_ms: round(m.times.reduce((a, b) => a + b, 0) / m.times.length, 3),
      p50_ms: round(median(m.times), 3),
      p99_ms: round(percentile(m.times, 99), 3),
      cpu_p50_ms: round(median(m.cpu), 3),
      cpu_p99_ms: round(percentile(m.cpu, 99), 3),
      queries: config.measureQueries,
      load_average: loadAverage,
      add_one_template_ms: {
        median: round(median(addTimes), 3),
        p99: round(percentile(addTimes, 99), 3),
        count: 100,
      },
    };
  } finally {
    await searcher.close();
  }
}
