import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';

export interface FfmpegExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when FFmpeg could not be started at all (binary missing, not executable). */
  spawnError?: string;
}

/** One running FFmpeg process: frames on `stdout`, diagnostics line by line. */
export interface FfmpegProcess {
  readonly stdout: Readable;
  readonly exited: Promise<FfmpegExitInfo>;
  readonly pid: number | undefined;
  onStderrLine(listener: (line: string) => void): void;
  /** SIGTERM, then SIGKILL after `graceMs` (a blocked FFmpeg ignores its first SIGTERM). */
  stop(graceMs: number): Promise<FfmpegExitInfo>;
}

export interface SpawnFfmpegOptions {
  binary: string;
  /** Full argument list as built by buildFfmpegArgs: input options, -i SOURCE, output options, pipe:1. */
  args: readonly string[];
  /** Bytes for FFmpeg's stdin (the source is `pipe:0`). */
  stdin?: Readable;
}

/**
 * Runs FFmpeg through fluent-ffmpeg. Our argument builder owns every option; fluent-ffmpeg owns
 * the process (spawn, stderr lines, exit and kill). The command line carries credentials: it is
 * never logged here.
 */
export function spawnFfmpeg(o: SpawnFfmpegOptions): FfmpegProcess {
  const { inputOptions, source, outputOptions } = splitArgs(o.args);
  const out = new PassThrough({ highWaterMark: 4 * 1024 * 1024 });
  const command = ffmpeg();
  command.setFfmpegPath(o.binary);
  dieWithParent(command, o.binary);
  command.input(source === 'pipe:0' && o.stdin ? o.stdin : source).inputOptions([...inputOptions]);
  command.outputOptions([...outputOptions]).output(out, { end: true });
  const listeners: Array<(line: string) => void> = [];
  command.on('stderr', (line: string) => {
    for (const l of listeners) l(line);
  });
  let settle!: (info: FfmpegExitInfo) => void;
  const exited = new Promise<FfmpegExitInfo>((resolve) => {
    settle = resolve;
  });
  let proc: { pid?: number; exitCode: number | null; signalCode: NodeJS.Signals | null } | undefined;
  // stop() can come before fluent-ffmpeg has spawned anything (it first probes capabilities):
  // remember it and kill the process the moment it exists.
  let stopGraceMs: number | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = (graceMs: number) => {
    command.kill('SIGTERM');
    killTimer = setTimeout(() => command.kill('SIGKILL'), graceMs);
    killTimer.unref();
  };
  command.on('start', () => {
    proc = (command as unknown as { ffmpegProc?: typeof proc }).ffmpegProc;
    if (stopGraceMs !== undefined) terminate(stopGraceMs);
  });
  const finish = (spawnError?: string) => {
    const info: FfmpegExitInfo = {
      code: proc?.exitCode ?? (spawnError ? null : 0),
      signal: proc?.signalCode ?? null,
      ...(spawnError ? { spawnError } : {}),
    };
    settle(info);
  };
  command.on('end', () => finish());
  command.on('error', (err: Error) => {
    // fluent-ffmpeg reports a non-zero exit and a kill as errors too; only a process that never got
    // a pid (ENOENT, EACCES), or a failure before spawning, is a spawn error.
    finish(proc?.pid === undefined ? err.message : undefined);
  });
  // The output stream errors when FFmpeg dies mid-write; the exit path reports that.
  out.on('error', () => {});
  // fluent-ffmpeg 2.1.3 throws from its child 'error' handler when the binary cannot be spawned
  // (it reads stderr rings it never created), which would crash the process: check first.
  const missing = notExecutable(o.binary);
  if (missing) {
    finish(missing);
    out.end();
  } else {
    command.run();
  }

  let stopping: Promise<FfmpegExitInfo> | undefined;
  return {
    stdout: out,
    exited,
    get pid() {
      return proc?.pid;
    },
    onStderrLine(listener) {
      listeners.push(listener);
    },
    stop(graceMs) {
      stopping ??= (async () => {
        if (!proc) stopGraceMs = graceMs;
        else if (proc.exitCode === null && proc.signalCode === null) terminate(graceMs);
        const info = await exited;
        clearTimeout(killTimer);
        return info;
      })();
      return stopping;
    },
  };
}

