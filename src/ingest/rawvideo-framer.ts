import { ArgusError } from '../errors/argus-error';

export interface RawVideoFramerStats {
  bytesIn: number;
  frames: number;
  /** Bytes of an incomplete frame held until the next chunk (always < frameBytes). */
  pendingBytes: number;
}

/**
 * Cuts FFmpeg's rawvideo byte stream (fixed-size frames back to back, no headers) into frames.
 * A synchronous core in the werift processor style: `push(chunk)` returns the frames completed
 * by that chunk; adapters wire it to a pipe.
 *
 * Copies: a frame that lies wholly inside one chunk is returned as a subarray of that chunk (no
 * copy; it shares the chunk's memory, which Node does not reuse for stream reads); a frame that
 * spans chunks (every large frame) is assembled into a fresh SharedArrayBuffer of its own, which
 * vision workers read without a copy. Either way the returned buffer belongs to the caller. Memory is bounded: at most one partial frame is held.
 */
export class RawVideoFramer {
  private partial: Buffer | undefined;
  private partialLength = 0;
  private bytesIn = 0;
  private frames = 0;

  /** `allocate` gives a frameBytes-long buffer for a frame that spans chunks (default: a new SharedArrayBuffer). */
  constructor(
    readonly frameBytes: number,
    private readonly allocate: () => Buffer = () => Buffer.from(new SharedArrayBuffer(frameBytes)),
  ) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) {
      throw new ArgusError('ARGUS_E_INTERNAL', {
        reason: `frameBytes must be a positive integer, got ${frameBytes}`,
      });
    }
  }

  push(chunk: Buffer): Buffer[] {
    this.bytesIn += chunk.length;
    const out: Buffer[] = [];
    let offset = 0;
    if (this.partial !== undefined) {
      const n = Math.min(this.frameBytes - this.partialLength, chunk.length);
      chunk.copy(this.partial, this.partialLength, 0, n);
      this.partialLength += n;
      offset = n;
      if (this.partialLength < this.frameBytes) return out;
      out.push(this.partial);
      this.partial = undefined;
      this.partialLength = 0;
    }
    while (chunk.length - offset >= this.frameBytes) {
      out.push(chunk.subarray(offset, offset + this.frameBytes));
      offset += this.frameBytes;
    }
    if (offset < chunk.length) {
      // On shared memory: vision workers then read the frame where it is (no per-frame copy).
      this.partial = this.allocate();
      this.partialLength = chunk.copy(this.partial, 0, offset);
    }
    this.frames += out.length;
    return out;
  }

  /** Forgets a partial frame (call when the FFmpeg process it came from is replaced). */
  reset(): void {
    this.partial = undefined;
    this.partialLength = 0;
  }

  get stats(): RawVideoFramerStats {
    return { bytesIn: this.bytesIn, frames: this.frames, pendingBytes: this.partialLength };
  }
}
