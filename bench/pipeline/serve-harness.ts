/**
 * `argus serve` as the benchmark runs it: a child process (its own process group, so its FFmpeg
 * children stop with it) on a temp data dir with port 0, the address parsed from its banner;
 * enrolment and API keys through the CLI; the HTTP API (GET /v1/streams, GET /v1/system) and a
 * WebSocket subscriber that stamps each message with its receive time; the GStreamer RTSP test
 * server (test/helpers/rtsp-server.py) as the camera.
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { packageRoot } from '../../src/util/package-root';
import type { CrowdEnrolment } from '../../test/helpers/crowd-video';
import { until } from '../../test/helpers/serve-process';
import { spawnTracked, stopTracked } from './processes';

const ROOT = packageRoot();
const BIN = path.join(ROOT, 'bin', 'argus.js');
const run = promisify(execFile);

async function cli(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    timeout: 180_000,
    maxBuffer: 16 << 20,
  });
  return stdout;
}

/** Enrols every person with `argus gallery add`; returns name -> identity id. */
export async function enrolAll(dataDir: string, people: CrowdEnrolment[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const p of people) {
    const out = await cli([
      '--data',
      dataDir,
      'gallery',
      'add',
      '--name',
      p.name,
      '--reason',
      'bench',
      p.image,
      '--json',
    ]);
    ids.set(p.name, (JSON.parse(out.trim()) as { identity: { id: string } }).identity.id);
  }
  return ids;
}

export async function createKey(dataDir: string, role: 'viewer' | 'admin'): Promise<string> {
  const out = await cli(['keys', 'create', '--data', dataDir, '--role', role, '--json']);
  return (JSON.parse(out.trim()) as { key: string }).key;
}

export interface StreamConfig {
  id: string;
  url: string;
  fps?: number;
  maxWidth?: number;
  maxHeight?: number;
}

export interface Serve {
  http: string;
  ws: string;
  stop(): Promise<void>;
  output(): string;
}

export async function startServe(
  dataDir: string,
  streams: StreamConfig[],
  name = 'argus serve',
): Promise<Serve> {
  const config = path.join(dataDir, `bench-config-${Date.now()}.json`);
  writeFileSync(config, JSON.stringify({ dataDir, http: { host: '127.0.0.1', port: 0 }, streams }));
  // ARGUS_BENCH_SERVE_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": profile the server
  // (every thread writes its own profile) without touching the benchmark process.
  const nodeArgs = (process.env.ARGUS_BENCH_SERVE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawnTracked(name, process.execPath, [...nodeArgs, BIN, 'serve', '--config', config], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-64_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  try {
    const ws = await until('the serve banner', 180_000, () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`argus serve exited (${child.exitCode ?? child.signalCode}):\n${out.slice(-4000)}`);
      }
      return /Press Ctrl\+C/.test(out) ? /(ws:\/\/\S+\/v1\/alerts)/.exec(out)?.[1] : undefined;
    });
    return {
      ws,
      http: ws.replace(/^ws/, 'http').replace(/\/v1\/alerts$/, ''),
      stop: () => stopTracked(child, 30_000),
      output: () => out,
    };
  } catch (err) {
    await stopTracked(child, 5000);
    throw err;
  }
}

export async function getJson<T>(base: string, route: string, key: string): Promise<T> {
  const res = await fetch(`${base}${route}`, { headers: { Authorization: `Bearer ${key}` } });
  if (!res.ok) throw new Error(`GET ${route}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

/** The subset of StreamInfo (src/serve/service-ports.ts) the benchmark reads. */
export interface StreamCounters {
  id: string;
  state: string;
  framesDecoded: number;
  framesAnalysed: number;
  framesDropped: number;
  deferredEmbeddings: number;
  faces: number;
  latencyMs: { p50: number; p99: number } | null;
}

export async function listStreams(base: string, key: string): Promise<StreamCounters[]> {
  const body = await getJson<unknown>(base, '/v1/streams', key);
  // Accept a bare array or an envelope ({ streams } / { items }), whichever the API settles on.
  const list = Array.isArray(body)
    ? body
    : ((body as { streams?: unknown[]; items?: unknown[] }).streams ?? (body as { items?: unknown[] }).items);
  if (!Array.isArray(list))
    throw new Error(`GET /v1/streams: unexpected body ${JSON.stringify(body).slice(0, 200)}`);
  return list as StreamCounters[];
}

export interface SystemNumbers {
  eventLoopLagMs: { p50: number; p99: number };
  rssMb: number;
  cpuPercent: number;
}

export const systemInfo = (base: string, key: string) => getJson<SystemNumbers>(base, '/v1/system', key);

export interface Received {
  at: number;
  msg: Record<string, unknown> & { type: string };
}

/** A subscriber that keeps every message with Date.now() at receipt. */
export async function subscribe(url: string, key: string): Promise<{ messages: Received[]; close(): void }> {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${key}` }, perMessageDeflate: false });
  const messages: Received[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  ws.on('message', (data: Buffer) => {
    messages.push({ at: Date.now(), msg: JSON.parse(data.toString('utf8')) as Received['msg'] });
  });
  ws.on('error', () => undefined);
  ws.send(JSON.stringify({ v: 1, type: 'subscribe' }));
  return { messages, close: () => ws.terminate() };
}

const PYTHON =
  process.env.ARGUS_TEST_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/**
 * The GStreamer RTSP test server playing `file` in a loop, re-encoded (x264, ultrafast, zerolatency,
 * 800 kbit/s) at `size` and `fps`; shared media, so several streams may pull the same mount.
 */
export async function startRtsp(
  file: string,
  size: string,
  fps: number,
): Promise<{ url: string; stop(): Promise<void> }> {
  const script = path.join(ROOT, 'test', 'helpers', 'rtsp-server.py');
  const child = spawnTracked(
    'rtsp-server.py',
    PYTHON,
    [script, '0', '--path', '/stream', '--file', file, '--size', size, '--fps', String(fps)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    out = (out + b.toString()).slice(-4000);
  });
  try {
    const port = await until('the RTSP server', 30_000, () => {
      if (child.exitCode !== null) throw new Error(`rtsp-server.py exited (${child.exitCode}): ${out}`);
      const m = /READY (\d+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    });
    return { url: `rtsp://127.0.0.1:${port}/stream`, stop: () => stopTracked(child, 10_000) };
  } catch (err) {
    await stopTracked(child, 5000);
    throw err;
  }
}

/** Waits until every stream in `ids` reports `live` and has analysed at least one frame. */
export async function waitLive(base: string, key: string, ids: string[], timeoutMs = 120_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const streams = await listStreams(base, key).catch(() => []);
    const live = streams.filter((s) => ids.includes(s.id) && s.state === 'live' && s.framesAnalysed > 0);
    if (live.length === ids.length) return;
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `streams not live after ${timeoutMs} ms: ${JSON.stringify(streams.map((s) => [s.id, s.state]))}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
