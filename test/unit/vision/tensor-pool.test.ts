import { TensorPool } from '../../../src/vision/preprocess/tensor-pool';

describe('TensorPool', () => {
  it('reuses a buffer given back, by exact length, and never hands one buffer to two users', async () => {
    const pool = new TensorPool(2, 4);
    const a = pool.take(12);
    const b = pool.take(12);
    expect(b).not.toBe(a);
    pool.give(a);
    expect(pool.take(12)).toBe(a);
    expect(pool.take(8)).toHaveLength(8);
    const seen = await Promise.all([pool.with(12, async (x) => x), pool.with(12, async (x) => x)]);
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('gives the buffer back when the use throws', async () => {
    const pool = new TensorPool();
    let used: Float32Array | undefined;
    await expect(
      pool.with(5, async (x) => {
        used = x;
        throw new Error('inference failed');
      }),
    ).rejects.toThrow('inference failed');
    expect(pool.take(5)).toBe(used);
  });

  it('keeps at most perLength free buffers per length and at most `lengths` lengths', () => {
    const pool = new TensorPool(1, 2);
    const [a, b] = [pool.take(3), pool.take(3)];
    pool.give(a);
    pool.give(b); // over perLength: dropped
    expect(pool.take(3)).toBe(a);
    expect(pool.take(3)).not.toBe(b);
    pool.give(pool.take(4));
    const five = pool.take(5);
    pool.give(five); // a third length: not kept
    expect(pool.take(5)).not.toBe(five);
  });
});
