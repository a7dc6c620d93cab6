import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type InferenceSession, Tensor } from 'onnxruntime-node';
import { main as fetchModelsMain } from '../../../scripts/fetch-models';
import { createSession, loadModelBytes } from '../../../src/models/load-model';
import { ensureModels } from '../../../src/models/model-fetcher';
import {
  defaultModelsDir,
  loadManifest,
  type ModelEntry,
  modelForRole,
} from '../../../src/models/model-manifest';
import {
  loadPatchedModel,
  PATCH_CACHE_DIR,
  patchCacheFile,
  patchCacheKey,
  warmPatchCache,
} from '../../../src/models/patch-cache';

/** Model ids whose bytes went through onnx-proto (applyPatches), in call order. */
const mockPatchCalls: string[] = [];
jest.mock('../../../src/models/onnx-graph-patch', () => {
  const actual = jest.requireActual<typeof import('../../../src/models/onnx-graph-patch')>(
    '../../../src/models/onnx-graph-patch',
  );
  return {
    ...actual,
    applyPatches: (...args: Parameters<typeof actual.applyPatches>) => {
      mockPatchCalls.push(args[2] ?? 'model');
      return actual.applyPatches(...args);
    },
  };
});
const { applyPatches: realApplyPatches } = jest.requireActual<
  typeof import('../../../src/models/onnx-graph-patch')
>('../../../src/models/onnx-graph-patch');

const manifest = loadManifest();
const modelsDir = defaultModelsDir();
const detector = modelForRole(manifest, 'detector');
const embedder = modelForRole(manifest, 'embedder');
const dirs: string[] = [];

/** A models dir with verified copies of the real weights and no cache. */
async function freshModelsDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'argus-patch-cache-'));
  dirs.push(dir);
  for (const m of manifest.models) await copyFile(path.join(modelsDir, m.file), path.join(dir, m.file));
  await ensureModels({ manifest, modelsDir: dir, download: false });
  return dir;
}

async function expectedBytes(entry: ModelEntry): Promise<Buffer> {
  const original = await readFile(path.join(modelsDir, entry.file));
  return Buffer.from(realApplyPatches(original, entry.patches, entry.id));
}

const cacheFiles = async (dir: string) => (await readdir(path.join(dir, PATCH_CACHE_DIR))).sort();
const stampOf = (file: string) => file.replace(/\.onnx$/, '.json');

