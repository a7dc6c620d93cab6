import type { EncodedFrame } from './encoded-frame';

export interface FrameQueueOptions {
  /** Frames held at most. */
  maxFrames: number;
  /** Bytes held at most (a single frame larger than this is still accepted into an empty queue). */
  maxBytes: number;
}

export interface OfferResult {
  /** Frames thrown away by this offer (the offered one and/or queued ones). */
  dropped: number;
  /** The consumer now waits for a keyframe: ask the sender for one. */
  needKeyframe: boolean;
}

/**
 * The bounded queue between the network and a slow consumer (FFmpeg's stdin). Compressed video
 * cannot lose a frame and go on: later frames refer to it. So when the queue is full, the offered
 * frame is dropped and so is every frame after it until a keyframe, which restarts decoding; a
 * keyframe arriving at a full queue instead replaces everything queued (the oldest frames go,
 * latency stays bounded). Every frame thrown away is counted.
 */
export class FrameQueue {
  private readonly frames: EncodedFrame[] = [];
  private bytes = 0;
  private awaitingKeyframe = false;
  private droppedTotal = 0;

  constructor(private readonly options: FrameQueueOptions) {}

  offer(frame: EncodedFrame): OfferResult {
    if (frame.keyframe) {
      let dropped = 0;
      if (this.isFullFor(frame)) dropped = this.clear();
      this.awaitingKeyframe = false;
      this.append(frame);
      return { dropped, needKeyframe: false };
    }
    if (this.awaitingKeyframe) return this.dropOffered();
    if (this.isFullFor(frame)) {
      this.awaitingKeyframe = true;
      return this.dropOffered();
    }
    this.append(frame);
    return { dropped: 0, needKeyframe: false };
  }

  /** The oldest frame, removed from the queue. */
  take(): EncodedFrame | undefined {
    const frame = this.frames.shift();
    if (frame !== undefined) this.bytes -= frame.data.length;
    return frame;
  }

  /** Drops everything queued; returns how many frames that was. */
  clear(): number {
    const n = this.frames.length;
    this.frames.length = 0;
    this.bytes = 0;
    this.droppedTotal += n;
    return n;
  }

  get length(): number {
    return this.frames.length;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  get dropped(): number {
    return this.droppedTotal;
  }

  private isFullFor(frame: EncodedFrame): boolean {
    if (this.frames.length === 0) return false;
    return (
      this.frames.length >= this.options.maxFrames || this.bytes + frame.data.length > this.options.maxBytes
    );
  }

  private append(frame: EncodedFrame): void {
    this.frames.push(frame);
    this.bytes += frame.data.length;
  }

  private dropOffered(): OfferResult {
    this.droppedTotal++;
    return { dropped: 1, needKeyframe: true };
  }
}
