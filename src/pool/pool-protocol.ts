import { parentPort, type Transferable } from 'node:worker_threads';
import { ArgusError, type ErrorDetails, toArgusError } from '../errors/argus-error';
import { ERROR_CATALOGUE, type ErrorCode } from '../errors/error-catalogue';

/**
 * The messages between a WorkerPool and its worker threads. Both sides import this file, so a
 * change to the wire format is one edit that the compiler checks on both ends.
 */

export type { Transferable };

/** An error as it crosses the thread boundary: structured clone drops an Error's class and fields. */
export interface WireError {
  code: string;
  message: string;
  details: ErrorDetails;
}

/**
 * main -> worker. `exit` asks the worker to leave once its current task (if any) has returned: a
 * thread terminated from outside while ONNX Runtime runs an inference on its behalf can abort the
 * whole process, so the pool only terminates a worker that ignores this request.
 */
export type PoolToWorker<Req> = { type: 'task'; id: number; payload: Req } | { type: 'exit' };

/** worker -> main. `fatal` replaces `ready` when the worker cannot start (e.g. a model is missing). */
export type WorkerToPool<Res> =
  | { type: 'ready' }
  | { type: 'result'; id: number; payload: Res }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'fatal'; error: WireError };

/** What a worker's init returns: handles one request; `transfer` lists buffers to move, not copy. */
export type TaskHandler<Req, Res> = (req: Req) => Promise<{ result: Res; transfer?: Transferable[] }>;

export function toWireError(err: unknown): WireError {
  const argus = toArgusError(err);
  return { code: argus.code, message: argus.message, details: argus.details };
}

/** Rebuilds the ArgusError a worker threw; a code this build does not know becomes ARGUS_E_INTERNAL. */
export function fromWireError(wire: WireError): ArgusError {
  const details = sanitizeDetails(wire.details);
  if (Object.hasOwn(ERROR_CATALOGUE, wire.code)) return new ArgusError(wire.code as ErrorCode, details);
  return new ArgusError('ARGUS_E_INTERNAL', { reason: `${wire.message} (worker code ${wire.code})` });
}

export function isWorkerToPool(msg: unknown): msg is WorkerToPool<unknown> {
  if (typeof msg !== 'object' || msg === null) return false;
  const m = msg as { type?: unknown; id?: unknown; error?: unknown };
  switch (m.type) {
    case 'ready':
      return true;
    case 'result':
      return typeof m.id === 'number';
    case 'error':
      return typeof m.id === 'number' && isWireError(m.error);
    case 'fatal':
      return isWireError(m.error);
    default:
      return false;
  }
}

function isPoolMessage(msg: unknown): msg is PoolToWorker<unknown> {
  if (typeof msg !== 'object' || msg === null) return false;
  const m = msg as { type?: unknown; id?: unknown };
  return (m.type === 'task' && typeof m.id === 'number') || m.type === 'exit';
}

function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' && typeof e.message === 'string';
}

// Details come from another thread (possibly another build): keep only what a message template can use.
function sanitizeDetails(details: unknown): ErrorDetails {
  const out: ErrorDetails = {};
  if (typeof details !== 'object' || details === null) return out;
  for (const [key, value] of Object.entries(details)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key] = value;
  }
  return out;
}

/**
 * The body of a worker entry point: runs `init` (e.g. loads models), reports `ready` or `fatal`,
 * then answers tasks strictly one at a time so a handler never has to be re-entrant.
 */
export function serveTasks<Req, Res>(init: () => Promise<TaskHandler<Req, Res>>): void {
  const port = parentPort;
  if (port === null) {
    throw new ArgusError('ARGUS_E_INTERNAL', { reason: 'serveTasks() must run inside a worker thread' });
  }
  const post = (msg: WorkerToPool<Res>, transfer?: Transferable[]): void => port.postMessage(msg, transfer);

  // A fatal worker stays alive (its port listener keeps it up) until the pool terminates it:
  // exiting here could race the delivery of the fatal message.
  const handlerReady: Promise<TaskHandler<Req, Res> | undefined> = Promise.resolve()
    .then(init)
    .then(
      (handler) => {
        post({ type: 'ready' });
        return handler;
      },
      (err: unknown) => {
        post({ type: 'fatal', error: toWireError(err) });
        return undefined;
      },
    );

  let tail: Promise<void> = Promise.resolve();
  port.on('message', (msg: unknown) => {
    if (!isPoolMessage(msg)) return;
    if (msg.type === 'exit') {
      // Queued behind the running task, so no native call is in flight when the thread stops.
      tail = tail.then(async () => {
        await handlerReady;
        process.exit(0);
      });
      return;
    }
    const task = msg as Extract<PoolToWorker<Req>, { type: 'task' }>;
    tail = tail.then(async () => {
      const handler = await handlerReady;
      if (handler === undefined) return;
      try {
        const { result, transfer } = await handler(task.payload);
        // Inside the try: a result that cannot be cloned becomes an error reply, not a hung task.
        post({ type: 'result', id: task.id, payload: result }, transfer);
      } catch (err) {
        post({ type: 'error', id: task.id, error: toWireError(err) });
      }
    });
  });
}
