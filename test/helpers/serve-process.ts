import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';

/**
 * `argus serve` as a child process for integration tests: a temp data directory, a config with
 * port 0, the printed address and first-start admin key parsed from stdout, and a stop() that
 * kills it and every process it started (FFmpeg) even when the test failed.
 */
const ROOT = path.resolve(__dirname, '../..');
export const ARGUS_BIN = path.join(ROOT, 'bin', 'argus.js');
const run = promisify(execFile);

export interface ServeProcess {
  dataDir: string;
  /** http://127.0.0.1:PORT */
  address: string;
  wsUrl: string;
  adminKey: string;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resident memory of the server process (all its threads), in MB, from /proc. */
  rssMb(): number;
  /** SIGTERM; resolves with the exit code (null after the SIGKILL fallback). */
  terminate(timeoutMs?: number): Promise<number | null>;
  /** Kills it and its children and removes the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartServeOptions {
  /** Merged into {dataDir, http: {host, port: 0}}. */
  config?: Record<string, unknown>;
  /** Reuse a data directory (e.g. with enrolments made before). Default: a new temp dir. */
  dataDir?: string;
  args?: string[];
  readyTimeoutMs?: number;
}

export function newDataDir(prefix = 'argus-serve-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** `argus gallery add` for one person; returns the identity id. */
export async function enrolCli(dataDir: string, name: string, images: string[], watchlists: string[] = []) {
  const extra = watchlists.flatMap((w) => ['--watchlist', w]);
  const { stdout } = await run(
    process.execPath,
    [
      ARGUS_BIN,
      '--data',
      dataDir,
      'gallery',
      'add',
      '--name',
      name,
      '--reason',
      'test',
      ...extra,
      ...images,
      '--json',
    ],
    { cwd: ROOT, timeout: 180_000 },
  );
  return (JSON.parse(stdout.trim()) as { identity: { id: string } }).identity.id;
}

/** Every process below `pid` (FFmpeg children of argus serve). */
export function descendants(pid: number): number[] {
  let out: number[] = [];
  try {
    const kids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
    for (const k of kids) out = out.concat(k, descendants(k));
  } catch {
    // ps exits 1 when there are none
  }
  return out;
}

export async function startServe(o: StartServeOptions = {}): Promise<ServeProcess> {
  const ownDir = o.dataDir === undefined;
  const dataDir = o.dataDir ?? newDataDir();
  const { http, ...rest } = (o.config ?? {}) as { http?: Record<string, unknown> };
  const configFile = path.join(dataDir, 'serve-config.json');
  writeFileSync(
    configFile,
    JSON.stringify({ dataDir, ...rest, http: { host: '127.0.0.1', port: 0, ...(http ?? {}) } }),
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [ARGUS_BIN, 'serve', '--config', configFile, ...(o.args ?? [])],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const known = new Set<number>();
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const p of descendants(child.pid!)) known.add(p);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    for (const p of known) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const address = await new Promise<string>((resolve, reject) => {
      const started = Date.now();
      const tick = () => {
        if (child.exitCode !== null) return reject(new Error(`serve exited ${child.exitCode}: ${out}${err}`));
        const m = /(ws:\/\/\S+)\/v1\/alerts/.exec(out);
        if (m) return resolve(m[1]!.replace(/^ws/, 'http'));
        if (Date.now() - started > (o.readyTimeoutMs ?? 120_000)) {
          return reject(new Error(`serve did not start: ${out}${err}`));
        }
        setTimeout(tick, 100);
      };
      tick();
    });
    const adminKey = /Admin API key \(id \w+\)[^\n]*\n(\S+)/.exec(out)?.[1] ?? '';
    return {
      dataDir,
      address,
      wsUrl: `${address.replace(/^http/, 'ws')}/v1/alerts`,
      adminKey,
      pid: child.pid!,
      stdout: () => out,
      stderr: () => err,
      rssMb: () => {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        return m ? Number(m[1]) / 1024 : Number.NaN;
      },
      terminate: async (timeoutMs = 30_000) => {
        for (const p of descendants(child.pid!)) known.add(p);
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const code = await Promise.race([
          exited,
          new Promise<'timeout'>((r) => {
            timer = setTimeout(() => r('timeout'), timeoutMs);
          }),
        ]);
        clearTimeout(timer);
        return code === 'timeout' ? null : code;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

export type WsMsg = Record<string, unknown> & { type: string };

/** A subscribed WebSocket client that records every message. */
export async function subscriber(
  wsUrl: string,
  key: string,
  subscribe: Record<string, unknown> | null = { type: 'subscribe' },
): Promise<{ ws: WebSocket; messages: WsMsg[]; close(): void }> {
  const ws = new WebSocket(wsUrl, { headers: { Authorization: `Bearer ${key}` } });
  const messages: WsMsg[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as WsMsg));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  if (subscribe) ws.send(JSON.stringify(subscribe));
  return { ws, messages, close: () => ws.terminate() };
}

export function until<T>(what: string, ms: number, poll: () => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      let v: T | undefined;
      try {
        v = poll();
      } catch (e) {
        return reject(e);
      }
      if (v !== undefined) return resolve(v);
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 200);
    };
    tick();
  });
}