function noise(length: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

beforeAll(async () => {
  await ensureModels({ manifest, modelsDir });
}, 300_000);

beforeEach(() => {
  mockPatchCalls.length = 0;
});

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('patched-model cache', () => {
  it('patches once, then serves verified bytes without onnx-proto and without the original', async () => {
    const dir = await freshModelsDir();
    const first = await loadPatchedModel(detector, dir);
    expect(first.cache).toBe('stored');
    expect(mockPatchCalls).toEqual([detector.id]);
    const file = patchCacheFile(detector, dir);
    expect(path.basename(file)).toMatch(new RegExp(`^${detector.id}-[0-9a-f]{16}\\.onnx$`));
    expect(Buffer.compare(await readFile(file), await expectedBytes(detector))).toBe(0);
    expect(await cacheFiles(dir)).toEqual([path.basename(stampOf(file)), path.basename(file)].sort());
    const { mtimeMs } = await stat(file);

    await unlink(path.join(dir, detector.file)); // a hit must not need (or re-download) the original
    const second = await loadPatchedModel(detector, dir, { download: false });
    expect(second.cache).toBe('hit');
    expect(mockPatchCalls).toEqual([detector.id]);
    expect(Buffer.compare(Buffer.from(second.bytes), Buffer.from(first.bytes))).toBe(0);
    expect((await stat(file)).mtimeMs).toBe(mtimeMs);
  });

  it('gives sessions with outputs identical to the uncached path', async () => {
    const dir = await freshModelsDir();
    const sessions: InferenceSession[] = [];
    const open = async (entry: ModelEntry, patchCache: boolean) => {
      const s = await createSession(entry, dir, { intraOpThreads: 1, download: false, patchCache });
      sessions.push(s);
      return s;
    };
    try {
      for (const [entry, dims] of [
        [detector, [1, 3, 240, 320]],
        [embedder, [2, 3, 112, 112]],
      ] as const) {
        await loadModelBytes(entry, dir, { download: false }); // build the cache
        const calls = mockPatchCalls.length;
        const cached = await open(entry, true);
        expect(mockPatchCalls.length).toBe(calls); // the session came from the cache
        const uncached = await open(entry, false);
        const size = dims.reduce((a: number, b: number) => a * b, 1);
        const input = { [entry.input.name]: new Tensor('float32', noise(size, 7), [...dims]) };
        const [a, b] = [await cached.run(input), await uncached.run(input)];
        for (const name of Object.values(entry.outputs)) {
          expect(Array.from(a[name]!.data as Float32Array)).toEqual(
            Array.from(b[name]!.data as Float32Array),
          );
        }
      }
    } finally {
      for (const s of sessions) await s.release();
    }
  });

  it.each([
    ['a flipped byte', async (f: string) => flipByte(f)],
    ['a truncated file', async (f: string) => writeFile(f, (await readFile(f)).subarray(0, 1000))],
    ['a missing stamp', async (f: string) => unlink(stampOf(f))],
    ['a garbled stamp', async (f: string) => writeFile(stampOf(f), '{"format":')],
    [
      'a stamp for other bytes',
      async (f: string) => {
        await flipByte(f);
        const stamp = JSON.parse(await readFile(stampOf(f), 'utf8')) as { sha256: string };
        stamp.sha256 = '0'.repeat(64);
        await writeFile(stampOf(f), JSON.stringify(stamp));
      },
    ],
  ])('rebuilds the cache entry after %s instead of trusting it', async (_name, corrupt) => {
    const dir = await freshModelsDir();
    await loadPatchedModel(detector, dir);
    const file = patchCacheFile(detector, dir);
    await corrupt(file);
    mockPatchCalls.length = 0;
    const again = await loadPatchedModel(detector, dir);
    expect(again.cache).toBe('stored');
    expect(mockPatchCalls).toEqual([detector.id]);
    const good = await expectedBytes(detector);
    expect(Buffer.compare(Buffer.from(again.bytes), good)).toBe(0);
    expect(Buffer.compare(await readFile(file), good)).toBe(0);
    expect((await loadPatchedModel(detector, dir)).cache).toBe('hit');
  });

  it('keys entries by the original sha256 and the patches (not by key order), and drops the old key', async () => {
    const changed: ModelEntry = {
      ...detector,
      patches: detector.patches.map((p) =>
        p.op === 'dynamicInput' ? { ...p, dims: ['B', 3, 'Height', 'Width'] } : p,
      ),
    };
    const reordered: ModelEntry = {
      ...detector,
      patches: detector.patches.map((p) => Object.fromEntries(Object.entries(p).reverse()) as typeof p),
    };
    expect(patchCacheKey(changed)).not.toBe(patchCacheKey(detector));
    expect(patchCacheKey({ ...detector, sha256: 'f'.repeat(64) })).not.toBe(patchCacheKey(detector));
    expect(patchCacheKey(reordered)).toBe(patchCacheKey(detector));

    const dir = await freshModelsDir();
    await loadPatchedModel(detector, dir);
    await loadPatchedModel(embedder, dir);
    const oldFile = patchCacheFile(detector, dir);
    const result = await loadPatchedModel(changed, dir);
    expect(result.cache).toBe('stored');
    expect(mockPatchCalls).toEqual([detector.id, embedder.id, detector.id]);
    const newFile = patchCacheFile(changed, dir);
    expect(newFile).not.toBe(oldFile);
    expect(await cacheFiles(dir)).toEqual(
      [newFile, stampOf(newFile), patchCacheFile(embedder, dir), stampOf(patchCacheFile(embedder, dir))]
        .map((f) => path.basename(f))
        .sort(),
    );
    expect((await loadPatchedModel(changed, dir)).cache).toBe('hit');
  });

  it('still loads when the cache cannot be written', async () => {
    const dir = await freshModelsDir();
    await writeFile(path.join(dir, PATCH_CACHE_DIR), 'not a directory');
    const result = await loadPatchedModel(detector, dir);
    expect(result.cache).toBe('not-stored');
    expect((result.cacheError as NodeJS.ErrnoException | undefined)?.code).toMatch(/^(EEXIST|ENOTDIR)$/);
    expect(Buffer.compare(Buffer.from(result.bytes), await expectedBytes(detector))).toBe(0);
  });

  it('patchCache: false never reads or writes the cache', async () => {
    const dir = await freshModelsDir();
    const result = await loadPatchedModel(detector, dir, { patchCache: false });
    expect(result.cache).toBe('disabled');
    expect(await readdir(dir)).not.toContain(PATCH_CACHE_DIR);
  });

  it('lets concurrent loaders build the same entry: all get the right bytes, no temp file is left', async () => {
    const dir = await freshModelsDir();
    const good = await expectedBytes(embedder);
    const results = await Promise.all(Array.from({ length: 4 }, () => loadPatchedModel(embedder, dir)));
    for (const r of results) {
      expect(['stored', 'hit']).toContain(r.cache);
      expect(Buffer.compare(Buffer.from(r.bytes), good)).toBe(0);
    }
    const file = patchCacheFile(embedder, dir);
    expect(await cacheFiles(dir)).toEqual([path.basename(stampOf(file)), path.basename(file)].sort());
    expect((await loadPatchedModel(embedder, dir)).cache).toBe('hit');
  });

  it('warmPatchCache builds every entry, then finds them up to date, and removes files no entry owns', async () => {
    const dir = await freshModelsDir();
    const cacheDir = path.join(dir, PATCH_CACHE_DIR);
    await mkdir(cacheDir);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const leftovers = [
      'fr_retired-0123456789abcdef.onnx',
      'fr_retired-0123456789abcdef.json',
      `${path.basename(patchCacheFile(detector, dir))}.${dead}-0badf00d.tmp`,
    ];
    for (const name of leftovers) await writeFile(path.join(cacheDir, name), 'stale');
    const expected = manifest.models.flatMap((m) => {
      const f = path.basename(patchCacheFile(m, dir));
      return [f, stampOf(f)];
    });

    const first = await warmPatchCache(manifest, dir);
    expect(Object.values(first.outcomes)).toEqual(manifest.models.map(() => 'stored'));
    expect(first.errors).toEqual({});
    expect(await cacheFiles(dir)).toEqual(expected.sort());

    mockPatchCalls.length = 0;
    const second = await warmPatchCache(manifest, dir);
    expect(Object.values(second.outcomes)).toEqual(manifest.models.map(() => 'hit'));
    expect(mockPatchCalls).toEqual([]);
  });

  it('fetch-models --check builds the cache after verifying', async () => {
    const dir = await freshModelsDir();
    const saved = process.env.ARGUS_MODELS_DIR;
    process.env.ARGUS_MODELS_DIR = dir;
    try {
      expect(await fetchModelsMain(['--check', '--quiet'])).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.ARGUS_MODELS_DIR;
      else process.env.ARGUS_MODELS_DIR = saved;
    }
    for (const m of manifest.models) {
      expect((await loadPatchedModel(m, dir, { download: false })).cache).toBe('hit');
    }
  });
});

async function flipByte(file: string): Promise<void> {
  const buf = await readFile(file);
  const middle = buf.length >> 1;
  buf.writeUInt8(buf.readUInt8(middle) ^ 0xff, middle);
  await writeFile(file, buf);
}
