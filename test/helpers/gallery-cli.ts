import { spawn } from 'node:child_process';
import path from 'node:path';
import type { CliResult } from './run-cli';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'argus.js');

/** Runs the real CLI as another user (uid/gid), e.g. `nobody` to meet real file permissions as root. */
export function runCliAs(
  args: string[],
  o: { uid: number; gid: number; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: path.resolve(__dirname, '..', '..'),
      env: { ...process.env, HOME: '/tmp' },
      uid: o.uid,
      gid: o.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = stdout
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, stdout, stderr, lines });
    });
  });
}
