import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { until } from '../../helpers/serve-process';

/**
 * `argus serve --demo` (what `npm start` runs) in a child process: the demo identity is enrolled
 * from its photo, the sample clip loops as stream "demo", and a client authenticated with the
 * admin key printed at first start receives an alert for the demo identity. A restart on the same
 * data directory does not enrol a second copy, and SIGTERM exits 0.
 */
const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin', 'argus.js');
const DEMO_NAME = 'Lin-Manuel Miranda (demo)';
const run = promisify(execFile);

type Msg = Record<string, unknown> & { type: string };

interface Served {
  child: ChildProcess;
  out: { stdout: string; stderr: string };
}

let dataDir: string;
let config: string;
const children = new Set<ChildProcess>();

async function serveDemo(): Promise<Served & { wsUrl: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--demo', '--data', dataDir, '--config', config], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (b: Buffer) => (out.stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out.stderr += b.toString()));
  const wsUrl = await until('the serve banner', 180_000, () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `serve --demo exited ${child.exitCode ?? child.signalCode}: ${out.stdout}${out.stderr}`,
      );
    }
    return /(ws:\/\/\S+\/v1\/alerts)/.exec(out.stdout)?.[1];
  });
  return { child, out, wsUrl };
}

async function stop(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    exited,
    new Promise<string>((r) => {
      timer = setTimeout(() => r('timeout'), 45_000);
    }),
  ]);
  clearTimeout(timer);
  return code;
}

async function demoIdentities(): Promise<Array<{ id: string; name: string; reason?: string }>> {
  const { stdout } = await run(process.execPath, [BIN, '--data', dataDir, 'gallery', 'list', '--json'], {
    cwd: ROOT,
    timeout: 120_000,
  });
  const page = JSON.parse(stdout.trim()) as { identities: Array<{ id: string; name: string }> };
  return page.identities.filter((i) => i.name === DEMO_NAME);
}

beforeAll(() => {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'argus-serve-demo-'));
  config = path.join(dataDir, 'config.json');
  // Port 0: the OS picks a free port, printed in the banner.
  writeFileSync(config, JSON.stringify({ http: { host: '127.0.0.1', port: 0 } }));
}, 300_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('argus serve --demo', () => {
  let first: (Served & { wsUrl: string }) | undefined;
  let adminKey: string;

  test('enrols the demo identity, prints the admin key and how to stop', async () => {
    first = await serveDemo();
    const m = /Admin API key \(id \w+\)[^\n]*\n(\S+)/.exec(first.out.stdout);
    expect(m).not.toBeNull();
    adminKey = m![1]!;
    expect(first.out.stdout).toContain(`"${DEMO_NAME}"`);
    expect(first.out.stdout).toMatch(/enrolled from its reference photo/);
    expect(first.out.stdout).toMatch(/Ctrl\+C/);
    expect(first.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1\/alerts$/);
    expect(first.out.stderr).not.toContain(adminKey);
  }, 240_000);

  test('a client with the admin key receives an alert for the demo identity on stream "demo"', async () => {
    expect(first).toBeDefined();
    const received: Msg[] = [];
    const ws = new WebSocket(first!.wsUrl, { headers: { Authorization: `Bearer ${adminKey}` } });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      ws.on('message', (data) => received.push(JSON.parse(data.toString()) as Msg));
      ws.send(JSON.stringify({ type: 'subscribe' }));
      const alert = await until('an alert for the demo identity', 90_000, () =>
        received.find(
          (m) => m.type === 'alert' && (m.identity as { name: string } | undefined)?.name === DEMO_NAME,
        ),
      );
      expect(alert).toMatchObject({ streamId: 'demo', review: 'pending' });
    } finally {
      ws.terminate();
    }
  }, 120_000);

  test('SIGTERM exits 0', async () => {
    expect(first).toBeDefined();
    expect(await stop(first!.child)).toBe(0);
  }, 60_000);

  test('a restart on the same data directory does not enrol a second copy', async () => {
    const before = await demoIdentities();
    expect(before).toHaveLength(1);
    const second = await serveDemo();
    expect(second.out.stdout).toMatch(/already enrolled/);
    // No new admin key: the one printed at first start still works.
    expect(second.out.stdout).not.toMatch(/Admin API key \(id/);
    const ws = new WebSocket(second.wsUrl, { headers: { Authorization: `Bearer ${adminKey}` } });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
    } finally {
      ws.terminate();
    }
    // Stopped only once FFmpeg is up: a stop in the first instants of a stream is another matter
    // (see ffmpeg-process.ts), not what this test is about.
    await until('the demo stream to go live', 120_000, () =>
      /"to":"live"/.test(second.out.stderr) ? true : undefined,
    );
    expect(await stop(second.child)).toBe(0);
    const after = await demoIdentities();
    expect(after).toEqual(before);
  }, 300_000);
});
