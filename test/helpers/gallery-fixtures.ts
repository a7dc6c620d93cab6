import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ArgusConfig } from '../../src/config/config-schema';
import { parseConfig } from '../../src/config/load-config';
import type { FaceSource, Gallery } from '../../src/gallery/gallery';
import { openGallery } from '../../src/gallery/open-gallery';
import { mulberry32 } from '../../src/util/mulberry32';

export const TEST_MODEL = { modelId: 'fr_feature', dim: 512 } as const;

/** A fresh temporary directory and a function that removes it. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `argus-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function unitVector(dim: number, rand: () => number): Float32Array {
  const v = new Float32Array(dim);
  let s = 0;
  for (let i = 0; i < dim; i++) {
    // Sum of uniforms: close enough to Gaussian for random directions.
    const x = rand() + rand() + rand() - 1.5;
    v[i] = x;
    s += x * x;
  }
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < dim; i++) v[i]! *= inv;
  return v;
}

/**
 * A unit vector whose bytes survive hnswlib's own normalisation unchanged: `nonzero` entries of
 * +-1/sqrt(nonzero) (nonzero a power of 4, so the values and their squares are exact in float32),
 * at random positions with random signs. Lets tests search raw files for a vector's bytes.
 */
export function exactUnitVector(dim: number, nonzero: number, rand: () => number): Float32Array {
  const v = new Float32Array(dim);
  const value = 1 / Math.sqrt(nonzero);
  const positions = Array.from({ length: dim }, (_, i) => i).sort(() => rand() - 0.5);
  for (const p of positions.slice(0, nonzero)) v[p] = rand() < 0.5 ? -value : value;
  return v;
}

/** `base` moved towards a random direction so that cosine(base, result) is about `similarity`. */
export function nearby(base: Float32Array, similarity: number, rand: () => number): Float32Array {
  const noise = unitVector(base.length, rand);
  const a = similarity;
  const b = Math.sqrt(1 - a * a);
  const v = new Float32Array(base.length);
  for (let i = 0; i < v.length; i++) v[i] = a * base[i]! + b * noise[i]!;
  let s = 0;
  for (const x of v) s += x * x;
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
  return v;
}

export const seeded = (seed: number) => mulberry32(seed);

export function testConfig(dataDir: string, extra: Record<string, unknown> = {}): Readonly<ArgusConfig> {
  return parseConfig({ dataDir, log: { level: 'silent' }, ...extra });
}

/** A gallery on real SQLite and HNSW with the fixture model's id; no face analyzer unless given. */
export function openTestGallery(
  dataDir: string,
  o: { config?: Record<string, unknown>; faces?: () => Promise<FaceSource>; create?: boolean } = {},
): Gallery {
  return openGallery({
    config: testConfig(dataDir, o.config),
    create: o.create ?? true,
    embedder: { ...TEST_MODEL },
    ...(o.faces ? { faces: o.faces } : {}),
  });
}

export const ENROLLER = { reason: 'test watchlist', enrolledBy: 'jest' } as const;
