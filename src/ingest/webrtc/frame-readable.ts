import { Readable } from 'node:stream';
import type { EncodedFrame } from './encoded-frame';
import { FrameQueue, type FrameQueueOptions, type OfferResult } from './frame-queue';

export interface FrameReadableOptions extends FrameQueueOptions {
  /** Frame -> bytes for the consumer (Annex B as is, IVF framing); undefined skips the frame. */
  serialize(frame: EncodedFrame): Buffer | undefined;
  /**
   * Bytes Node's own stream buffer holds before the queue takes over. Small, so that a slow
   * consumer shows up as queued frames (which can be dropped whole) rather than as bytes.
   */
  highWaterMark?: number;
}

/**
 * A byte stream of frames whose memory is bounded: frames wait in a FrameQueue until the consumer
 * reads, and are serialized only then, so a dropped frame never leaves half its bytes behind.
 */
export class FrameReadable extends Readable {
  private readonly queue: FrameQueue;
  private readonly serialize: (frame: EncodedFrame) => Buffer | undefined;
  private wanted = false;
  private ended = false;
  private droppedAfterEnd = 0;

  constructor(options: FrameReadableOptions) {
    super({ highWaterMark: options.highWaterMark ?? 64 * 1024 });
    this.queue = new FrameQueue(options);
    this.serialize = options.serialize;
  }

  /** Queues a frame (or drops it, see FrameQueue) and feeds a waiting reader. */
  offer(frame: EncodedFrame): OfferResult {
    if (this.ended) {
      this.droppedAfterEnd++;
      return { dropped: 1, needKeyframe: false };
    }
    const result = this.queue.offer(frame);
    if (this.wanted) this.drain();
    return result;
  }

  /** Frames dropped so far, by the queue or because the stream had ended. */
  get dropped(): number {
    return this.queue.dropped + this.droppedAfterEnd;
  }

  /** Ends the stream; frames still queued are dropped. */
  finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.clear();
    this.push(null);
  }

  override _read(): void {
    this.wanted = true;
    this.drain();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.ended = true;
    this.queue.clear();
    callback(err);
  }

  private drain(): void {
    while (this.wanted && !this.ended) {
      const frame = this.queue.take();
      if (frame === undefined) return;
      const bytes = this.serialize(frame);
      if (bytes !== undefined) this.wanted = this.push(bytes);
    }
  }
}
