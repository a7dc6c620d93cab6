import { Worker } from 'node:worker_threads';
import { ArgusError } from '../errors/argus-error';
import { fromWireError, isWorkerToPool, type PoolToWorker, type Transferable } from './pool-protocol';
import {
  type PoolLogger,
  type PoolStats,
  type ResolvedOptions,
  type RunOptions,
  resolveOptions,
  restartDelay,
  type WorkerPoolOptions,
} from './worker-pool-options';

export type { PoolLogger, PoolStats, RunOptions, WorkerPoolOptions } from './worker-pool-options';

interface Task<Req, Res> {
  readonly id: number;
  readonly payload: Req;
  readonly transfer: Transferable[] | undefined;
  readonly resolve: (res: Res) => void;
  readonly reject: (err: ArgusError) => void;
}

interface Slot<Req, Res> {
  readonly id: number;
  readonly worker: Worker;
  state: 'starting' | 'idle' | 'busy' | 'gone';
  task: Task<Req, Res> | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Resolves when the thread has exited, for whatever reason. */
  readonly exited: Promise<void>;
  /** Settled once: the worker reached `ready`, or failed before it. */
  readonly started: { resolve: () => void; reject: (err: ArgusError) => void };
}

const noop = (): void => {};

/**
 * A fixed-size set of worker threads running one task each, with a bounded priority queue.
 * Workers that die are replaced (with backoff), so callers only ever see a rejected task.
 */
export class WorkerPool<Req, Res> {
  private readonly options: ResolvedOptions;
  private state: 'new' | 'running' | 'closing' | 'closed' = 'new';
  private readonly slots = new Set<Slot<Req, Res>>();
  private readonly high: Task<Req, Res>[] = [];
  private readonly normal: Task<Req, Res>[] = [];
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private readonly exiting = new Set<Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  private startPromise: Promise<void> | undefined;
  private closePromise: Promise<void> | undefined;
  private nextTaskId = 0;
  private nextSlotId = 0;
  private completed = 0;
  private failed = 0;
  private crashes = 0;
  private restarts = 0;
  /** Crashes and start failures since the last task a worker answered; drives the restart delay. */
  private consecutiveFailures = 0;
  /** Replacement workers that failed to start since one last reached `ready`; capped. */
  private startFailures = 0;
  /** Set when the pool gave up replacing workers; reported to callers once no worker is left. */
  private startError: ArgusError | undefined;

  constructor(options: WorkerPoolOptions) {
    this.options = resolveOptions(options);
  }

  /** Spawns every worker and resolves once all are ready; rejects with the first start failure. */
  start(): Promise<void> {
    if (this.closePromise !== undefined) return Promise.reject(new ArgusError('ARGUS_E_POOL_CLOSED'));
    this.startPromise ??= this.startAll();
    return this.startPromise;
  }

  /** Tasks submitted before start() wait in the queue. */
  run(req: Req, opts: RunOptions = {}): Promise<Res> {
    if (this.state === 'closing' || this.state === 'closed') {
      return Promise.reject(new ArgusError('ARGUS_E_POOL_CLOSED'));
    }
    if (this.startError !== undefined && this.slots.size === 0 && this.restartTimers.size === 0) {
      return Promise.reject(this.startError);
    }
    const idle = this.findIdle();
    if (idle === undefined && this.high.length + this.normal.length >= this.options.maxQueue) {
      return Promise.reject(new ArgusError('ARGUS_E_POOL_SATURATED', { limit: this.options.maxQueue }));
    }
    return new Promise<Res>((resolve, reject) => {
      const task = { id: ++this.nextTaskId, payload: req, transfer: opts.transfer, resolve, reject };
      if (idle !== undefined) this.send(idle, task);
      else (opts.priority === 'high' ? this.high : this.normal).push(task);
    });
  }

  stats(): PoolStats {
    let busy = 0;
    for (const slot of this.slots) if (slot.state === 'busy') busy++;
    return {
      size: this.slots.size,
      busy,
      queued: this.high.length + this.normal.length,
      completed: this.completed,
      failed: this.failed,
      crashes: this.crashes,
      restarts: this.restarts,
    };
  }

  /** Rejects queued tasks, gives running ones closeGraceMs, then retires every worker and awaits its exit. Idempotent. */
  close(): Promise<void> {
    this.closePromise ??= this.shutdown();
    return this.closePromise;
  }

  /** For tests only: the live Worker objects, e.g. to terminate one from outside. */
  workersForTesting(): readonly Worker[] {
    return [...this.slots].map((slot) => slot.worker);
  }

