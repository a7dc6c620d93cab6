import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ModelPathOptions, modelPath, pidAlive } from './model-fetcher';
import type { ModelEntry, ModelManifest } from './model-manifest';

/**
 * The manifest's graph patches cost ~0.6 s of CPU per process (onnx-proto decode + encode of all
 * three models), and every vision worker pays it. The patched bytes are derived data, so they are
 * kept in <modelsDir>/.cache/<id>-<key>.onnx, keyed by the original's sha256, the patches and
 * PATCH_CACHE_FORMAT, with a sidecar <id>-<key>.json holding their sha256. A hit reads both files and
 * re-hashes the bytes (a few ms); anything that fails that check is rebuilt, never trusted.
 * onnx-proto and the fetcher's download code are loaded only on a miss.
 *
 * Not cached: onnxruntime's own optimised graph (`optimizedModelFilePath`). Measured with
 * onnxruntime-node 1.30 on these models, creating the three sessions from pre-optimised files with
 * optimisation disabled took ~140 ms against ~180 ms from the patched files at level 'all': ~40 ms
 * saved, not worth a file tied to the ORT version and the CPU. Most of a cold session start is ORT's
 * one-time initialisation, not graph optimisation.
 */

/**
 * Part of every cache key. Bump it whenever onnx-graph-patch.ts changes the bytes a patch produces,
 * so entries written by the old code stop matching and get rebuilt.
 */
export const PATCH_CACHE_FORMAT = 1;
export const PATCH_CACHE_DIR = '.cache';
/** Temp files of a process on another host cannot be checked by pid; after this long they are leftovers. */
const TEMP_STALE_MS = 60 * 60_000;

export type PatchCacheOutcome =
  /** Verified bytes read from the cache; the original and onnx-proto were not touched. */
  | 'hit'
  /** Patched in memory and written to the cache (first use, patch change, or a bad cache file). */
  | 'stored'
  /** Patched in memory; writing the cache failed (read-only or full disk), see cacheError. */
  | 'not-stored'
  /** The model has no patches: the verified original is used as is. */
  | 'unpatched'
  /** Caching switched off by the caller. */
  | 'disabled';

export interface PatchedModel {
  bytes: Uint8Array;
  cache: PatchCacheOutcome;
  /** Why the cache could not be written ('not-stored'). */
  cacheError?: Error;
}

export interface LoadModelBytesOptions extends ModelPathOptions {
  /** Read and write <modelsDir>/.cache (default true); false patches in memory on every load. */
  patchCache?: boolean;
}

/** Canonical JSON (sorted object keys), so reordering keys in manifest.json keeps the cache key. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/** First 16 hex digits of sha256(original sha256 + patches + PATCH_CACHE_FORMAT). */
export function patchCacheKey(entry: Pick<ModelEntry, 'sha256' | 'patches'>): string {
  const material = canonicalJson({
    format: PATCH_CACHE_FORMAT,
    sha256: entry.sha256,
    patches: entry.patches,
  });
  return sha256(material).slice(0, 16);
}

/** Where the patched bytes of a model are cached. */
export function patchCacheFile(
  entry: Pick<ModelEntry, 'id' | 'sha256' | 'patches'>,
  modelsDir: string,
): string {
  return path.join(modelsDir, PATCH_CACHE_DIR, `${entry.id}-${patchCacheKey(entry)}.onnx`);
}

const stampFile = (cacheFile: string) => cacheFile.replace(/\.onnx$/, '.json');

interface CacheStamp {
  format: number;
  model: string;
  sourceSha256: string;
  bytes: number;
  sha256: string;
}

/** The cached patched bytes, or undefined when they are missing or do not match their stamp. */
async function readCached(entry: ModelEntry, modelsDir: string): Promise<Uint8Array | undefined> {
  const file = patchCacheFile(entry, modelsDir);
  let buf: Buffer;
  let stamp: Partial<CacheStamp>;
  try {
    const [data, text] = await Promise.all([readFile(file), readFile(stampFile(file), 'utf8')]);
    buf = data;
    stamp = JSON.parse(text) as Partial<CacheStamp>;
  } catch {
    return undefined;
  }
  const ok =
    stamp.format === PATCH_CACHE_FORMAT &&
    stamp.model === entry.id &&
    stamp.sourceSha256 === entry.sha256 &&
    stamp.bytes === buf.length &&
    stamp.sha256 === sha256(buf);
  return ok ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : undefined;
}

