import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

export interface EventLoopLag {
  p50: number;
  p99: number;
  max: number;
}

export interface EventLoopMonitorOptions {
  /** Sampling timer period in ms (perf_hooks resolution). Default 10. */
  resolutionMs?: number;
  /** Length of one window in s; snapshots cover the current and the previous window. Default 10. */
  windowSec?: number;
}

/**
 * Event-loop lag from perf_hooks.monitorEventLoopDelay, in ms, over a rolling window: the
 * histogram restarts every `windowSec`. Until the current window holds half a window of samples,
 * a snapshot also counts the previous window (its p50, and the worse p99 and max of the two), so
 * a snapshot taken just after a reset does not read as "no lag". Values are the delay beyond the
 * sampling period: an idle loop reads ~0.
 */
export class EventLoopMonitor {
  private readonly h: IntervalHistogram;
  private previous: EventLoopLag | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly resolutionMs: number;
  private readonly fullCount: number;

  constructor(o: EventLoopMonitorOptions = {}) {
    this.resolutionMs = o.resolutionMs ?? 10;
    const windowSec = o.windowSec ?? 10;
    this.fullCount = (windowSec * 1000) / this.resolutionMs / 2;
    this.h = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.h.enable();
    this.timer = setInterval(() => this.rotate(), windowSec * 1000);
    this.timer.unref();
  }

  snapshot(): EventLoopLag {
    const current = this.h.count > 0 ? this.read() : undefined;
    const prev = this.previous;
    if (!prev || (current && this.h.count >= this.fullCount)) return current ?? { p50: 0, p99: 0, max: 0 };
    if (!current) return prev;
    return { p50: prev.p50, p99: Math.max(prev.p99, current.p99), max: Math.max(prev.max, current.max) };
  }

  stop(): void {
    clearInterval(this.timer);
    this.h.disable();
  }

  private read(): EventLoopLag {
    return {
      p50: this.lagMs(this.h.percentile(50)),
      p99: this.lagMs(this.h.percentile(99)),
      max: this.lagMs(this.h.max),
    };
  }

  private rotate(): void {
    this.previous = this.h.count > 0 ? this.read() : undefined;
    this.h.reset();
  }

  private lagMs(ns: number): number {
    return Math.max(0, Math.round((ns / 1e6 - this.resolutionMs) * 100) / 100);
  }
}
