import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { ArgusError, isArgusError } from '../../../src/errors/argus-error';
import { fromWireError, toWireError } from '../../../src/pool/pool-protocol';
import { type PoolLogger, WorkerPool, type WorkerPoolOptions } from '../../../src/pool/worker-pool';

// Real worker threads running a plain-JS fixture that requires the compiled protocol from dist/
// (the suite runs `npm run build` first). Assertions never depend on exact durations.
const ECHO = path.resolve(__dirname, '../../fixtures/workers/echo-worker.js');

type EchoReq =
  | { op: 'echo'; value: unknown }
  | { op: 'sleep'; ms: number; value?: unknown }
  | { op: 'busy'; ms: number }
  | { op: 'throw'; code?: string; details?: Record<string, string> }
  | { op: 'exit'; exitCode?: number }
  | { op: 'uncaught' }
  | { op: 'sum'; buffer: ArrayBuffer };
type EchoRes = { value?: unknown; threadId?: number; sum?: number; out?: Uint8Array };

const pools: WorkerPool<EchoReq, EchoRes>[] = [];

function makeLogger(): PoolLogger & { [K in keyof PoolLogger]: jest.Mock } {
  return { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
}

function makePool(overrides: Partial<WorkerPoolOptions> = {}): WorkerPool<EchoReq, EchoRes> {
  const pool = new WorkerPool<EchoReq, EchoRes>({
    script: ECHO,
    size: 1,
    maxQueue: 16,
    name: 'echo',
    restartDelayMs: 20,
    ...overrides,
  });
  pools.push(pool);
  return pool;
}

async function expectArgus(promise: Promise<unknown>, code: string): Promise<ArgusError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ArgusError);
  expect((err as ArgusError).code).toBe(code);
  return err as ArgusError;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

