/**
 * Folds one size's build manifest, ground truth and per-layout measurements into the JSON the
 * benchmark commits, and picks the headline layout: the one meeting the recall target with the
 * lowest held-out p99 (else the highest recall).
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { round, type TableRow } from '../bench-report';
import type { BenchCache } from './bench-cache';
import type { MeasureResult } from './vector-measure';

interface Target {
  recall: number;
  p99: number;
  build?: number;
  rss?: number;
}

function buildOnFreeCores(man: ReturnType<BenchCache['manifest']>): number | null {
  const shards = Object.values(man.shards);
  if (shards.length === 0 || shards.some((s) => s.insertCpuMs === undefined)) return null;
  return round(Math.max(...shards.map((s) => (s.insertCpuMs! + s.writeMs) / 1000)), 1);
}

function spread(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => round(s[Math.min(s.length - 1, Math.floor(p * s.length))]!, 3);
  return {
    min: q(0),
    p1: q(0.01),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length, 3),
    p99: q(0.99),
    max: q(1),
  };
}

export function summariseSize(cache: BenchCache, measured: MeasureResult[], target: Target | undefined) {
  const c = cache.config;
  const man = cache.manifest();
  const truth = cache.truth()!;
  const recallTarget = target?.recall ?? 0.99;
  const ok = measured.filter((m) => m.recall_at1 >= recallTarget);
  const head = (ok.length > 0 ? ok : measured).reduce((a, b) =>
    ok.length > 0 ? (b.p99_ms < a.p99_ms ? b : a) : b.recall_at1 > a.recall_at1 ? b : a,
  );
  const buildS = man.buildWallMs === null ? null : round(man.buildWallMs / 1000, 1);
  const buildCpuS = buildOnFreeCores(man);
  const dirBytes = (dir: string) =>
    readdirSync(dir).reduce((a, f) => a + statSync(path.join(dir, f)).size, 0);
  const fileMb = round(cache.bounds().reduce((a, _, s) => a + dirBytes(cache.shard(s)), 0) / 2 ** 20, 0);
  const exactHit = truth.best.filter((b, j) => b === truth.queryIds[j]).length / truth.best.length;
  const headline = {
    layout: head.layout,
    ef: head.chosen_ef,
    recall_at1: head.recall_at1,
    p99_ms: head.p99_ms,
    p50_ms: head.p50_ms,
    cpu_p50_ms: head.cpu_p50_ms,
    cpu_p99_ms: head.cpu_p99_ms,
    build_s: buildS,
    build_s_on_free_cores: buildCpuS,
    rss_mb: head.rss_mb,
    load_s: head.load_s,
  };
  const rows: TableRow[] = [];
  for (const m of measured) {
    const tag = `${m.layout} (${c.shards === 1 ? 'one index' : `${c.shards} shards`}, M=${c.m}, efC=${c.efConstruction}, proj=${c.projectionDim || 'none'}, ef=${m.chosen_ef}, ${m.queries} q)`;
    rows.push(
      {
        metric: `${tag} recall@1`,
        value: m.recall_at1,
        ...(target ? { target: `>= ${target.recall}`, ok: m.recall_at1 >= target.recall } : {}),
      },
      { metric: `${m.layout} p50 ms`, value: m.p50_ms },
      { metric: `${m.layout} CPU ms per query p50 / p99`, value: `${m.cpu_p50_ms} / ${m.cpu_p99_ms}` },
      {
        metric: `${m.layout} p99 ms`,
        value: m.p99_ms,
        ...(target ? { target: `<= ${target.p99}`, ok: m.p99_ms <= target.p99 } : {}),
      },
      {
        metric: `${m.layout} RSS MB`,
        value: m.rss_mb,
        ...(target?.rss ? { target: `<= ${target.rss}`, ok: m.rss_mb <= target.rss } : {}),
      },
      { metric: `${m.layout} load s`, value: m.load_s },
    );
  }
  const buildKind = c.shards === 1 ? 'one thread' : 'parallel shards';
  rows.push(
    { metric: `build s wall (${buildKind})`, value: buildS ?? 'resumed' },
    {
      metric: `build s on free cores (${buildKind}, thread CPU time)`,
      value: buildCpuS ?? 'not recorded',
      ...(target?.build && buildCpuS !== null
        ? { target: `<= ${target.build}`, ok: buildCpuS <= target.build }
        : {}),
    },
  );
  return {
    n: c.n,
    design: `${c.shards === 1 ? 'one index' : `${c.shards} shards built at the same time in ${c.shards} worker threads and searched one after the other`}: the gallery's own HnswVectorIndex (src/gallery/hnsw-vector-index.ts) with M=${c.m}, efConstruction=${c.efConstruction}, ${c.projectionDim > 0 ? `the graph on a fixed random orthonormal projection of the 512-D vectors to ${c.projectionDim} dimensions` : 'the graph on the full 512-D vectors'}; built in a worker thread from vectors already in memory and saved (graph, full vectors, checksummed sidecar); measured through HnswVectorIndex.load and search(q, 1): max(4, ${c.candidates}) graph candidates re-scored exactly (double precision) on the full vectors`,
    config: {
      shards: c.shards,
      m: c.m,
      efConstruction: c.efConstruction,
      projection_dim: c.projectionDim,
      candidates: c.candidates,
      latent: c.params.latent,
      seed: c.seed,
      tuning_queries: c.tuningQueries,
      measure_queries: c.measureQueries,
    },
    build: {
      build_s: buildS,
      build_s_definition:
        'wall time of the parallel shard build (insertions + writing the files); the slice read and the synthetic generation are not included',
      insert_s_per_shard: Object.values(man.shards).map((s) => round(s.insertMs / 1000, 1)),
      insert_cpu_s_per_shard: Object.values(man.shards).map((s) =>
        s.insertCpuMs === undefined ? null : round(s.insertCpuMs / 1000, 1),
      ),
      build_s_on_free_cores: buildOnFreeCores(man),
      build_s_on_free_cores_definition:
        'the slowest shard worker thread CPU time for its insertions (/proc/thread-self/stat) plus its file write: the wall time of this parallel build when each worker has a core to itself (this machine is shared, so the wall time above mostly measures the other work)',
      write_s_per_shard: Object.values(man.shards).map((s) => round(s.writeMs / 1000, 2)),
      started: man.buildStartedAt ?? null,
      nice: man.buildNice ?? null,
      load_average_1m_per_minute: man.buildLoadAverage,
      generate_s_per_slice: Object.values(man.genMs).map((ms) => round(ms / 1000, 1)),
      exact_truth_s: man.truthMs === undefined ? null : round(man.truthMs / 1000, 1),
      index_file_mb: fileMb,
    },
    ground_truth: {
      exact_identity_hit_at1: round(exactHit, 4),
      own_identity_similarity: spread(truth.ownSim),
      best_other_identity_similarity: spread(truth.otherSim),
      note: 'per query (tuning + held-out): similarity to its own enrolled template, and to the most similar OTHER identity in the whole gallery (exact)',
    },
    layouts: measured,
    headline,
    rows,
  };
}
