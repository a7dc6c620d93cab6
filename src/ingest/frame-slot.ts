export interface FrameSlotStats {
  /** Frames put into the slot. */
  received: number;
  /** Frames replaced before anyone took them (the analyser was busy). */
  dropped: number;
  /** Frames handed to the consumer. */
  taken: number;
}

/**
 * A one-frame mailbox between a decoder and the analyser: only the newest frame is kept, so
 * latency stays bounded by one frame however slow the consumer is, and memory by one frame
 * however fast the producer is. A frame replaced before it was taken is counted as dropped
 * (Frigate's policy: drop, count, never queue).
 */
export class FrameSlot<T> {
  private frame: T | undefined;
  private full = false;
  private readonly counts: FrameSlotStats = { received: 0, dropped: 0, taken: 0 };
  /** Consumers blocked in next(), first come first served. */
  private readonly takers: ((frame: T) => void)[] = [];

  /** Stores `frame`; returns the unconsumed frame it replaced (e.g. to recycle its buffer), if any. */
  put(frame: T): T | undefined {
    this.counts.received++;
    const taker = this.takers.shift();
    if (taker) {
      // Straight to a consumer that is already waiting: a second frame arriving in the same tick
      // (FFmpeg output is read in chunks) must not count the first as dropped.
      this.counts.taken++;
      taker(frame);
      return undefined;
    }
    const replaced = this.full ? this.frame : undefined;
    if (this.full) this.counts.dropped++;
    this.frame = frame;
    this.full = true;
    return replaced;
  }

  /** Returns the newest frame and empties the slot; undefined when empty. */
  take(): T | undefined {
    if (!this.full) return undefined;
    const frame = this.frame;
    this.frame = undefined;
    this.full = false;
    this.counts.taken++;
    return frame;
  }

  get hasFrame(): boolean {
    return this.full;
  }

  /**
   * The next frame: the one in the slot, or the next one put. Rejects with the signal's reason
   * when `signal` aborts (the consumer is then forgotten, so nothing accumulates).
   */
  next(signal?: AbortSignal): Promise<T> {
    if (this.full) return Promise.resolve(this.take() as T);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.takers.indexOf(give);
        if (i >= 0) this.takers.splice(i, 1);
        reject(signal?.reason);
      };
      const give = (frame: T): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(frame);
      };
      this.takers.push(give);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A snapshot of the counters. */
  get stats(): FrameSlotStats {
    return { ...this.counts };
  }
}
