/**
 * Measure phase of the gallery benchmark, run in a fresh process so its RSS is the loaded index
 * alone: loads the cached shards with the gallery's own HnswVectorIndex.load (checksums, full
 * vectors and graph), picks ef on the tuning queries, then measures recall@1 against exact brute
 * force and latency on the held-out queries. Each query is HnswVectorIndex.search(q, 1): the graph
 * search on the projection plus the exact re-scoring of its candidates, as in the gallery.
 */
import os from 'node:os';
import { HnswVectorIndex } from '../../src/gallery/hnsw-vector-index';
import type { VectorHit, VectorIndex } from '../../src/gallery/vector-index';
import { median, percentile, round } from '../bench-report';
import { BENCH_MODEL, BenchCache, type BuildConfig, benchIndexParams } from './bench-cache';
import { makeQueries } from './queries';
import { DIM, FaceLikeGenerator } from './synthetic';

/** Shards are searched one after the other in this thread (the gallery itself uses one index). */
export type Layout = 'sequential';

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
  /** Process CPU time per query. */
  cpu_p50_ms: number;
  cpu_p99_ms: number;
  queries: number;
  load_average: number[];
  add_one_template_ms: { median: number; p99: number; count: number };
}

/** The saved shards, loaded for a given ef (ef is fixed at load, as in the gallery's config). */
class Shards {
  private indexes: VectorIndex[] = [];
  private ef = -1;

  constructor(
    private readonly dirs: string[],
    private readonly config: BuildConfig,
  ) {}

  useEf(ef: number): void {
    if (ef === this.ef) return;
    this.indexes = [];
    global.gc?.();
    this.indexes = this.dirs.map((dir) => {
      const r = HnswVectorIndex.load(dir, BENCH_MODEL, DIM, benchIndexParams(this.config, ef));
      if (!r.ok) throw new Error(`${dir}: ${r.problem}: ${r.detail}`);
      return r.index;
    });
    this.ef = ef;
  }

  search(q: Float32Array): VectorHit | undefined {
    let best: VectorHit | undefined;
    for (const index of this.indexes) {
      const h = index.search(q, 1)[0];
      if (
        h &&
        (!best ||
          h.similarity > best.similarity ||
          (h.similarity === best.similarity && h.label < best.label))
      )
        best = h;
    }
    return best;
  }

  /** Adds one vector to the smallest shard; returns the milliseconds it took. */
  add(v: Float32Array, label: number): number {
    const index = this.indexes.reduce((a, b) => (b.size() < a.size() ? b : a));
    const t = performance.now();
    index.add(label, v);
    return performance.now() - t;
  }
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
  const dirs = cache.bounds().map((_, s) => cache.shard(s));
  const loadAverage = [round(os.loadavg()[0] ?? 0)];
  const t = performance.now();
  const searcher = new Shards(dirs, config);
  searcher.useEf(efs[efs.length - 1]!);
  const loadS = (performance.now() - t) / 1000;
  global.gc?.();
  const rssMb = round(process.memoryUsage().rss / 2 ** 20, 0);
  const tag = `n=${config.n} ${layout}`;
  log(`${tag}: loaded in ${round(loadS, 2)} s, RSS ${rssMb} MB`);
  const total = config.tuningQueries + config.measureQueries;
  const q = makeQueries(config.n, total, config.seed, config.params);
  const row = (j: number) => q.vectors.subarray(j * DIM, (j + 1) * DIM);
  let warmEf = -1;
  const run = (from: number, to: number, ef: number) => {
    const times: number[] = [];
    const cpu: number[] = [];
    let hits = 0;
    let idHits = 0;
    searcher.useEf(ef);
    if (ef !== warmEf) {
      // Every ef is a fresh load: warm it up (page faults, cold caches) on 50 tuning queries first.
      for (let j = 0; j < Math.min(50, config.tuningQueries); j++) searcher.search(row(j));
      warmEf = ef;
    }
    for (let j = from; j < to; j++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const got = searcher.search(row(j));
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      if (got?.label === truth.best[j]) hits++;
      if (got?.label === truth.queryIds[j]) idHits++;
    }
    return { times, cpu, recall: hits / (to - from), idHit: idHits / (to - from) };
  };
  const tuning: EfRow[] = [];
  for (const ef of efs) {
    const r = run(0, config.tuningQueries, ef);
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
  const m = run(config.tuningQueries, total, chosen.ef);
  loadAverage.push(round(os.loadavg()[0] ?? 0));
  log(
    `${tag}: held-out ${config.measureQueries} queries at ef=${chosen.ef}: recall@1 ${round(m.recall, 4)} p50 ${round(median(m.times), 3)} p99 ${round(percentile(m.times, 99), 3)} ms`,
  );

  const gen = new FaceLikeGenerator(config.seed, config.params);
  const addTimes: number[] = [];
  const v = new Float32Array(DIM);
  for (let i = 0; i < 100; i++) {
    gen.write(config.n + i, 0, v, 0);
    addTimes.push(searcher.add(v, config.n + i));
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
}
