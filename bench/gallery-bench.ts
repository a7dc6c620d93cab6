/**
 * Gallery benchmark (`npm run bench:gallery`): vector search recall/latency/build/memory on
 * clustered synthetic face-like 512-D vectors, and enrolment throughput on the fixture faces.
 * Writes bench/results/gallery.json (after every stage, so a cut-short run keeps what it measured).
 *
 * Environment: GALLERY_BENCH_SIZES (default "100000,1000000"), GALLERY_BENCH_SHARDS (default: cores),
 * GALLERY_BENCH_M (16), GALLERY_BENCH_EFC (100), GALLERY_BENCH_QUERIES (200; 100 above 300k),
 * GALLERY_BENCH_EFS (per-shard ef values to sweep), GALLERY_BENCH_SKIP_ENROL=1,
 * GALLERY_BENCH_N1M_NOTE (why 1M was not measured, when it is not in the sizes), GALLERY_BENCH_REPORT
 * (result name, default "gallery"; e.g. a GALLERY_BENCH_SHARDS=1 comparison run).
 */
import os from 'node:os';
import { machineInfo, report, round, type TableRow } from './bench-report';
import { type EnrolBenchResult, runEnrolBench } from './gallery/enrol-bench';
import { runVectorBench, type VectorBenchResult } from './gallery/vector-bench';

const env = process.env;
const log = (m: string) =>
  process.stderr.write(`[gallery-bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

function sizeKey(n: number): string {
  if (n % 1_000_000 === 0) return `n${n / 1_000_000}m`;
  if (n % 1000 === 0) return `n${n / 1000}k`;
  return `n${n}`;
}

const TARGETS: Record<string, { recall: number; p99: number; build?: number; rss?: number }> = {
  n100k: { recall: 0.99, p99: 2, build: 90 },
  n1m: { recall: 0.98, p99: 10, rss: 3500 },
};

async function main(): Promise<void> {
  const sizes = (env.GALLERY_BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
  const shards = Number(env.GALLERY_BENCH_SHARDS ?? os.availableParallelism());
  const m = Number(env.GALLERY_BENCH_M ?? 16);
  const efConstruction = Number(env.GALLERY_BENCH_EFC ?? 100);
  const efs = (env.GALLERY_BENCH_EFS ?? '16,24,32,48,64,96,128,192,256').split(',').map(Number);

  const json: Record<string, unknown> = {
    machine: machineInfo(),
    data: {
      kind: 'clustered synthetic face-like 512-D unit vectors (bench/gallery/synthetic.ts): 1024 groups and one identity per enrolled vector in a 64-D latent space, lifted by a fixed random 64x512 map plus isotropic noise; seeded, one template per identity; queries are a fresh noisy sample of a random enrolled identity',
      recall_definition:
        'recall@1 = share of queries whose top hit equals the exact brute-force top-1 (float32 dot products over the same vectors)',
    },
  };
  const rows: TableRow[] = [];
  const results: VectorBenchResult[] = [];
  let enrol: EnrolBenchResult | undefined;

  const write = () => {
    for (const key of ['n100k', 'n1m']) {
      if (!results.some((r) => sizeKey(r.n) === key)) {
        for (const k of ['recall_at1', 'p99_ms', 'build_s', 'rss_mb', 'load_s']) json[`${key}_${k}`] ??= null;
      }
    }
    if (!results.some((r) => r.n === 1_000_000)) {
      json.n1m_note =
        env.GALLERY_BENCH_N1M_NOTE ??
        '1M was not in GALLERY_BENCH_SIZES for this run: the n1m_* keys were not measured.';
    }
    const largest = results[results.length - 1];
    json.add_one_template_ms = largest ? largest.add_one_template_ms.median : null;
    json.add_one_template_note = largest
      ? `median of 100 hnsw addPoint calls of new identities into the loaded ${largest.n}-vector sharded index (index only; Gallery.enrol adds decode, inference and an SQLite commit on top)`
      : 'not measured';
    json.enrol_images_per_s = enrol?.enrol_images_per_s ?? null;
    report(env.GALLERY_BENCH_REPORT ?? 'gallery', json, rows);
  };

  if (env.GALLERY_BENCH_SKIP_ENROL !== '1') {
    enrol = await runEnrolBench(log);
    json.enrol = enrol;
    rows.push({ metric: 'enrol images/s (end to end)', value: enrol.enrol_images_per_s });
    write();
  }

  for (const n of sizes) {
    const queries = Number(env.GALLERY_BENCH_QUERIES ?? (n > 300_000 ? 100 : 200));
    const r = await runVectorBench({
      n,
      shards,
      m,
      efConstruction,
      efs,
      queries,
      recallTarget: TARGETS[sizeKey(n)]?.recall ?? 0.99,
      seed: 20261129,
      log,
    });
    results.push(r);
    const key = sizeKey(n);
    const t = TARGETS[key];
    json[key] = r;
    json[`${key}_recall_at1`] = r.recall_at1;
    json[`${key}_p99_ms`] = r.p99_ms;
    json[`${key}_build_s`] = r.build_s;
    json[`${key}_rss_mb`] = r.rss_mb;
    json[`${key}_load_s`] = r.load_s;
    const tag = `${key} (${shards} shards, M=${m}, efC=${efConstruction}, ef=${r.chosen_ef}, ${queries} q)`;
    rows.push(
      {
        metric: `${tag} recall@1`,
        value: r.recall_at1,
        ...(t ? { target: `>= ${t.recall}`, ok: r.recall_at1 >= t.recall } : {}),
      },
      {
        metric: `${key} search p99 ms`,
        value: r.p99_ms,
        ...(t ? { target: `<= ${t.p99}`, ok: r.p99_ms <= t.p99 } : {}),
      },
      {
        metric: `${key} build s`,
        value: r.build_s,
        ...(t?.build ? { target: `<= ${t.build}`, ok: r.build_s <= t.build } : {}),
      },
      {
        metric: `${key} RSS MB`,
        value: r.rss_mb,
        ...(t?.rss ? { target: `<= ${t.rss}`, ok: r.rss_mb <= t.rss } : {}),
      },
      { metric: `${key} load s`, value: r.load_s },
      { metric: `${key} add one template ms`, value: r.add_one_template_ms.median },
    );
    write();
  }
  if (!results.some((r) => r.n === 1_000_000)) {
    rows.push({ metric: 'n1m (all keys)', value: 'not measured', target: 'see n1m_note', ok: false });
  }
  json.elapsed_note = `load average at end ${round(os.loadavg()[0] ?? 0)} (other work shares the CPU)`;
  write();
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
