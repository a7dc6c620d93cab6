/**
 * Gallery benchmark (`npm run bench:gallery`): vector search recall/latency/build/memory on
 * face-like synthetic 512-D vectors, and enrolment throughput on the fixture faces. Merges its
 * results into bench/results/gallery.json (after every stage, so a cut-short run keeps what it
 * measured).
 *
 * Two phases per size. build (resumable, cached in bench/.cache/gallery/): generate, exact ground
 * truth, build the gallery's HnswVectorIndex (or shards of it, one worker thread each) and save
 * it. measure: a fresh child process loads it with HnswVectorIndex.load and measures
 * HnswVectorIndex.search. By default it measures the gallery's own design: one index with the
 * configured defaults of gallery.hnsw.
 *
 * Environment: GALLERY_BENCH_SIZES ("100000,1000000"), GALLERY_BENCH_PHASE (all|build|data: vectors and ground truth only|measure),
 * GALLERY_BENCH_SHARDS (1), GALLERY_BENCH_M, GALLERY_BENCH_EFC, GALLERY_BENCH_PROJECTION and
 * GALLERY_BENCH_CANDIDATES (gallery.hnsw defaults), GALLERY_BENCH_EFS (ef sweep; default by size), GALLERY_BENCH_TUNING_QUERIES
 * (200), GALLERY_BENCH_QUERIES (500 held out), GALLERY_BENCH_LATENT (128), GALLERY_BENCH_SKIP_ENROL=1,
 * GALLERY_BENCH_REPORT (result name, default "gallery"), GALLERY_BENCH_NOTE (free text for the run log).
 */
import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gallerySchema } from '../src/config/gallery-schema';
import { packageRoot } from '../src/util/package-root';
import { machineInfo, report, round, type TableRow } from './bench-report';
import type { BuildConfig } from './gallery/bench-cache';
import { runEnrolBench } from './gallery/enrol-bench';
import { fixtureImpostorStats, syntheticStats } from './gallery/similarity-stats';
import { summariseSize } from './gallery/size-summary';
import { FACE_PARAMS, SESSION1_PARAMS } from './gallery/synthetic';
import { runVectorBuild } from './gallery/vector-build';
import { type Layout, type MeasureResult, runVectorMeasure } from './gallery/vector-measure';

