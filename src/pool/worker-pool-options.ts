import { isAbsolute } from 'node:path';
import { ArgusError } from '../errors/argus-error';
import type { Transferable } from './pool-protocol';

/** The subset of a pino logger the pool writes to. */
export interface PoolLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WorkerPoolOptions {
  /** Absolute path to a compiled .js worker entry point that calls serveTasks(). */
  script: string;
  /** Worker threads kept alive; a worker that dies is replaced. */
  size: number;
  /** Passed to every worker (structured clone; a SharedArrayBuffer is shared, not copied). */
  workerData?: unknown;
  /** Tasks allowed to wait for a worker; beyond it run() rejects at once with ARGUS_E_POOL_SATURATED. */
  maxQueue: number;
  /** Appears in log lines and error reasons. */
  name: string;
  logger?: PoolLogger;
  /** A task running longer is failed and its worker replaced at once (the old one is retired). Default: no limit. */
  taskTimeoutMs?: number;
  /** How long close() lets running tasks finish before failing them and retiring their workers. Default 2000. */
  closeGraceMs?: number;
  /**
   * How long a retired worker may take to return from its current call and exit by itself before
   * it is terminated. Terminating a thread mid-inference can abort the process, so this is generous.
   * Default 10000.
   */
  exitGraceMs?: number;
  /** Delay before the second consecutive restart, doubling per further failure. Default 100. */
  restartDelayMs?: number;
  /** Upper bound of the restart delay. Default 5000. */
  restartDelayMaxMs?: number;
  /** Consecutive replacement workers failing to start before the pool stops replacing. Default 5. */
  maxStartFailures?: number;
}

export interface RunOptions {
  /** Buffers moved to the worker instead of copied; they are detached in the caller afterwards. */
  transfer?: Transferable[];
  /** 'high' tasks wait ahead of every 'normal' one. Default 'normal'. */
  priority?: 'high' | 'normal';
}

export interface PoolStats {
  /** Live worker threads, including ones still starting. */
  size: number;
  busy: number;
  queued: number;
  completed: number;
  failed: number;
  crashes: number;
  restarts: number;
}

/** WorkerPoolOptions with every defaulted option filled in. */
export type ResolvedOptions = Readonly<
  Required<Omit<WorkerPoolOptions, 'workerData' | 'logger' | 'taskTimeoutMs'>> &
    Pick<WorkerPoolOptions, 'workerData' | 'logger' | 'taskTimeoutMs'>
>;

export function resolveOptions(o: WorkerPoolOptions): ResolvedOptions {
  // Bounds and their documentation belong to the config schema; this only catches wiring mistakes.
  if (!isAbsolute(o.script) || !Number.isInteger(o.size) || o.size < 1 || !Number.isInteger(o.maxQueue)) {
    const problems = `worker pool ${o.name}: needs an absolute script path, integer size >= 1 and maxQueue`;
    throw new ArgusError('ARGUS_E_CONFIG_INVALID', { problems });
  }
  return Object.freeze({
    ...o,
    closeGraceMs: o.closeGraceMs ?? 2000,
    exitGraceMs: o.exitGraceMs ?? 10_000,
    restartDelayMs: o.restartDelayMs ?? 100,
    restartDelayMaxMs: o.restartDelayMaxMs ?? 5000,
    maxStartFailures: o.maxStartFailures ?? 5,
  });
}

/**
 * Milliseconds to wait before replacing a worker after `consecutiveFailures` crashes or start
 * failures. The first replacement after healthy work is immediate; repeated failures back off so a
 * worker that dies on start (missing model, bad build) cannot spin the CPU.
 */
export function restartDelay(options: ResolvedOptions, consecutiveFailures: number): number {
  if (consecutiveFailures <= 1) return 0;
  return Math.min(options.restartDelayMs * 2 ** (consecutiveFailures - 2), options.restartDelayMaxMs);
}