describe('WorkerPool', () => {
  it('matches each result to its caller under concurrency', async () => {
    const pool = makePool({ size: 3, maxQueue: 64 });
    await pool.start();
    const values = Array.from({ length: 30 }, (_, i) => i);
    const results = await Promise.all(
      values.map((i) =>
        pool.run(i % 3 === 0 ? { op: 'sleep', ms: (i * 7) % 30, value: i } : { op: 'echo', value: i }),
      ),
    );
    expect(results.map((r) => r.value)).toEqual(values);
    expect(new Set(results.map((r) => r.threadId)).size).toBeGreaterThan(1);
    expect(pool.stats()).toMatchObject({ size: 3, busy: 0, queued: 0, completed: 30, failed: 0, crashes: 0 });
  });

  it('refuses options that cannot work', () => {
    expect(() => makePool({ script: 'echo-worker.js' })).toThrow(/absolute script path/);
    expect(() => makePool({ size: 0 })).toThrow(ArgusError);
  });

  it('moves transferred buffers both ways', async () => {
    const pool = makePool();
    await pool.start();
    const buffer = new Uint8Array([1, 2, 3, 4]).buffer;
    const res = await pool.run({ op: 'sum', buffer }, { transfer: [buffer] });
    expect(buffer.byteLength).toBe(0);
    expect(res.sum).toBe(10);
    expect(Array.from(res.out ?? [])).toEqual([10, 4]);
  });

  it('rejects at once with ARGUS_E_POOL_SATURATED when the queue is full', async () => {
    const pool = makePool({ maxQueue: 2 });
    await pool.start();
    const running = pool.run({ op: 'sleep', ms: 150, value: 'a' });
    const queued = [pool.run({ op: 'echo', value: 'b' }), pool.run({ op: 'echo', value: 'c' })];
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 2 });
    const err = await expectArgus(pool.run({ op: 'echo', value: 'd' }), 'ARGUS_E_POOL_SATURATED');
    expect(err.details).toEqual({ limit: 2 });
    expect(err.retryable).toBe(true);
    expect((await Promise.all([running, ...queued])).map((r) => r.value)).toEqual(['a', 'b', 'c']);
  });

  it('runs high-priority tasks ahead of normal ones, FIFO within a priority', async () => {
    const pool = makePool();
    await pool.start();
    const order: string[] = [];
    const track = (value: string, priority: 'high' | 'normal') =>
      pool.run({ op: 'echo', value }, { priority }).then((r) => order.push(String(r.value)));
    const blocker = pool.run({ op: 'sleep', ms: 100, value: 'blocker' });
    await Promise.all([
      track('n1', 'normal'),
      track('n2', 'normal'),
      track('h1', 'high'),
      track('n3', 'normal'),
      track('h2', 'high'),
      blocker,
    ]);
    expect(order).toEqual(['h1', 'h2', 'n1', 'n2', 'n3']);
  });

  it('propagates worker errors with their catalogue code; other throws become ARGUS_E_INTERNAL', async () => {
    const pool = makePool();
    await pool.start();
    const noFace = await expectArgus(
      pool.run({ op: 'throw', code: 'ARGUS_E_NO_FACE', details: { subject: 'frame 7' } }),
      'ARGUS_E_NO_FACE',
    );
    expect(noFace.message).toBe('No face was found in frame 7');
    expect(noFace.status).toBe(422);
    const internal = await expectArgus(pool.run({ op: 'throw' }), 'ARGUS_E_INTERNAL');
    expect(internal.message).toContain('boom');
    expect((await pool.run({ op: 'echo', value: 1 })).value).toBe(1);
    expect(pool.stats()).toMatchObject({ completed: 1, failed: 2, crashes: 0, restarts: 0 });
  });

  it('fails the task of a worker that exits mid-task, logs once, and replaces the worker', async () => {
    const logger = makeLogger();
    const pool = makePool({ size: 2, logger });
    await pool.start();
    const err = await expectArgus(pool.run({ op: 'exit', exitCode: 3 }), 'ARGUS_E_WORKER_CRASHED');
    expect(err.details.reason).toContain('code 3');
    const results = await Promise.all([1, 2, 3, 4].map((value) => pool.run({ op: 'echo', value })));
    expect(results.map((r) => r.value)).toEqual([1, 2, 3, 4]);
    await waitFor(() => pool.stats().size === 2 && pool.stats().restarts === 1);
    expect(pool.stats()).toMatchObject({ size: 2, crashes: 1, failed: 1, restarts: 1 });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(logger.warn.mock.calls[0])).not.toContain('payload');
  });

  it('treats an uncaught exception in the worker as a crash', async () => {
    const pool = makePool();
    await pool.start();
    const err = await expectArgus(pool.run({ op: 'uncaught' }), 'ARGUS_E_WORKER_CRASHED');
    expect(err.details.reason).toContain('uncaught in worker');
    expect((await pool.run({ op: 'echo', value: 'after' })).value).toBe('after');
  });

  it('fails the task of a worker terminated from outside and replaces it', async () => {
    const pool = makePool();
    await pool.start();
    const task = pool.run({ op: 'sleep', ms: 10_000 });
    const [worker] = pool.workersForTesting();
    await worker?.terminate();
    await expectArgus(task, 'ARGUS_E_WORKER_CRASHED');
    expect((await pool.run({ op: 'echo', value: 'next' })).value).toBe('next');
    expect(pool.stats()).toMatchObject({ size: 1, crashes: 1, restarts: 1 });
  });

  it('fails a task that exceeds taskTimeoutMs, replaces its worker at once, and lets the old one exit by itself', async () => {
    const logger = makeLogger();
    const pool = makePool({ taskTimeoutMs: 300, logger });
    await pool.start();
    const [old] = pool.workersForTesting();
    const oldExit = new Promise<number>((resolve) => old?.once('exit', resolve));
    const err = await expectArgus(pool.run({ op: 'sleep', ms: 1_500 }), 'ARGUS_E_WORKER_CRASHED');
    expect(err.details).toEqual({ reason: 'timeout' });
    // The replacement answers while the old thread is still inside its call.
    expect((await pool.run({ op: 'echo', value: 'alive' })).value).toBe('alive');
    expect(pool.workersForTesting()).not.toContain(old);
    // process.exit(0) after the call returned, not terminate() (which would give exit code 1).
    expect(await oldExit).toBe(0);
    expect(pool.stats()).toMatchObject({ size: 1, crashes: 1, restarts: 1 });
    expect(logger.warn.mock.calls.map((c) => c[1])).not.toContain('worker did not exit; terminating it');
  });

  it('terminates a retired worker that does not return within exitGraceMs', async () => {
    const logger = makeLogger();
    const pool = makePool({ taskTimeoutMs: 300, exitGraceMs: 300, logger });
    await pool.start();
    const [old] = pool.workersForTesting();
    const oldExit = new Promise<number>((resolve) => old?.once('exit', resolve));
    await expectArgus(pool.run({ op: 'busy', ms: 60_000 }), 'ARGUS_E_WORKER_CRASHED');
    expect(await oldExit).toBe(1);
    expect(logger.warn.mock.calls.map((c) => c[1])).toContain('worker did not exit; terminating it');
    expect((await pool.run({ op: 'echo', value: 'alive' })).value).toBe('alive');
  });

  it('rejects start() with the error the worker reported, leaving no worker behind', async () => {
    const pool = makePool({ size: 2, workerData: { op: 'crash-on-start' } });
    const err = await expectArgus(pool.start(), 'ARGUS_E_MODEL_MISSING');
    expect(err.message).toContain('echo.onnx');
    expect(pool.stats()).toMatchObject({ size: 0, busy: 0 });
    await expectArgus(pool.run({ op: 'echo', value: 1 }), 'ARGUS_E_POOL_CLOSED');
  });

  it('rejects start() with a clear error when a worker exits before ready or the script is missing', async () => {
    const exiting = makePool({ workerData: { op: 'exit-on-start' } });
    const exitErr = await expectArgus(exiting.start(), 'ARGUS_E_INTERNAL');
    expect(exitErr.message).toMatch(/echo worker failed to start: exited with code 7/);
    expect(exiting.stats().size).toBe(0);

    const missing = makePool({ script: path.join(__dirname, 'no-such-worker.js') });
    const missingErr = await expectArgus(missing.start(), 'ARGUS_E_INTERNAL');
    expect(missingErr.message).toContain('echo worker failed to start');
    expect(missing.stats().size).toBe(0);
  });

  it('backs off and stops replacing a worker that keeps failing to start', async () => {
    const logger = makeLogger();
    const failFlag = new SharedArrayBuffer(4);
    const pool = makePool({ workerData: { failFlag }, logger, maxStartFailures: 3 });
    await pool.start();
    Atomics.store(new Int32Array(failFlag), 0, 1);
    await expectArgus(pool.run({ op: 'exit' }), 'ARGUS_E_WORKER_CRASHED');
    await waitFor(() => logger.error.mock.calls.length > 0);
    expect(pool.stats()).toMatchObject({ size: 0, crashes: 1, restarts: 3 });
    expect(logger.warn).toHaveBeenCalledTimes(3); // the crash, then two failed replacements
    await expectArgus(pool.run({ op: 'echo', value: 1 }), 'ARGUS_E_MODEL_MISSING');
  });

  it('close() rejects queued tasks, lets the running one finish, and is idempotent', async () => {
    const pool = makePool();
    await pool.start();
    const running = pool.run({ op: 'sleep', ms: 100, value: 'done' });
    const queued = [
      pool.run({ op: 'echo', value: 1 }),
      pool.run({ op: 'echo', value: 2 }, { priority: 'high' }),
    ];
    const closing = pool.close();
    await Promise.all(queued.map((task) => expectArgus(task, 'ARGUS_E_POOL_CLOSED')));
    expect((await running).value).toBe('done');
    await Promise.all([closing, pool.close()]);
    expect(pool.stats()).toMatchObject({ size: 0, busy: 0, queued: 0, completed: 1 });
    await expectArgus(pool.run({ op: 'echo', value: 3 }), 'ARGUS_E_POOL_CLOSED');
    await expectArgus(pool.start(), 'ARGUS_E_POOL_CLOSED');
  });

  it('close() fails a task that outlives the grace period and terminates a worker that does not exit', async () => {
    const pool = makePool({ size: 2, closeGraceMs: 100, exitGraceMs: 200 });
    await pool.start();
    const stuck = expectArgus(pool.run({ op: 'busy', ms: 60_000 }), 'ARGUS_E_POOL_CLOSED');
    await pool.close();
    await stuck;
    expect(pool.stats()).toMatchObject({ size: 0, busy: 0 });
  });

  it('close() during start() rejects start() and stops the starting workers', async () => {
    const pool = makePool({ size: 2, workerData: { startDelayMs: 5_000 }, exitGraceMs: 200 });
    const starting = pool.start();
    await pool.close();
    await expectArgus(starting, 'ARGUS_E_POOL_CLOSED');
    expect(pool.stats().size).toBe(0);
  });

  it('leaves no handle behind: a process using the pool exits on its own after close()', async () => {
    const poolJs = path.resolve(__dirname, '../../../dist/src/pool/worker-pool.js');
    const script = `
      const { WorkerPool } = require(${JSON.stringify(poolJs)});
      const opts = { script: ${JSON.stringify(ECHO)}, size: 2, maxQueue: 4, name: 'exit', closeGraceMs: 100, exitGraceMs: 300 };
      const pool = new WorkerPool(opts);
      pool.start()
        .then(() => Promise.allSettled([pool.run({ op: 'echo', value: 1 }), pool.run({ op: 'exit' })]))
        .then(() => {
          pool.run({ op: 'sleep', ms: 60000 }).catch(() => undefined);
          return pool.close();
        });
    `;
    const code = await new Promise<number | null>((resolve) => {
      const child = execFile(process.execPath, ['-e', script], { timeout: 15_000 }, () => undefined);
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    expect(code).toBe(0);
  }, 20_000);
});

describe('pool wire errors', () => {
  it('round-trips an ArgusError and maps unknown codes to ARGUS_E_INTERNAL', () => {
    const wire = toWireError(new ArgusError('ARGUS_E_POOL_SATURATED', { limit: 4 }));
    const back = fromWireError(wire);
    expect(isArgusError(back, 'ARGUS_E_POOL_SATURATED')).toBe(true);
    expect(back.message).toBe('The vision worker pool queue is full (4 tasks waiting)');

    const unknown = fromWireError({ code: 'ARGUS_E_FROM_THE_FUTURE', message: 'new thing', details: {} });
    expect(unknown.code).toBe('ARGUS_E_INTERNAL');
    expect(unknown.message).toContain('new thing');

    expect(toWireError(new TypeError('bad')).code).toBe('ARGUS_E_INTERNAL');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