const env = process.env;
/** The gallery's configured index parameters: what the benchmark measures unless told otherwise. */
const HNSW_DEFAULTS = gallerySchema.parse({}).hnsw;
const log = (m: string) =>
  process.stderr.write(`[gallery-bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

interface ChildJob {
  config: BuildConfig;
  layout: Layout;
  efs: number[];
  target: number;
}

const TARGETS: Record<string, { recall: number; p99: number; build?: number; rss?: number }> = {
  n100k: { recall: 0.99, p99: 2, build: 90 },
  n1m: { recall: 0.98, p99: 10, rss: 3500 },
};

export function sizeKey(n: number): string {
  if (n % 1_000_000 === 0) return `n${n / 1_000_000}m`;
  if (n % 1000 === 0) return `n${n / 1000}k`;
  return `n${n}`;
}

/** Runs one measurement in a fresh process (--expose-gc), so RSS is that layout's alone. */
function measureInChild(job: ChildJob): Promise<MeasureResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], {
      env: { ...env, GALLERY_BENCH_CHILD: JSON.stringify(job) },
      execArgv: ['--expose-gc'],
    });
    let result: MeasureResult | undefined;
    child.on('message', (m) => {
      result = m as MeasureResult;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      result ? resolve(result) : reject(new Error(`measure child exited with ${code} and no result`)),
    );
  });
}

async function main(): Promise<void> {
  const sizes = (env.GALLERY_BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
  const phase = env.GALLERY_BENCH_PHASE ?? 'all';
  // Per-shard ef sweeps: a 1M graph needs far larger ef for the same recall.
  const efsFor = (n: number) =>
    (
      env.GALLERY_BENCH_EFS ??
      (n >= 1_000_000 ? '64,96,128,192,256,384,512,768,1024' : '16,24,32,48,64,96,128,192,256,384')
    )
      .split(',')
      .map(Number);
  const params = { ...FACE_PARAMS, latent: Number(env.GALLERY_BENCH_LATENT ?? FACE_PARAMS.latent) };
  const name = env.GALLERY_BENCH_REPORT ?? 'gallery';
  const file = path.join(packageRoot(), 'bench', 'results', `${name}.json`);
  const json: Record<string, unknown> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const rows: TableRow[] = [];
  const runs = (json.runs as unknown[] | undefined) ?? [];
  const run: Record<string, unknown> = {
    started: new Date().toISOString(),
    phase,
    sizes,
    nice: os.getPriority(),
    loadAverage1mAtStart: round(os.loadavg()[0] ?? 0),
    note: env.GALLERY_BENCH_NOTE ?? '',
  };
  runs.push(run);
  json.runs = runs;
  json.machine = machineInfo();
  json.data = {
    kind: `face-like synthetic 512-D unit vectors (bench/gallery/synthetic.ts): ${params.groups} groups, one identity per enrolled vector, in a ${params.latent}-D latent space lifted by a fixed random ${params.latent}x512 map plus isotropic noise; seeded; one template per identity; every query is a NEW noisy sample (never the enrolled one) of a random enrolled identity`,
    recall_definition:
      'recall@1 = share of held-out queries whose top hit equals the exact brute-force top-1 (float32 vectors, dot products in double) over the same gallery; ef is chosen on separate tuning queries',
    similarity: {
      note: 'genuine = enrolled template vs a new sample of the same identity; impostor = different identities. The real fixture faces: same-person pairs 0.552-0.8 on knn_examples (README Thresholds), impostors below.',
      fixture_impostor: fixtureImpostorStats(),
      synthetic: syntheticStats(params, 20261129),
      session1_synthetic_64d: syntheticStats(SESSION1_PARAMS, 20261129),
    },
  };
  const write = () => report(name, json, rows);

  if (phase === 'all' && env.GALLERY_BENCH_SKIP_ENROL !== '1') {
    const enrol = await runEnrolBench(log);
    json.enrol = enrol;
    json.enrol_images_per_s = enrol.enrol_images_per_s;
    rows.push({ metric: 'enrol images/s (end to end)', value: enrol.enrol_images_per_s });
    write();
  }

  for (const n of sizes) {
    const key = sizeKey(n);
    const config: BuildConfig = {
      n,
      shards: Number(env.GALLERY_BENCH_SHARDS ?? 1),
      m: Number(env.GALLERY_BENCH_M ?? HNSW_DEFAULTS.m),
      efConstruction: Number(env.GALLERY_BENCH_EFC ?? HNSW_DEFAULTS.efConstruction),
      projectionDim: Number(env.GALLERY_BENCH_PROJECTION ?? HNSW_DEFAULTS.projectionDim),
      candidates: Number(env.GALLERY_BENCH_CANDIDATES ?? HNSW_DEFAULTS.candidates),
      seed: 20261129,
      params,
      tuningQueries: Number(env.GALLERY_BENCH_TUNING_QUERIES ?? 200),
      measureQueries: Number(env.GALLERY_BENCH_QUERIES ?? 500),
    };
    const cache = await runVectorBuild(config, log, phase === 'data');
    if (phase === 'build' || phase === 'data') continue;
    const target = TARGETS[key];
    const measured = [
      await measureInChild({ config, layout: 'sequential', efs: efsFor(n), target: target?.recall ?? 0.99 }),
    ];
    const summary = summariseSize(cache, measured, target);
    json[key] = summary;
    for (const k of ['recall_at1', 'p99_ms', 'rss_mb', 'load_s'] as const) {
      json[`${key}_${k}`] = summary.headline[k];
    }
    json[`${key}_cpu_p99_ms`] = summary.headline.cpu_p99_ms;
    // The machine is shared: a build's thread CPU time is its wall time on free cores.
    json[`${key}_build_s`] = summary.headline.build_s_on_free_cores;
    json[`${key}_build_wall_s`] = summary.headline.build_s;
    rows.push(...summary.rows.map((r) => ({ ...r, metric: `${key} ${r.metric}` })));
    write();
  }
  run.loadAverage1mAtEnd = round(os.loadavg()[0] ?? 0);
  run.finished = new Date().toISOString();
  write();
}

const child = env.GALLERY_BENCH_CHILD;
if (child) {
  const job = JSON.parse(child) as ChildJob;
  runVectorMeasure(job.config, job.layout, job.efs, job.target, log)
    .then((r) => process.send!(r, () => process.exit(0)))
    .catch((err) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    });
} else {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
