/**
 * The gallery benchmark's build cache (bench/.cache/gallery/, ignored by git). The data set
 * (vector slices, exact ground truth) depends only on the size, generator and queries, so it
 * lives in a data folder shared by every index design; each design (shards, M, efConstruction,
 * projection) keeps its index directories and build manifest in a subfolder. A long build resumes and a new design
 * reuses the data and ground truth.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HnswParams } from '../../src/gallery/hnsw-vector-index';
import type { IndexStamp } from '../../src/gallery/vector-index';
import { packageRoot } from '../../src/util/package-root';
import type { SyntheticParams } from './synthetic';

export interface BuildConfig {
  n: number;
  shards: number;
  m: number;
  efConstruction: number;
  /** gallery.hnsw.projectionDim: the graph's dimensions (0: the full 512). */
  projectionDim: number;
  /** gallery.hnsw.candidates: graph candidates re-scored exactly per search. */
  candidates: number;
  seed: number;
  params: SyntheticParams;
  tuningQueries: number;
  measureQueries: number;
}

/** The model id the benchmark's indexes are saved under. */
export const BENCH_MODEL = 'bench-synthetic';

/** The gallery's HnswVectorIndex parameters for this design, searching with `ef`. */
export function benchIndexParams(c: BuildConfig, ef: number, initialCapacity = 1024): HnswParams {
  return {
    m: c.m,
    efConstruction: c.efConstruction,
    ef,
    initialCapacity,
    projectionDim: c.projectionDim,
    candidates: c.candidates,
  };
}

/** The database state a saved benchmark shard claims (there is no database: any fixed stamp). */
export function benchStamp(start: number, end: number): IndexStamp {
  return { generation: 1, deleteGeneration: 0, maxLabel: end - 1, count: end - start };
}

/**
 * The data is generated and scanned for ground truth in this many slices, one worker thread
 * each; fixed (not the core count) so the cache key does not depend on the machine.
 */
export const DATA_SLICES = 2;

export interface BuildManifest {
  config: BuildConfig;
  genMs: Record<string, number>;
  shards: Record<
    string,
    { insertMs: number; insertCpuMs?: number; writeMs: number; readMs: number; finishedAt: string }
  >;
  /** Wall time of the parallel shard build; null when the shards were built in separate runs. */
  buildWallMs: number | null;
  buildLoadAverage: number[];
  buildStartedAt?: string;
  buildNice?: number;
  truthMs?: number;
}

interface DataManifest {
  genMs: Record<string, number>;
  truthMs?: number;
}

export interface Truth {
  queryIds: number[];
  best: number[];
  bestSim: number[];
  otherSim: number[];
  ownSim: number[];
}

function splitRange(n: number, parts: number): Array<[number, number]> {
  return Array.from({ length: parts }, (_, s) => [
    Math.floor((s * n) / parts),
    Math.floor(((s + 1) * n) / parts),
  ]);
}

export class BenchCache {
  /** Vector slices, ground truth and their timings: shared by every index design. */
  readonly dataDir: string;
  /** This design's shards and build manifest. */
  readonly dir: string;

  constructor(readonly config: BuildConfig) {
    const root = path.join(packageRoot(), 'bench', '.cache');
    mkdirSync(root, { recursive: true });
    // The cache holds gigabytes of derived data: never commit it.
    if (!existsSync(path.join(root, '.gitignore'))) writeFileSync(path.join(root, '.gitignore'), '*\n');
    const c = config;
    this.dataDir = path.join(
      root,
      'gallery',
      `n${c.n}-l${c.params.latent}-seed${c.seed}-q${c.tuningQueries}+${c.measureQueries}-v${DATA_SLICES}`,
    );
    this.dir = path.join(this.dataDir, `s${c.shards}-m${c.m}-efc${c.efConstruction}-p${c.projectionDim}`);
    mkdirSync(this.dir, { recursive: true });
  }

  /** Label ranges of the data slices. */
  sliceBounds(): Array<[number, number]> {
    return splitRange(this.config.n, DATA_SLICES);
  }
  /** Label ranges of the index shards. */
  bounds(): Array<[number, number]> {
    return splitRange(this.config.n, this.config.shards);
  }
  vectors(slice: number): string {
    return path.join(this.dataDir, `vectors-${slice}.f32`);
  }
  /** The slices (file and label range) a label range is read from. */
  slicesFor(start: number, end: number): Array<{ file: string; start: number; end: number }> {
    return this.sliceBounds()
      .map(([s, e], i) => ({ file: this.vectors(i), start: s, end: e }))
      .filter((sl) => sl.start < end && sl.end > start);
  }
  /** The directory a shard's HnswVectorIndex is saved in. */
  shard(s: number): string {
    return path.join(this.dir, `shard-${s}`);
  }

  manifest(): BuildManifest {
    const f = path.join(this.dir, 'manifest.json');
    const data = this.dataManifest();
    const base: BuildManifest = existsSync(f)
      ? (JSON.parse(readFileSync(f, 'utf8')) as BuildManifest)
      : { config: this.config, genMs: {}, shards: {}, buildWallMs: null, buildLoadAverage: [] };
    return { ...base, genMs: data.genMs, ...(data.truthMs === undefined ? {} : { truthMs: data.truthMs }) };
  }
  saveManifest(m: BuildManifest): void {
    const { genMs, truthMs, ...rest } = m;
    this.writeJson(path.join(this.dataDir, 'data.json'), {
      genMs,
      ...(truthMs === undefined ? {} : { truthMs }),
    });
    this.writeJson(path.join(this.dir, 'manifest.json'), rest);
  }

  truth(): Truth | undefined {
    const f = path.join(this.dataDir, 'truth.json');
    return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Truth) : undefined;
  }
  saveTruth(t: Truth): void {
    this.writeJson(path.join(this.dataDir, 'truth.json'), t);
  }

  private dataManifest(): DataManifest {
    const f = path.join(this.dataDir, 'data.json');
    return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as DataManifest) : { genMs: {} };
  }

  private writeJson(f: string, value: unknown): void {
    writeFileSync(`${f}.tmp`, `${JSON.stringify(value)}\n`);
    renameSync(`${f}.tmp`, f);
  }
}
