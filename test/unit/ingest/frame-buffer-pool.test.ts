import { FrameBufferPool } from '../../../src/ingest/frame-buffer-pool';
import { RawVideoFramer } from '../../../src/ingest/rawvideo-framer';

describe('FrameBufferPool', () => {
  it('recycles released buffers on shared memory, each at most once', () => {
    const pool = new FrameBufferPool(6, 2);
    const a = pool.take();
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(a).toHaveLength(6);
    pool.release(a);
    pool.release(a); // a second release of the same frame is ignored
    const b = pool.take();
    expect(b.buffer).toBe(a.buffer);
    expect(pool.take().buffer).not.toBe(a.buffer);
  });

  it('ignores buffers it did not make and keeps at most maxFree', () => {
    const pool = new FrameBufferPool(4, 1);
    pool.release(Buffer.alloc(4));
    pool.release(Buffer.from(new SharedArrayBuffer(4)));
    const mine = [pool.take(), pool.take()];
    expect(mine[0]!.buffer).not.toBe(mine[1]!.buffer);
    for (const m of mine) pool.release(m);
    expect(pool.take().buffer).toBe(mine[0]!.buffer);
    expect(mine.map((m) => m.buffer)).not.toContain(pool.take().buffer);
  });

  it('feeds the framer: a frame spanning chunks lands in a pooled buffer', () => {
    const pool = new FrameBufferPool(4);
    const framer = new RawVideoFramer(4, () => pool.take());
    const [f1] = [...framer.push(Buffer.from([1, 2])), ...framer.push(Buffer.from([3, 4]))];
    expect([...f1!]).toEqual([1, 2, 3, 4]);
    pool.release(f1!);
    const [f2] = [...framer.push(Buffer.from([5])), ...framer.push(Buffer.from([6, 7, 8]))];
    expect(f2!.buffer).toBe(f1!.buffer);
    expect([...f2!]).toEqual([5, 6, 7, 8]);
  });
});
