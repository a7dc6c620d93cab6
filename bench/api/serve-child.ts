import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../src/util/package-root';

export interface ServedArgus {
  child: ChildProcess;
  /** http://127.0.0.1:PORT */
  base: string;
  wsUrl: string;
  adminKey: string;
  output: { stdout: string; stderr: string };
}

/**
 * `argus serve --demo` in a child process on port 0: resolves once the banner names the address
 * (read from the WebSocket line) and the admin key printed at the first start of the data dir.
 */
export async function serveDemo(
  dataDir: string,
  configFile: string,
  timeoutMs = 300_000,
): Promise<ServedArgus> {
  const root = packageRoot();
  const child = spawn(
    process.execPath,
    [path.join(root, 'bin', 'argus.js'), 'serve', '--demo', '--data', dataDir, '--config', configFile],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (b: Buffer) => (output.stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output.stderr += b.toString()));
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `argus serve exited (${child.exitCode ?? child.signalCode}): ${output.stdout}${output.stderr}`,
      );
    }
    const ws = /(ws:\/\/\S+)\/v1\/alerts/.exec(output.stdout);
    const key = /Admin API key \(id \w+\)[^\n]*\n(\S+)/.exec(output.stdout);
    if (ws && key) {
      return {
        child,
        base: ws[1]!.replace(/^ws/, 'http'),
        wsUrl: `${ws[1]}/v1/alerts`,
        adminKey: key[1]!,
        output,
      };
    }
    if (Date.now() - started > timeoutMs) {
      await stopChild(child);
      throw new Error(`no serve banner with an admin key after ${timeoutMs} ms: ${output.stdout}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export async function stopChild(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Polls GET /v1/streams until stream `id` is live. */
export async function waitForLive(base: string, key: string, id: string, timeoutMs = 180_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const res = await fetch(`${base}/v1/streams`, { headers: { authorization: `Bearer ${key}` } }).catch(
      () => undefined,
    );
    if (res?.ok) {
      const body = (await res.json()) as { streams?: Array<{ id: string; state: string }> };
      if (body.streams?.some((s) => s.id === id && s.state === 'live')) return;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`stream "${id}" not live after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
