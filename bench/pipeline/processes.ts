/**
 * Every process and temp dir the pipeline benchmark starts, and their guaranteed cleanup: children
 * run in their own process group, so stopping the group also stops what they started (argus
 * serve's FFmpeg, the RTSP server's GStreamer threads); `stopAll` runs in `finally`, on
 * SIGINT/SIGTERM, and a synchronous SIGKILL of every group runs when Node exits.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const groups = new Map<ChildProcess, string>();
const tempDirs = new Set<string>();
const STOP_GRACE_MS = 10_000;

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Spawns `command` as the leader of a new process group and tracks it until it exits. */
export function spawnTracked(
  name: string,
  command: string,
  args: string[],
  o: SpawnOptions = {},
): ChildProcess {
  const child = spawn(command, args, { ...o, detached: true });
  groups.set(child, name);
  child.once('exit', () => {
    // The leader is gone; anything it left in its group dies with it.
    killGroup(child, 'SIGKILL');
    groups.delete(child);
  });
  return child;
}

/** SIGTERM to the leader, SIGKILL to its group after it exits or after the grace period; resolves once the leader has exited. */
export async function stopTracked(child: ChildProcess, graceMs = STOP_GRACE_MS): Promise<void> {
  if (!exited(child)) {
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, 'SIGCONT');
    // The leader first, so argus serve stops its FFmpeg children in order; the group is
    // SIGKILLed once the leader is gone (or after the grace period).
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      gone,
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          killGroup(child, 'SIGKILL');
          resolve();
        }, graceMs);
      }),
    ]);
    clearTimeout(timer);
    await gone;
  }
  killGroup(child, 'SIGKILL');
  groups.delete(child);
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export async function stopAll(): Promise<void> {
  await Promise.allSettled([...groups.keys()].map((c) => stopTracked(c)));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Names of the processes still running (for error messages). */
export function running(): string[] {
  return [...groups.entries()].filter(([c]) => !exited(c)).map(([, n]) => n);
}

let installed = false;

/** Exit hooks: SIGINT/SIGTERM stop everything, and process exit SIGKILLs whatever is left. */
export function installCleanupHooks(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const c of groups.keys()) killGroup(c, 'SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void stopAll().finally(() => process.exit(130));
    });
  }
}
