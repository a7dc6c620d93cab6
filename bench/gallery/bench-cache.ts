/**
 * The gallery benchmark's build cache (bench/.cache/gallery/KEY, ignored by git): slice vectors,
 * HNSW shards, exact ground truth and a manifest of what is done, so a long build resumes and a
 * measurement reuses it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/util/package-root';
import type { SyntheticParams } from './synthetic';

export interface BuildConfig {
  n: number;
  shards: number;
  m: number;
  efConstruction: number;
  seed: number;
  params: SyntheticParams;
  tuningQueries: number;
  measureQueries: number;
}

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

export interface Truth {
  queryIds: number[];
  best: number[];
  bestSim: number[];
  otherSim: number[];
  ownSim: number[];
}

export class BenchCache {
  readonly dir: string;

  constructor(readonly config: BuildConfig) {
    const root = path.join(packageRoot(), 'bench', '.cache');
    mkdirSync(root, { recursive: true });
    // The cache holds gigabytes of derived data: never commit it.
    if (!existsSync(path.join(root, '.gitignore'))) writeFileSync(path.join(root, '.gitignore'), '*\n');
    const c = config;
    const key = `n${c.n}-s${c.shards}-m${c.m}-efc${c.efConstruction}-l${c.params.latent}-seed${c.seed}-q${c.tuningQueries}+${c.measureQueries}`;
    this.dir = path.join(root, 'gallery', key);
    mkdirSync(this.dir, { recursive: true });
  }

  bounds(): Array<[number, number]> {
    const { n, shards } = this.config;
    return Array.from({ length: shards }, (_, s) => [
      Math.floor((s * n) / shards),
      Math.floor(((s + 1) * n) / shards),
    ]);
  }
  vectors(s: number): string {
    return path.join(this.dir, `vectors-${s}.f32`);
  }
  shard(s: number): string {
    return path.join(this.dir, `shard-${s}.hnsw`);
  }

  manifest(): BuildManifest {
    const f = path.join(this.dir, 'manifest.json');
    if (existsSync(f)) return JSON.parse(readFileSync(f, 'utf8')) as BuildManifest;
    return { config: this.config, genMs: {}, shards: {}, buildWallMs: null, buildLoadAverage: [] };
  }
  saveManifest(m: BuildManifest): void {
    this.writeJson('manifest.json', m);
  }

  truth(): Truth | undefined {
    const f = path.join(this.dir, 'truth.json');
    return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Truth) : undefined;
  }
  saveTruth(t: Truth): void {
    this.writeJson('truth.json', t);
  }

  private writeJson(name: string, value: unknown): void {
    const f = path.join(this.dir, name);
    writeFileSync(`${f}.tmp`, `${JSON.stringify(value)}\n`);
    renameSync(`${f}.tmp`, f);
  }
}
