import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { ApiKeyStore } from '../../../src/auth/api-key-store';

/**
 * `argus serve` end to end, in a child process, with real parts only: a gallery with the demo
 * identity and someone who is not in the clip, the sample clip played as a live camera, the vision
 * worker pool, and a WebSocket client that must receive an alert for the demo identity only.
 */
const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin', 'argus.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'face_recognition');
const run = promisify(execFile);

type Msg = Record<string, unknown> & { type: string };

let dataDir: string;
let child: ChildProcess | undefined;
let stdout = '';
let stderr = '';
let wsUrl: string;
let viewerKey: string;
let demoId: string;
let obamaId: string;
const ffmpegPids = new Set<number>();

async function enrol(name: string, image: string): Promise<string> {
  const { stdout: out } = await run(
    process.execPath,
    [BIN, '--data', dataDir, 'gallery', 'add', '--name', name, '--reason', 'demo', image, '--json'],
    { cwd: ROOT, timeout: 120_000 },
  );
  return (JSON.parse(out.trim()) as { identity: { id: string } }).identity.id;
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function until<T>(what: string, ms: number, poll: () => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const v = poll();
      if (v !== undefined) return resolve(v);
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

beforeAll(async () => {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'argus-serve-'));
  demoId = await enrol('Lin-Manuel Miranda', path.join(FIXTURES, 'lin-manuel-miranda.png'));
  obamaId = await enrol('Barack Obama', path.join(FIXTURES, 'knn_examples', 'train', 'obama', 'obama.jpg'));
  const keys = ApiKeyStore.open(dataDir);
  try {
    viewerKey = (await keys.create({ role: 'viewer', label: 'e2e' })).key;
  } finally {
    keys.close();
  }
  const config = path.join(dataDir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      dataDir,
      http: { host: '127.0.0.1', port: 0 },
      streams: [{ id: 'cam1', url: path.join(FIXTURES, 'short_hamilton_clip.mp4') }],
    }),
  );
  child = spawn(process.execPath, [BIN, 'serve', '--config', config], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  wsUrl = await until('the serve banner', 90_000, () => {
    if (child!.exitCode !== null) throw new Error(`serve exited ${child!.exitCode}: ${stdout}${stderr}`);
    return /(ws:\/\/\S+\/v1\/alerts)/.exec(stdout)?.[1];
  });
}, 300_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
  }
  for (const pid of ffmpegPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('argus serve', () => {
  test('prints a new admin key once on stdout and never logs it', () => {
    const m = /Admin API key \(id (\w+)\)[^\n]*\n(\S+)/.exec(stdout);
    expect(m).not.toBeNull();
    expect(stdout.split(m![2]!).length).toBe(2);
    expect(stderr).not.toContain(m![2]!);
    expect(stdout).toMatch(/Ctrl\+C/);
  });

  test('an unauthenticated upgrade gets 401', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(wsUrl);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => reject(new Error('upgrade accepted without a key')));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(401);
  });

  test('a subscriber gets an alert for the demo identity and none for obama', async () => {
    const received: Msg[] = [];
    const ws = new WebSocket(wsUrl, { headers: { Authorization: `Bearer ${viewerKey}` } });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      ws.on('message', (data) => received.push(JSON.parse(data.toString()) as Msg));
      ws.send(JSON.stringify({ type: 'subscribe' }));
      const alert = await until('an alert for the demo identity', 60_000, () =>
        received.find((m) => m.type === 'alert' && (m.identity as { id: string } | undefined)?.id === demoId),
      );
      expect(alert).toMatchObject({
        v: 1,
        streamId: 'cam1',
        identity: { id: demoId, name: 'Lin-Manuel Miranda', watchlists: [] },
        review: 'pending',
      });
      expect(alert.similarity).toBeGreaterThanOrEqual(0.4);
      expect(typeof alert.fmr).toBe('number');
      expect(alert.evidenceCount).toBeGreaterThanOrEqual(1);
      expect(alert.box).toEqual(expect.objectContaining({ width: expect.any(Number) }));
      expect(typeof alert.modelId).toBe('string');
      expect(Date.parse(alert.emitTime as string)).toBeGreaterThanOrEqual(
        Date.parse(alert.captureTime as string),
      );
      // A few more seconds of clip: still nobody but the demo identity.
      await new Promise((r) => setTimeout(r, 3000));
      const alerted = received.filter((m) => m.type === 'alert');
      expect(alerted.some((m) => (m.identity as { id: string }).id === obamaId)).toBe(false);
      for (const m of received.filter((x) => x.type === 'stream-status')) {
        expect(m).toMatchObject({ streamId: 'cam1', state: expect.any(String) });
      }
    } finally {
      ws.terminate();
    }
  }, 90_000);

  test('SIGTERM stops it cleanly: exit 0 within 30 s, no FFmpeg left behind', async () => {
    for (const pid of childPids(child!.pid!)) ffmpegPids.add(pid);
    expect(ffmpegPids.size).toBeGreaterThan(0);
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child!.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<string>((r) => {
        timer = setTimeout(() => r('timeout'), 30_000);
      }),
    ]);
    clearTimeout(timer);
    expect(code).toBe(0);
    for (const pid of ffmpegPids) expect(alive(pid)).toBe(false);
  }, 40_000);
});
