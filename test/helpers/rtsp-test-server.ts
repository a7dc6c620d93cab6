import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Starts test/helpers/rtsp-server.py (GStreamer's RTSP server, which nobody here wrote) for
 * integration tests, and makes sure it dies: every server started here is tracked, and
 * registerRtspServerCleanup() stops them all after each test, pass or fail.
 */

export interface RtspServerOptions {
  /** 0 (default): the server binds a free port itself, so no other process can take it first. */
  port?: number;
  /** Mount path; default `/stream`. */
  path?: string;
  /** Require HTTP Basic auth; clients without these credentials get 401. */
  auth?: { user: string; password: string };
  /** Video file served in a loop; default the H.264 fixture clip. */
  file?: string;
  /** How long to wait for READY; generous for a busy 2-core machine. Default 30 s. */
  readyTimeoutMs?: number;
}

export interface RtspTestServer {
  /** rtsp://127.0.0.1:PORT/PATH, without credentials. */
  url: string;
  port: number;
  pid: number;
  /** The URL with credentials in it (percent-encoded). */
  urlWithCredentials(user: string, password: string): string;
  /** SIGTERM (after SIGCONT, in case it is paused), then SIGKILL after 10 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** SIGKILL: the server dies without closing its connections. Resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGSTOP: the server hangs with its sockets open. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
}

const SCRIPT = path.join(__dirname, 'rtsp-server.py');
/** Debian's python3 has the gi bindings; a python3 earlier on PATH (pyenv) may not. */
const PYTHON =
  process.env.ARGUS_TEST_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const STOP_GRACE_MS = 10_000;

const live = new Set<ChildProcess>();

export async function startRtspServer(options: RtspServerOptions = {}): Promise<RtspTestServer> {
  const mount = options.path ?? '/stream';
  const args = [SCRIPT, String(options.port ?? 0), '--path', mount];
  if (options.auth) args.push('--auth', `${options.auth.user}:${options.auth.password}`);
  if (options.file) args.push('--file', options.file);
  const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const exited = exitOf(child);
  void exited.then(() => live.delete(child));

  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let port: number;
  try {
    port = await waitForReady(child, options.readyTimeoutMs ?? 30_000, () => stderr);
  } catch (err) {
    await killAndWait(child, exited);
    throw err;
  }
  // Keep draining stdout so the child can never block on a full pipe.
  child.stdout!.resume();

  const signal = (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  return {
    url: `rtsp://127.0.0.1:${port}${mount}`,
    port,
    pid: child.pid!,
    urlWithCredentials: (user, password) =>
      `rtsp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}${mount}`,
    stop: async () => {
      signal('SIGTERM');
      signal('SIGCONT'); // a stopped process handles SIGTERM only once continued
      const timer = setTimeout(() => signal('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
    kill: () => killAndWait(child, exited),
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
  };
}

/** Kills every server still running (SIGKILL) and waits for them to exit. */
export async function stopAllRtspServers(): Promise<void> {
  await Promise.all([...live].map((child) => killAndWait(child, exitOf(child))));
}

/** Call at the top level of a test file: every server is killed after each test, whatever happened. */
export function registerRtspServerCleanup(): void {
  afterEach(stopAllRtspServers);
  afterAll(stopAllRtspServers);
}

// Last resort when the test process exits without running the hooks (e.g. a crash).
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function waitForReady(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(
      () => done(new Error(`rtsp-server.py not READY within ${timeoutMs} ms; stderr: ${stderr()}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      stdout += d.toString();
      const m = /^READY (\d+)$/m.exec(stdout);
      if (m) done(undefined, Number(m[1]));
    };
    const onExit = (code: number | null, sig: string | null) =>
      done(new Error(`rtsp-server.py exited (${code ?? sig}) before READY; stderr: ${stderr()}`));
    const onError = (err: Error) => done(err);
    function done(err?: Error, port?: number) {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      if (err) reject(err);
      else resolve(port!);
    }
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/** Resolves when the child has exited, or failed to start at all (then no 'exit' comes). */
function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

async function killAndWait(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await exited;
}
