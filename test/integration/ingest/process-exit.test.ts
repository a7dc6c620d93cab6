import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fixture } from '../../helpers/fixtures';
import { freePort } from '../../helpers/free-port';
import { registerRtspServerCleanup, startRtspServer } from '../../helpers/rtsp-test-server';
import { pidAlive, waitFor } from '../../helpers/wait-for';

/**
 * "Stopping the process leaves no FFmpeg child behind": the real CLI (`argus demo`, a
 * StreamSupervisor plus the vision workers) runs in a child process and is stopped the three ways
 * a process ends: SIGTERM (service manager), SIGINT (Ctrl+C) and SIGKILL (OOM killer, kill -9),
 * where no handler runs and FFmpeg has to die without Argus's help. Linux only: FFmpeg processes
 * are found through /proc. Needs the build (`npm run build`, which `npm test` runs first).
 * Every wait is generous: these run on a busy 2-core machine.
 */

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'argus.js');
const CLIP = fixture('face_recognition', 'short_hamilton_clip.mp4');
/** Model loading and the first 5 s status line, on a loaded machine. */
const READY_TIMEOUT_MS = 120_000;
const GRACEFUL_EXIT_MS = 30_000;
const ORPHAN_DEATH_MS = 15_000;
const SLOW = 240_000;

// ---- /proc ----

