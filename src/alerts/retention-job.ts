import type { RetentionConfig } from '../config/retention-schema';
import { toArgusError } from '../errors/argus-error';
import type { Logger } from '../logging/create-logger';
import type { PurgeResult } from './alert-store';

/** What the job purges: the alert store (a port so the timer logic is tested alone). */
export interface Purgeable {
  purge(now: Date, o: { cropDays: number; recordDays: number }): PurgeResult;
}

export interface RetentionRun extends PurgeResult {
  durationMs: number;
}

/**
 * Deletes expired alert crops and records every `intervalMinutes`, and once at start. Failures
 * (a locked or full disk) never escape the timer: each kind is logged once until a run succeeds
 * again, and the next run retries.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private readonly failuresLogged = new Set<string>();

  constructor(
    private readonly store: Purgeable,
    private readonly config: RetentionConfig,
    private readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>,
    private readonly onPurged?: (run: RetentionRun) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.runOnce(), this.config.intervalMinutes * 60_000);
    // Retention must not keep a stopping process alive.
    this.timer.unref();
    this.runOnce();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One purge; returns what it deleted, or undefined when it failed (already logged). */
  runOnce(): RetentionRun | undefined {
    const started = performance.now();
    let run: RetentionRun;
    try {
      const r = this.store.purge(this.now(), {
        cropDays: this.config.cropDays,
        recordDays: this.config.recordDays,
      });
      run = { ...r, durationMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (err) {
      const e = toArgusError(err);
      const kind = `${e.code}:${(err as { code?: string }).code ?? ''}`;
      if (!this.failuresLogged.has(kind)) {
        this.failuresLogged.add(kind);
        this.logger.error(
          { code: e.code, reason: e.message },
          'retention purge failed; retrying at the next interval',
        );
      }
      return undefined;
    }
    if (this.failuresLogged.size > 0) {
      this.failuresLogged.clear();
      this.logger.info('retention purge works again');
    }
    if (run.crops + run.records > 0) {
      this.logger.info({ crops: run.crops, records: run.records, ms: run.durationMs }, 'retention purge');
    }
    try {
      this.onPurged?.(run);
    } catch (err) {
      this.logger.warn({ code: toArgusError(err).code }, 'retention purge report failed');
    }
    return run;
  }
}
