import { type ChildProcess, spawn } from 'node:child_process';

export interface FfmpegRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  elapsedMs: number;
}

const live = new Set<ChildProcess>();

/**
 * Runs an FFmpeg to completion, SIGKILLing it after `timeoutMs`. `onStdout` sees its stdout; it
 * may return true to end the run early (SIGKILL) once it has what it needs.
 */
export function runFfmpeg(
  binary: string,
  args: string[],
  opts: { timeoutMs?: number; onStdout?: (chunk: Buffer) => boolean | undefined } = {},
): Promise<FfmpegRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20_000);
    });
    child.stdout.on('data', (d: Buffer) => {
      if (opts.onStdout?.(d) === true) child.kill('SIGKILL');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      live.delete(child);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, stderr, elapsedMs: Date.now() - started });
    });
  });
}

/** SIGKILLs every FFmpeg still running (for afterEach: a failed expectation must not leave one). */
export async function killAllFfmpeg(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
