/**
 * Frame buffers on shared memory, recycled, for one frame size. Every 1080p frame used to be a
 * fresh 6 MB SharedArrayBuffer, freed only when V8 got round to a major collection: the main
 * thread's heap is small, so on a busy machine hundreds of MB of dead frames piled up before one
 * ran. A stream needs only a handful of frames at a time (one being assembled, one in the slot,
 * two being analysed), so buffers go back here once nothing reads them (VideoFrame.release).
 */
export class FrameBufferPool {
  private readonly free: Buffer[] = [];
  private readonly owned = new WeakSet<ArrayBufferLike>();

  constructor(
    readonly frameBytes: number,
    /** Free buffers kept; more are left to the garbage collector. */
    private readonly maxFree = 4,
  ) {}

  take(): Buffer {
    const reused = this.free.pop();
    if (reused) return reused;
    const sab = new SharedArrayBuffer(this.frameBytes);
    this.owned.add(sab);
    return Buffer.from(sab);
  }

  /** Takes back a buffer this pool made; anything else is ignored. Call once per frame. */
  release(buffer: Uint8Array): void {
    if (!this.owned.has(buffer.buffer) || buffer.byteOffset !== 0 || buffer.byteLength !== this.frameBytes)
      return;
    if (this.free.length >= this.maxFree || this.free.some((b) => b.buffer === buffer.buffer)) return;
    this.free.push(Buffer.from(buffer.buffer, 0, this.frameBytes));
  }
}
