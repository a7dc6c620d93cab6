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
  command.on('start', () => {
    proc = (command as unknown as { ffmpegProc?: typeof proc }).ffmpegProc;
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
        if (proc && proc.exitCode === null && proc.signalCode === null) {
          command.kill('SIGTERM');
          const timer = setTimeout(() => command.kill('SIGKILL'), graceMs);
          timer.unref();
          const info = await exited;
          clearTimeout(timer);
          return info;
        }
        return exited;
      })();
      return stopping;
    },
  };
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
