import { ArgusError } from '../errors/argus-error';

export interface BackoffOptions {
  /** Ceiling of the first delay, in ms. Default 500. */
  initialMs?: number;
  /** Largest ceiling, in ms. Default 30000. */
  maxMs?: number;
  /** Growth of the ceiling per failed attempt. Default 2. */
  factor?: number;
  /** An attempt that stays healthy this long (ms) resets the attempt counter. Default 60000. */
  healthyResetMs?: number;
  /** Uniform in [0, 1); injected by tests to make delays deterministic. Default Math.random. */
  random?: () => number;
}

/**
 * Reconnect delays: exponential with **equal jitter**. The ceiling for attempt n is
 * min(maxMs, initialMs * factor^n) and the delay is uniform in [ceiling/2, ceiling).
 * Equal rather than full jitter: full jitter can draw ~0 ms again and again, hammering a camera
 * that is down; equal jitter keeps at least half the ceiling between attempts while still
 * spreading the reconnects of many streams that lost the same NVR at the same moment.
 *
 * Pure: time comes in as arguments, randomness through `random`.
 */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly healthyResetMs: number;
  private readonly random: () => number;
  private failures = 0;
  private healthySince: number | undefined;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.healthyResetMs = options.healthyResetMs ?? 60_000;
    this.random = options.random ?? Math.random;
    const problems: string[] = [];
    if (!(this.initialMs > 0)) problems.push('initialMs must be > 0');
    if (!(this.maxMs >= this.initialMs)) problems.push('maxMs must be >= initialMs');
    if (!(this.factor >= 1)) problems.push('factor must be >= 1');
    if (!(this.healthyResetMs > 0)) problems.push('healthyResetMs must be > 0');
    if (problems.length > 0) {
      throw new ArgusError('ARGUS_E_CONFIG_INVALID', { problems: `backoff: ${problems.join('; ')}` });
    }
  }

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** A new attempt (process spawn) begins: it has not been healthy yet. */
  onAttemptStart(_now: number): void {
    this.healthySince = undefined;
  }

  /** The current attempt is delivering (e.g. a frame arrived). Cheap: call it per frame. */
  markHealthy(now: number): void {
    this.healthySince ??= now;
  }

  /**
   * The attempt just ended (at `now`): returns how long to wait before the next one. If the attempt
   * had been healthy for healthyResetMs, the failure counter starts over, so a camera that dropped
   * once after hours of service reconnects after ~initialMs rather than after maxMs.
   */
  next(now: number): number {
    if (this.healthySince !== undefined && now - this.healthySince >= this.healthyResetMs) this.failures = 0;
    this.healthySince = undefined;
    const ceiling = Math.min(this.maxMs, this.initialMs * this.factor ** this.failures);
    this.failures++;
    const r = Math.min(Math.max(this.random(), 0), 1);
    return Math.round(ceiling / 2 + (r * ceiling) / 2);
  }

  reset(): void {
    this.failures = 0;
    this.healthySince = undefined;
  }
}
