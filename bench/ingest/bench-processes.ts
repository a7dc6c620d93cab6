/** Processes, servers and supervisors the ingest benchmark starts, and their guaranteed cleanup. */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { ResolvedFfmpeg } from '../../src/ingest/ffmpeg/ffmpeg-binary';
import { type FfmpegProcess, spawnFfmpeg } from '../../src/ingest/ffmpeg/ffmpeg-process';
import { STREAM_DEFAULTS, type StreamOptions } from '../../src/ingest/stream-options';
import { type FeedProvider, StreamSupervisor } from '../../src/ingest/stream-supervisor';
import type { VideoFrame } from '../../src/ingest/video-frame';
import type { Logger } from '../../src/logging/create-logger';
import { PYTHON, RTSP_SERVER_SCRIPT } from './bench-constants';

// ---------------------------------------------------------------------------------------------
// Cleanup: everything started is registered here.

const children = new Set<ChildProcess>();
const supervisors = new Set<StreamSupervisor>();
const ffmpegProcs = new Set<FfmpegProcess>();
export const closers = new Set<() => Promise<void>>();
export const tempDirs = new Set<string>();

export async function cleanup(): Promise<void> {
  await Promise.allSettled([...closers].map((close) => close()));
  closers.clear();
  await Promise.allSettled([...supervisors].map((s) => s.stop()));
  supervisors.clear();
  await Promise.allSettled([...children].map(killChild));
  killLeftovers();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Synchronous last resort (process exit): SIGKILL whatever is still running. */
function killLeftovers(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
  for (const p of ffmpegProcs) {
    if (p.pid === undefined) continue;
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {}
  }
}

process.once('exit', () => {
  killLeftovers();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGCONT'); // a SIGSTOPped server must not be left stopped
    child.kill('SIGKILL');
  }
  await exitOf(child);
  children.delete(child);
}

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  void exitOf(child).then(() => children.delete(child));
  return child;
}

// ---------------------------------------------------------------------------------------------
// Helpers

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export interface RtspServer {
  url: string;
  port: number;
  /** Date.now() when the server printed READY. */
  readyAt: number;
  pause(): void;
  resume(): void;
  kill(): Promise<void>;
}

/** test/helpers/rtsp-server.py on `port` (0: the OS picks). */
export async function startRtspServer(port = 0): Promise<RtspServer> {
  const child = track(
    spawn(PYTHON, [RTSP_SERVER_SCRIPT, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const ready = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`rtsp-server.py not READY in 30 s: ${stderr}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^READY (\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`rtsp-server.py exited (${code ?? sig}) before READY: ${stderr}`));
    });
  }).catch(async (err: unknown) => {
    await killChild(child);
    throw err;
  });
  const readyAt = Date.now();
  child.stdout!.resume();
  const signal = (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  return {
    url: `rtsp://127.0.0.1:${ready}/stream`,
    port: ready,
    readyAt,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    kill: () => killChild(child),
  };
}

export interface Ctx {
  ffmpeg: ResolvedFfmpeg;
  logger: Logger;
  feeds?: FeedProvider;
}

/** A supervisor (not started) whose FFmpeg processes are tracked for cleanup and CPU sampling. */
export function supervisor(
  ctx: Ctx,
  options: Partial<StreamOptions> & { url: string; id: string },
): { s: StreamSupervisor; procs: FfmpegProcess[] } {
  const procs: FfmpegProcess[] = [];
  const s = new StreamSupervisor(
    { ...STREAM_DEFAULTS, ...options },
    {
      ffmpeg: ctx.ffmpeg,
      logger: ctx.logger,
      ...(ctx.feeds ? { feeds: ctx.feeds } : {}),
      spawn: (o) => {
        const p = spawnFfmpeg(o);
        procs.push(p);
        ffmpegProcs.add(p);
        void p.exited.then(() => ffmpegProcs.delete(p));
        return p;
      },
    },
  );
  supervisors.add(s);
  return { s, procs };
}

export async function stopSupervisor(s: StreamSupervisor): Promise<void> {
  await s.stop();
  supervisors.delete(s);
}

/** Resolves with the first frame `s` delivers from now on that satisfies `accept`. */
export function nextFrame(
  s: StreamSupervisor,
  what: string,
  accept: (f: VideoFrame) => boolean = () => true,
  timeoutMs = 60_000,
): Promise<VideoFrame> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${what} within ${timeoutMs} ms (state ${s.snapshot().state})`));
    }, timeoutMs);
    const off = s.onFrame((f) => {
      if (!accept(f)) return;
      clearTimeout(timer);
      off();
      resolve(f);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Measurements