interface ProcStat {
  comm: string;
  /** R, S, D, Z (zombie: dead, not yet reaped), ... */
  state: string;
  ppid: number;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const close = s.lastIndexOf(')');
    const [state, ppid] = s.slice(close + 2).split(' ');
    return { comm: s.slice(s.indexOf('(') + 1, close), state: state!, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/**
 * True while `pid` is a running FFmpeg. kill(pid, 0) alone is not enough: it succeeds on a zombie
 * (an FFmpeg whose parent was SIGKILLed is re-parented to PID 1 and stays a zombie until PID 1
 * reaps it), and a pid may be reused by another program once the FFmpeg is gone.
 */
function ffmpegRunning(pid: number): boolean {
  const st = procStat(pid);
  return pidAlive(pid) && st !== undefined && st.comm === 'ffmpeg' && st.state !== 'Z';
}

/** Running FFmpeg processes whose parent is `ppid`. */
function ffmpegChildren(ppid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => procStat(pid)?.ppid === ppid && ffmpegRunning(pid));
}

/** The decoding FFmpeg (output on stdout), not fluent-ffmpeg's short `-formats`/`-encoders` probes. */
function isDecoder(pid: number): boolean {
  return cmdline(pid).includes('pipe:1');
}

/** A TCP socket listens on 127.0.0.1:port (IPv4 table; the listeners here bind 127.0.0.1). */
function tcpListening(port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .some((line) => {
      const f = line.trim().split(/\s+/);
      return f[1] === local && f[3] === '0A';
    });
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

// ---- the demo process: every one SIGKILLed after each test, with any FFmpeg it left ----

interface Demo {
  child: ChildProcess;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderrTail(): string;
  /** Pids of the FFmpeg processes Argus itself saw exit (its "ffmpeg exited" debug log). */
  ffmpegExitsLogged(): Set<number>;
}

const demos = new Set<Demo>();
/** Every FFmpeg seen under a demo: killed after each test if still running (an orphan of a failed test). */
const ffmpegSeen = new Set<number>();

function startDemo(source: string): Demo {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'argus.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first');
  }
  const child = spawn(
    process.execPath,
    [BIN, '--log-level', 'debug', 'demo', '--source', source, '--seconds', '600'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (child.pid === undefined) throw new Error('could not start node bin/argus.js');
  let stdout = '';
  let stderr = '';
  let partial = '';
  const logged = new Set<number>();
  child.stdout!.on('data', (d: Buffer) => {
    stdout = (stdout + d.toString()).slice(-20_000);
  });
  child.stderr!.on('data', (d: Buffer) => {
    const text = d.toString();
    stderr = (stderr + text).slice(-8000);
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.includes('"ffmpeg exited"')) continue;
      try {
        const pid = (JSON.parse(line) as { pid?: unknown }).pid;
        if (typeof pid === 'number') logged.add(pid);
      } catch {
        // Not a whole JSON line: ignored.
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const demo: Demo = {
    child,
    pid: child.pid,
    exited,
    stdout: () => stdout,
    stderrTail: () => stderr,
    ffmpegExitsLogged: () => logged,
  };
  demos.add(demo);
  void exited.then(() => demos.delete(demo));
  return demo;
}

/** Waits for a status line in `state` (printed every 5 s) and a decoding FFmpeg child. */
async function waitUntilRunning(
  demo: Demo,
  state: 'live' | 'starting',
  extra?: () => boolean,
): Promise<void> {
  await waitFor(
    `"[${state}] analysed" and a decoding FFmpeg under pid ${demo.pid}`,
    () => {
      if (demo.child.exitCode !== null || demo.child.signalCode !== null) {
        throw new Error(
          `argus demo exited early (${demo.child.exitCode ?? demo.child.signalCode}); stdout: ${demo.stdout()}; stderr: ${demo.stderrTail()}`,
        );
      }
      return (
        demo.stdout().includes(`[${state}] analysed`) &&
        ffmpegChildren(demo.pid).some(isDecoder) &&
        (extra?.() ?? true)
      );
    },
    READY_TIMEOUT_MS,
    100,
  );
}

/** The demo's FFmpeg processes right now (take it just before signalling): all, and the decoder. */
function snapshotFfmpeg(demo: Demo): { all: number[]; decoder: number } {
  const all = ffmpegChildren(demo.pid);
  for (const pid of all) ffmpegSeen.add(pid);
  const decoders = all.filter(isDecoder);
  expect(decoders).toHaveLength(1);
  return { all, decoder: decoders[0]! };
}

async function exitWithin<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not exit within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function killEverything(): Promise<void> {
  await Promise.all(
    [...demos].map(async (d) => {
      for (const pid of ffmpegChildren(d.pid)) ffmpegSeen.add(pid);
      d.child.kill('SIGKILL');
      await d.exited;
    }),
  );
  for (const pid of ffmpegSeen) killIfFfmpeg(pid);
  ffmpegSeen.clear();
}

function killIfFfmpeg(pid: number): void {
  try {
    if (ffmpegRunning(pid)) process.kill(pid, 'SIGKILL');
  } catch {
    // Gone between the check and the kill.
  }
}

// Last resort if the worker exits without running the hooks.
process.once('exit', () => {
  for (const d of demos) d.child.kill('SIGKILL');
  for (const pid of ffmpegSeen) killIfFfmpeg(pid);
});

/** Signals a running demo and checks it ends by itself, with code 0, having stopped its FFmpeg. */
async function expectGracefulExit(demo: Demo, signal: 'SIGTERM' | 'SIGINT'): Promise<void> {
  const ffmpeg = snapshotFfmpeg(demo);
  demo.child.kill(signal);
  const exit = await exitWithin(demo.exited, GRACEFUL_EXIT_MS, `argus demo after ${signal}`);
  expect(exit).toEqual({ code: 0, signal: null });
  expect(ffmpeg.all.filter(ffmpegRunning)).toEqual([]);
  // Argus stopped and reaped its decoder itself before exiting, rather than leaving it to the
  // kernel's parent-death signal afterwards (which would hide a shutdown that forgot FFmpeg).
  expect(demo.ffmpegExitsLogged()).toContain(ffmpeg.decoder);
}

/** SIGKILLs a running demo (no handler runs) and checks every FFmpeg it had dies soon after. */
async function expectNoOrphansAfterSigkill(demo: Demo, extraDone: () => boolean = () => true): Promise<void> {
  const ffmpegs = snapshotFfmpeg(demo).all;
  demo.child.kill('SIGKILL');
  expect(await demo.exited).toEqual({ code: null, signal: 'SIGKILL' });
  await waitFor(
    `the FFmpeg processes ${ffmpegs.join(', ')} of the SIGKILLed Argus to die`,
    () => ffmpegs.every((pid) => !ffmpegRunning(pid)) && extraDone(),
    ORPHAN_DEATH_MS,
    100,
  );
}

const describeOnLinux = process.platform === 'linux' ? describe : describe.skip;

describeOnLinux('argus process exit leaves no FFmpeg behind', () => {
  registerRtspServerCleanup();
  afterEach(killEverything);
  afterAll(killEverything);

  async function running(source: string, state: 'live' | 'starting', extra?: () => boolean): Promise<Demo> {
    const demo = startDemo(source);
    await waitUntilRunning(demo, state, extra);
    return demo;
  }

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s: exits by itself with code 0 and stops its FFmpeg (file source)',
    async (signal) => {
      const demo = await running(CLIP, 'live');
      await expectGracefulExit(demo, signal);
    },
    SLOW,
  );

  it(
    'SIGTERM with a listener waiting for a publisher: exits with code 0 and frees the port',
    async () => {
      const port = await freePort();
      const demo = await running(`rtsp-listen://127.0.0.1:${port}/x`, 'starting', () => tcpListening(port));
      await expectGracefulExit(demo, 'SIGTERM');
      expect(await canBind(port)).toBe(true);
    },
    SLOW,
  );

  it(
    'SIGKILL: the FFmpeg reading a file dies soon after (file source)',
    async () => {
      const demo = await running(CLIP, 'live');
      await expectNoOrphansAfterSigkill(demo);
    },
    SLOW,
  );

  it(
    'SIGKILL: the FFmpeg pulling RTSP dies soon after',
    async () => {
      const server = await startRtspServer();
      const demo = await running(server.url, 'live');
      await expectNoOrphansAfterSigkill(demo);
    },
    SLOW,
  );

  it(
    'SIGKILL: an RTSP listener with no publisher (it never writes) dies soon after and frees its port',
    async () => {
      const port = await freePort();
      const demo = await running(`rtsp-listen://127.0.0.1:${port}/x`, 'starting', () => tcpListening(port));
      await expectNoOrphansAfterSigkill(demo, () => !tcpListening(port));
      expect(await canBind(port)).toBe(true);
    },
    SLOW,
  );
});
