import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isArgusError } from '../../../src/errors/argus-error';
import { ensureModels, type FetchProgress, modelPath, tarballUrl } from '../../../src/models/model-fetcher';
import { loadManifest, type ModelManifest } from '../../../src/models/model-manifest';

const manifest = loadManifest();
const source = Object.values(manifest.sources)[0]!;
const TARBALL_PATH = `/${source.package}/-/${source.package.split('/').pop()}-${source.version}.tgz`;
const CACHE_DIR = path.join(os.tmpdir(), 'argus-test-cache');

const sri = (buf: Buffer) => `sha512-${createHash('sha512').update(buf).digest('base64')}`;
const sha256 = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');

/** The real package tarball, downloaded from the real registry once and then kept across test runs. */
async function realTarball(): Promise<Buffer> {
  const cached = path.join(CACHE_DIR, path.basename(TARBALL_PATH));
  const existing = await readFile(cached).catch(() => undefined);
  if (existing && sri(existing) === source.integrity) return existing;
  const registry = process.env.npm_config_registry ?? 'https://registry.npmjs.org/';
  const res = await fetch(tarballUrl(registry, source.package, source.version));
  if (!res.ok) throw new Error(`registry answered ${res.status}`);
  const buf = Buffer.from(await res.arrayBuffer());
  if (sri(buf) !== source.integrity)
    throw new Error('the registry served a tarball with the wrong integrity');
  await mkdir(CACHE_DIR, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  await writeFile(tmp, buf);
  await rename(tmp, cached);
  return buf;
}

/** A stand-in npm registry: /good serves the real tarball, /bad a tampered one, /missing 404s, /hang never answers. */
async function startRegistry(tarball: Buffer) {
  const tampered = Buffer.from(tarball);
  const middle = tampered.length >> 1;
  tampered.writeUInt8(tampered.readUInt8(middle) ^ 0xff, middle);
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const [, prefix, ...rest] = (req.url ?? '').split('/');
    const known = `/${rest.join('/')}` === TARBALL_PATH;
    if (prefix === 'hang') return;
    if (!known || prefix === 'missing') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const body = prefix === 'bad' ? tampered : tarball;
    res
      .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    requests,
    url: (prefix: string) => `${base}/${prefix}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bind to a free one, then let it go. */
async function closedPortRegistry(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

async function expectArgusError(promise: Promise<unknown>, code: string): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isArgusError(err)).toBe(true);
  expect((err as { code: string }).code).toBe(code);
  return err as Error;
}

const expectedFiles = ['.verified.json', ...manifest.models.map((m) => m.file)].sort();

describe('ensureModels (real tarball, local registry)', () => {
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let closed: string;
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'argus-models-'));
    dirs.push(dir);
    return dir;
  };
  let dir: string;

  beforeAll(async () => {
    registry = await startRegistry(await realTarball());
    closed = await closedPortRegistry();
    dir = await tempDir();
  }, 300_000);

  afterAll(async () => {
    await registry?.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('builds npm tarball URLs, scoped names included', () => {
    expect(tarballUrl('https://registry.npmjs.org/', 'faceplugin-face-recognition-js', '0.0.1')).toBe(
      'https://registry.npmjs.org/faceplugin-face-recognition-js/-/faceplugin-face-recognition-js-0.0.1.tgz',
    );
    expect(tarballUrl('https://r.example/npm', '@scope/pkg', '1.2.3')).toBe(
      'https://r.example/npm/@scope/pkg/-/pkg-1.2.3.tgz',
    );
  });

  it('downloads the tarball once, verifies it and installs every model', async () => {
    const events: FetchProgress[] = [];
    await ensureModels({
      manifest,
      modelsDir: dir,
      registry: registry.url('good'),
      onProgress: (p) => events.push(p),
    });

    expect(registry.requests).toEqual([`/good${TARBALL_PATH}`]);
    for (const m of manifest.models) {
      expect(sha256(await readFile(path.join(dir, m.file)))).toBe(m.sha256);
    }
    expect((await readdir(dir)).sort()).toEqual(expectedFiles); // no temp files, no lock left behind
    const downloads = events.filter((e) => e.phase === 'download');
    const last = downloads[downloads.length - 1]!;
    expect(last.total).toBeGreaterThan(40e6);
    expect(last.received).toBe(last.total);
    expect(events.filter((e) => e.phase === 'extract').map((e) => e.file)).toEqual(
      manifest.models.map((m) => m.file),
    );
  });

  it('is a no-op when everything is verified: no network at all', async () => {
    const before = await Promise.all(manifest.models.map((m) => stat(path.join(dir, m.file))));
    await ensureModels({ manifest, modelsDir: dir, registry: closed });
    await ensureModels({ manifest, modelsDir: dir, download: false });
    const after = await Promise.all(manifest.models.map((m) => stat(path.join(dir, m.file))));
    expect(after.map((s) => s.mtimeMs)).toEqual(before.map((s) => s.mtimeMs));
    expect(registry.requests).toHaveLength(1);
  });

  it('re-verifies a file changed behind the stamp: checksum error offline, repair online', async () => {
    const victim = manifest.models[1]!;
    const file = path.join(dir, victim.file);
    const bytes = await readFile(file);
    bytes.writeUInt8(bytes.readUInt8(1000) ^ 0x01, 1000); // same size, different content
    await writeFile(file, bytes);

    const err = await expectArgusError(
      ensureModels({ manifest, modelsDir: dir, download: false }),
      'ARGUS_E_MODEL_CHECKSUM',
    );
    expect(err.message).toContain(victim.file);
    expect(err.message).toContain(victim.sha256);

    const untouched = await stat(path.join(dir, manifest.models[0]!.file));
    await ensureModels({ manifest, modelsDir: dir, registry: registry.url('good') });
    expect(sha256(await readFile(file))).toBe(victim.sha256);
    expect((await stat(path.join(dir, manifest.models[0]!.file))).mtimeMs).toBe(untouched.mtimeMs);
    expect(registry.requests).toHaveLength(2);
  });

  it('reports a deleted file as missing when downloads are off', async () => {
    const victim = manifest.models[2]!;
    await unlink(path.join(dir, victim.file));
    const err = await expectArgusError(
      ensureModels({ manifest, modelsDir: dir, download: false }),
      'ARGUS_E_MODEL_MISSING',
    );
    expect(err.message).toContain(victim.file);
    expect(err.message).toContain('npm run fetch-models');
  });

  it('reports an unreachable registry as a download error that says what to do', async () => {
    const err = await expectArgusError(
      ensureModels({ manifest, modelsDir: dir, registry: closed }),
      'ARGUS_E_MODEL_DOWNLOAD',
    );
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toMatch(/retry "npm run fetch-models"/);
    expect((err as { retryable?: boolean }).retryable).toBe(true);
  });

  it('reports an HTTP error status and a silent registry (timeout) as download errors', async () => {
    const notFound = await expectArgusError(
      ensureModels({ manifest, modelsDir: dir, registry: registry.url('missing') }),
      'ARGUS_E_MODEL_DOWNLOAD',
    );
    expect(notFound.message).toContain('HTTP 404');
    const timeout = await expectArgusError(
      ensureModels({ manifest, modelsDir: dir, registry: registry.url('hang'), timeoutMs: 300 }),
      'ARGUS_E_MODEL_DOWNLOAD',
    );
    expect(timeout.message).toContain('timed out');
  });

  it('refuses a tarball whose integrity differs from the manifest and installs nothing', async () => {
    const err = await expectArgusError(
      ensureModels({ manifest, modelsDir: dir, registry: registry.url('bad') }),
      'ARGUS_E_MODEL_DOWNLOAD',
    );
    expect(err.message).toContain('integrity');
    expect(err.message).toContain(source.integrity);
    const files = await readdir(dir);
    expect(files).not.toContain(manifest.models[2]!.file);
    expect(
      files.filter((f) => f.startsWith('.download') || f.startsWith('.extract') || f === '.fetch.lock'),
    ).toEqual([]);
  });

  it('repairs the deleted file from a good registry', async () => {
    await ensureModels({ manifest, modelsDir: dir, registry: registry.url('good') });
    expect((await readdir(dir)).sort()).toEqual(expectedFiles);
  });

  it('rejects a model whose sha256 differs after download and leaves no bad file in place', async () => {
    const fresh = await tempDir();
    const victim = manifest.models[0]!;
    const wrong: ModelManifest = {
      ...manifest,
      models: manifest.models.map((m) => (m.id === victim.id ? { ...m, sha256: '0'.repeat(64) } : m)),
    };
    const err = await expectArgusError(
      ensureModels({ manifest: wrong, modelsDir: fresh, registry: registry.url('good') }),
      'ARGUS_E_MODEL_CHECKSUM',
    );
    expect(err.message).toContain(victim.sha256); // the actual hash
    expect(await readdir(fresh)).toEqual([]);
  });

  it('fetches lazily: modelPath installs just the model asked for', async () => {
    const fresh = await tempDir();
    const entry = manifest.models[1]!;
    const file = await modelPath(entry, fresh, { manifest, registry: registry.url('good') });
    expect(file).toBe(path.join(fresh, entry.file));
    expect(sha256(await readFile(file))).toBe(entry.sha256);
    expect((await readdir(fresh)).sort()).toEqual(['.verified.json', entry.file]);
    await expect(modelPath(entry, fresh, { manifest, download: false })).resolves.toBe(file);
  });

  it('downloads once for concurrent callers; ignores a lock and removes temp files left by a dead process', async () => {
    const fresh = await tempDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    await writeFile(path.join(fresh, '.fetch.lock'), JSON.stringify({ pid: dead, host: os.hostname() }));
    await writeFile(path.join(fresh, `.download-${dead}-0badf00d.tgz`), 'half a tarball');
    await mkdir(path.join(fresh, `.extract-${dead}-0badf00d`, 'package'), { recursive: true });
    const before = registry.requests.length;
    await Promise.all([
      ensureModels({ manifest, modelsDir: fresh, registry: registry.url('good') }),
      ensureModels({ manifest, modelsDir: fresh, registry: registry.url('good') }),
      ...manifest.models.map((m) => modelPath(m, fresh, { manifest, registry: registry.url('good') })),
    ]);
    expect(registry.requests.length - before).toBe(1);
    expect((await readdir(fresh)).sort()).toEqual(expectedFiles);
  });
});