/** util-linux setpriv: sets PR_SET_PDEATHSIG, then execs its argument (same pid, same exit status). */
const SETPRIV = '/usr/bin/setpriv';
let setprivUsable: boolean | undefined;

/** fluent-ffmpeg 2.1.3 internals (the package is final): every FFmpeg it starts goes through these. */
interface FluentSpawn {
  _getFfmpegPath(callback: (err: Error | null, path: string) => void): void;
  _spawnFfmpeg(args: string[], ...rest: unknown[]): unknown;
}

/**
 * Makes the kernel SIGKILL this command's FFmpeg when Argus dies, on Linux. A graceful exit stops
 * FFmpeg itself (StreamSupervisor.stop); this covers SIGKILL, the OOM killer and crashes, where no
 * handler runs. An FFmpeg that is writing frames dies then anyway (EPIPE on its stdout), but one
 * that writes nothing would live on: an RTSP/RTMP listener waiting for a publisher would hold its
 * port for ever and the next Argus could not listen there. Nothing FFmpeg reads notices: its wait
 * for a publisher only polls the socket and its signal flag, and stdin (even without -nostdin) is
 * read only once decoding runs, where EOF is not a quit key. Measured with FFmpeg 5.1.
 * Parent death means the death of the thread that spawned FFmpeg: the main thread here.
 * Elsewhere (no setpriv, not Linux) FFmpeg is started as it is.
 */
function dieWithParent(command: ffmpeg.FfmpegCommand, binary: string): void {
  setprivUsable ??= process.platform === 'linux' && supportsPdeathsig();
  const internals = command as unknown as Partial<FluentSpawn>;
  const spawnInner = internals._spawnFfmpeg;
  if (!setprivUsable || typeof spawnInner !== 'function' || typeof internals._getFfmpegPath !== 'function') {
    return;
  }
  // Own properties of this command only: the capability probes it runs (-formats, -encoders) are
  // wrapped too, and no other fluent-ffmpeg command is affected.
  internals._getFfmpegPath = (callback) => callback(null, SETPRIV);
  internals._spawnFfmpeg = function (this: unknown, args: string[], ...rest: unknown[]) {
    return spawnInner.call(this, ['--pdeathsig', 'SIGKILL', '--', binary, ...args], ...rest);
  };
}

/** setpriv has --pdeathsig from util-linux 2.33 (Debian 10 and later). */
function supportsPdeathsig(): boolean {
  try {
    accessSync(SETPRIV, constants.X_OK);
    const r = spawnSync(SETPRIV, ['--help'], { encoding: 'utf8', timeout: 5000 });
    return r.status === 0 && r.stdout.includes('--pdeathsig');
  } catch {
    return false;
  }
}

/** Splits a flat argument list at its (single) `-i` and trailing output target. */
export function splitArgs(args: readonly string[]): {
  inputOptions: string[];
  source: string;
  outputOptions: string[];
} {
  const i = args.indexOf('-i');
  if (i < 0 || i + 1 >= args.length || args.lastIndexOf('-i') !== i) {
    throw new Error('expected exactly one -i in the FFmpeg arguments');
  }
  const last = args[args.length - 1];
  if (last !== 'pipe:1') throw new Error('expected the FFmpeg output to be pipe:1');
  return {
    inputOptions: args.slice(0, i),
    source: args[i + 1]!,
    outputOptions: args.slice(i + 2, -1),
  };
}

function notExecutable(binary: string): string | undefined {
  try {
    accessSync(binary, constants.X_OK);
    return undefined;
  } catch (err) {
    return `${binary}: ${(err as NodeJS.ErrnoException).code ?? 'not executable'}`;
  }
}