/** Temp file + rename for both files; concurrent writers of one key write identical bytes. */
async function writeCached(entry: ModelEntry, modelsDir: string, bytes: Uint8Array): Promise<void> {
  const file = patchCacheFile(entry, modelsDir);
  await mkdir(path.dirname(file), { recursive: true });
  const stamp: CacheStamp & { $comment: string; patches: unknown } = {
    $comment: `${entry.file} with the manifest's patches applied; derived data, safe to delete.`,
    format: PATCH_CACHE_FORMAT,
    model: entry.id,
    sourceSha256: entry.sha256,
    patches: entry.patches,
    bytes: bytes.length,
    sha256: sha256(bytes),
  };
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const temps = [`${file}.${tag}`, `${stampFile(file)}.${tag}`];
  try {
    await writeFile(temps[0]!, bytes, { flag: 'wx' });
    await writeFile(temps[1]!, `${JSON.stringify(stamp, null, 2)}\n`, { flag: 'wx' });
    // Bytes first: a reader that sees the new stamp also sees the new bytes.
    await rename(temps[0]!, file);
    await rename(temps[1]!, stampFile(file));
  } finally {
    await Promise.all(temps.map((t) => rm(t, { force: true }).catch(() => undefined)));
  }
  // Entries of this model under an older key (patch or format change) will not be read again.
  const key = patchCacheKey(entry);
  await pruneCache(path.dirname(file), (name) => {
    const [, id, otherKey] = /^(.+)-([0-9a-f]{16})\.(?:onnx|json)$/.exec(name) ?? [];
    return id === entry.id && otherKey !== key;
  });
}

/** Removes cache files `stale` picks, and temp files left by dead (or long gone) writers. Best effort. */
async function pruneCache(cacheDir: string, stale: (name: string) => boolean): Promise<void> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (name) => {
      const file = path.join(cacheDir, name);
      const temp = /\.(\d+)-[0-9a-f]{8}\.tmp$/.exec(name);
      if (temp) {
        const pid = Number(temp[1]);
        const age = Date.now() - ((await stat(file).catch(() => undefined))?.mtimeMs ?? Date.now());
        if ((pid !== process.pid && !pidAlive(pid)) || age > TEMP_STALE_MS) await rm(file, { force: true });
      } else if (stale(name)) {
        await rm(file, { force: true });
      }
    }),
  ).catch(() => undefined);
}

/**
 * A model's bytes with the manifest's patches applied: from <modelsDir>/.cache when a verified entry
 * is there, else patched from the original (fetched first if missing) and cached for the next process.
 * A cache hit does not look at the original, whose sha256 is part of the key.
 */
export async function loadPatchedModel(
  entry: ModelEntry,
  modelsDir: string,
  opts: LoadModelBytesOptions = {},
): Promise<PatchedModel> {
  const { patchCache = true, ...fetchOpts } = opts;
  const useCache = patchCache && entry.patches.length > 0;
  if (useCache) {
    const cached = await readCached(entry, modelsDir);
    if (cached) return { bytes: cached, cache: 'hit' };
  }
  const file = await modelPath(entry, modelsDir, fetchOpts);
  const original = await readFile(file);
  const originalBytes = new Uint8Array(original.buffer, original.byteOffset, original.byteLength);
  if (entry.patches.length === 0) return { bytes: originalBytes, cache: 'unpatched' };
  // Required here, not imported at the top: onnx-proto takes ~40 ms to load and a hit never needs it.
  const { applyPatches } = require('./onnx-graph-patch') as typeof import('./onnx-graph-patch');
  const bytes = applyPatches(originalBytes, entry.patches, entry.id);
  if (!useCache) return { bytes, cache: 'disabled' };
  try {
    await writeCached(entry, modelsDir, bytes);
    return { bytes, cache: 'stored' };
  } catch (err) {
    return { bytes, cache: 'not-stored', cacheError: err as Error };
  }
}

export interface WarmPatchCacheResult {
  outcomes: Record<string, PatchCacheOutcome>;
  /** Cache write failures by model id; loading still works, it just patches on every start. */
  errors: Record<string, Error>;
}

/**
 * Builds (or verifies) the cache entry of every patched model of the manifest, then removes cache
 * files that belong to no current entry. Needs the verified originals: call after ensureModels.
 */
export async function warmPatchCache(
  manifest: ModelManifest,
  modelsDir: string,
): Promise<WarmPatchCacheResult> {
  const result: WarmPatchCacheResult = { outcomes: {}, errors: {} };
  for (const entry of manifest.models) {
    const loaded = await loadPatchedModel(entry, modelsDir, { manifest, download: false });
    result.outcomes[entry.id] = loaded.cache;
    if (loaded.cacheError) result.errors[entry.id] = loaded.cacheError;
  }
  const keep = new Set<string>();
  for (const entry of manifest.models) {
    const base = path.basename(patchCacheFile(entry, modelsDir));
    keep.add(base).add(stampFile(base));
  }
  await pruneCache(path.join(modelsDir, PATCH_CACHE_DIR), (name) => !keep.has(name));
  return result;
}