  private async startAll(): Promise<void> {
    if (this.state !== 'new') throw new ArgusError('ARGUS_E_POOL_CLOSED');
    this.state = 'running';
    const spawns = Array.from({ length: this.options.size }, () => this.spawn());
    // Wait for every worker to finish starting before tearing down: terminating a thread while it is
    // inside a native call (an ONNX Runtime session being built) can abort the whole process.
    const settled = await Promise.allSettled(spawns);
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      const error = failure.reason as ArgusError;
      if (error.code !== 'ARGUS_E_POOL_CLOSED') {
        this.log('error', { code: error.code, reason: error.message }, 'worker pool failed to start');
      }
      await this.close();
      throw error;
    }
    this.log('info', { size: this.options.size }, 'worker pool started');
  }

  private spawn(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let worker: Worker;
      try {
        worker = new Worker(this.options.script, { workerData: this.options.workerData });
      } catch (err) {
        reject(internal(`cannot start ${this.options.name} worker: ${messageOf(err)}`, err));
        return;
      }
      // Registered before onLost's listener so a retired slot's exit is seen in every case.
      const exited = new Promise<void>((done) => worker.once('exit', () => done()));
      const slot: Slot<Req, Res> = {
        id: ++this.nextSlotId,
        worker,
        state: 'starting',
        task: undefined,
        timer: undefined,
        exited,
        started: { resolve, reject },
      };
      this.slots.add(slot);
      worker.on('message', (msg: unknown) => this.onMessage(slot, msg));
      worker.on('messageerror', (err: Error) => this.onLost(slot, `unreadable message: ${err.message}`, err));
      worker.on('error', (err: Error) => this.onLost(slot, `error: ${err.message}`, err));
      worker.on('exit', (code: number) => this.onLost(slot, `exited with code ${code}`));
    });
  }

  private onMessage(slot: Slot<Req, Res>, msg: unknown): void {
    if (slot.state === 'gone') return;
    if (!isWorkerToPool(msg)) {
      this.log('warn', { worker: slot.id }, 'ignored a malformed message from a worker');
      return;
    }
    switch (msg.type) {
      case 'ready':
        if (slot.state !== 'starting') return;
        slot.state = 'idle';
        this.startFailures = 0;
        slot.started.resolve();
        this.dispatch();
        return;
      case 'fatal':
        if (slot.state === 'starting') {
          this.retire(slot);
          slot.started.reject(fromWireError(msg.error));
        } else this.onLost(slot, `fatal: ${msg.error.message}`);
        return;
      case 'result':
      case 'error': {
        const task = slot.task;
        if (task === undefined || task.id !== msg.id) {
          this.log(
            'warn',
            { worker: slot.id, task: msg.id },
            'ignored a reply to a task the worker does not hold',
          );
          return;
        }
        clearTimeout(slot.timer);
        slot.timer = undefined;
        slot.task = undefined;
        slot.state = 'idle';
        this.consecutiveFailures = 0;
        if (msg.type === 'result') {
          this.completed++;
          task.resolve(msg.payload as Res);
        } else {
          this.failed++;
          task.reject(fromWireError(msg.error));
        }
        this.afterTask();
        return;
      }
    }
  }

  /** The worker is gone (exit, error, timeout): fail what it held and, while running, replace it. */
  private onLost(slot: Slot<Req, Res>, reason: string, cause?: unknown): void {
    if (slot.state === 'gone') return;
    const wasStarting = slot.state === 'starting';
    const task = slot.task;
    this.retire(slot);
    if (wasStarting) {
      // spawn()'s caller decides what a start failure means (start() rejects, a replacement retries).
      slot.started.reject(internal(`${this.options.name} worker failed to start: ${reason}`, cause));
      return;
    }
    this.crashes++;
    this.consecutiveFailures++;
    if (task !== undefined) {
      this.failed++;
      task.reject(new ArgusError('ARGUS_E_WORKER_CRASHED', { reason }, { cause }));
    }
    this.log('warn', { worker: slot.id, task: task?.id, reason, crashes: this.crashes }, 'worker lost');
    if (this.state === 'running') this.replace();
    this.afterTask();
  }

  private replace(): void {
    const timer = setTimeout(
      () => {
        this.restartTimers.delete(timer);
        if (this.state !== 'running') return;
        this.restarts++;
        this.spawn().then(noop, (err: ArgusError) => this.onReplacementFailed(err));
      },
      restartDelay(this.options, this.consecutiveFailures),
    );
    this.restartTimers.add(timer);
  }

  private onReplacementFailed(err: ArgusError): void {
    if (this.state !== 'running') return;
    this.startFailures++;
    this.consecutiveFailures++;
    const fields = { code: err.code, reason: err.message, failures: this.startFailures };
    if (this.startFailures < this.options.maxStartFailures) {
      this.log('warn', fields, 'replacement worker failed to start; retrying');
      this.replace();
      return;
    }
    this.startError = err;
    this.log(
      'error',
      { ...fields, size: this.slots.size },
      'workers keep failing to start; no more replacements',
    );
    if (this.slots.size === 0 && this.restartTimers.size === 0) this.rejectQueued(err);
  }

  private findIdle(): Slot<Req, Res> | undefined {
    for (const slot of this.slots) if (slot.state === 'idle') return slot;
    return undefined;
  }

  private dispatch(): void {
    for (;;) {
      const slot = this.findIdle();
      if (slot === undefined) return;
      const task = this.high.shift() ?? this.normal.shift();
      if (task === undefined) return;
      this.send(slot, task);
    }
  }

  private send(slot: Slot<Req, Res>, task: Task<Req, Res>): void {
    const msg: PoolToWorker<Req> = { type: 'task', id: task.id, payload: task.payload };
    try {
      slot.worker.postMessage(msg, task.transfer);
    } catch (err) {
      // Not cloneable or an already-detached buffer: the caller's fault, the worker is fine.
      this.failed++;
      task.reject(internal(`cannot send a task to ${this.options.name} worker: ${messageOf(err)}`, err));
      return;
    }
    slot.state = 'busy';
    slot.task = task;
    const timeoutMs = this.options.taskTimeoutMs;
    if (timeoutMs !== undefined) {
      slot.timer = setTimeout(() => {
        if (slot.task === task) this.onLost(slot, 'timeout');
      }, timeoutMs);
    }
  }

  private afterTask(): void {
    if (this.stats().busy === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
    if (this.state === 'running') this.dispatch();
  }

  /**
   * Forgets the slot at once and asks its thread to exit after the call it may be inside returns;
   * only a thread still running after exitGraceMs is terminated (see PoolToWorker's `exit`).
   * close() awaits the exit.
   */
  private retire(slot: Slot<Req, Res>): void {
    slot.state = 'gone';
    slot.task = undefined;
    clearTimeout(slot.timer);
    this.slots.delete(slot);
    try {
      slot.worker.postMessage({ type: 'exit' } satisfies PoolToWorker<Req>);
    } catch {
      // Already gone: nothing to ask.
    }
    const kill = setTimeout(() => {
      this.log(
        'warn',
        { worker: slot.id, graceMs: this.options.exitGraceMs },
        'worker did not exit; terminating it',
      );
      slot.worker.terminate().then(noop, noop);
    }, this.options.exitGraceMs);
    const done: Promise<void> = slot.exited.then(() => {
      clearTimeout(kill);
      this.exiting.delete(done);
    });
    this.exiting.add(done);
  }

  private rejectQueued(err: ArgusError): void {
    const tasks = [...this.high.splice(0), ...this.normal.splice(0)];
    for (const task of tasks) task.reject(err);
  }

  private async shutdown(): Promise<void> {
    this.state = 'closing';
    for (const timer of this.restartTimers) clearTimeout(timer);
    this.restartTimers.clear();
    this.rejectQueued(new ArgusError('ARGUS_E_POOL_CLOSED'));
    for (const slot of [...this.slots]) {
      if (slot.state !== 'starting') continue;
      this.retire(slot);
      slot.started.reject(new ArgusError('ARGUS_E_POOL_CLOSED'));
    }
    await this.waitIdle(this.options.closeGraceMs);
    for (const slot of [...this.slots]) {
      const task = slot.task;
      this.retire(slot);
      if (task !== undefined) {
        this.failed++;
        task.reject(new ArgusError('ARGUS_E_POOL_CLOSED'));
      }
    }
    await Promise.all([...this.exiting]);
    this.state = 'closed';
    this.log('info', { completed: this.completed, failed: this.failed }, 'worker pool closed');
  }

  private waitIdle(graceMs: number): Promise<void> {
    if (this.stats().busy === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private log(level: keyof PoolLogger, fields: object, msg: string): void {
    this.options.logger?.[level]({ pool: this.options.name, ...fields }, msg);
  }
}

function internal(reason: string, cause?: unknown): ArgusError {
  return new ArgusError('ARGUS_E_INTERNAL', { reason }, { cause });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
