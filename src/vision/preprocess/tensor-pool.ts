/**
 * Reusable Float32Array input tensors, by length. A 1080p frame's finest detector level alone is
 * an 11 MB tensor; allocating one per frame left workers' garbage collection behind on a busy
 * machine (resident memory climbed by ~300 MB a minute until a late collection). A buffer is
 * checked out for one inference and given back after it, so concurrent callers never share one.
 * Bounded: at most `perLength` free buffers of each of at most `lengths` lengths are kept.
 */
export class TensorPool {
  private readonly free = new Map<number, Float32Array[]>();

  constructor(
    private readonly perLength = 2,
    private readonly lengths = 16,
  ) {}

  /** A buffer of `length` floats holding whatever its last user wrote: fill every element. */
  take(length: number): Float32Array {
    return this.free.get(length)?.pop() ?? new Float32Array(length);
  }

  give(buffer: Float32Array): void {
    let list = this.free.get(buffer.length);
    if (!list) {
      if (this.free.size >= this.lengths) return;
      list = [];
      this.free.set(buffer.length, list);
    }
    if (list.length < this.perLength) list.push(buffer);
  }

  /** Runs `use` with a buffer of `length` floats and gives it back afterwards, even on error. */
  async with<T>(length: number, use: (buffer: Float32Array) => Promise<T>): Promise<T> {
    const buffer = this.take(length);
    try {
      return await use(buffer);
    } finally {
      this.give(buffer);
    }
  }
}
