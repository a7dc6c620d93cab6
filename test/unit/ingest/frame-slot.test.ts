import { FrameSlot } from '../../../src/ingest/frame-slot';

describe('FrameSlot', () => {
  it('keeps only the newest frame and counts replaced ones as dropped', () => {
    const slot = new FrameSlot<number>();
    expect(slot.put(1)).toBeUndefined();
    expect(slot.put(2)).toBe(1);
    expect(slot.put(3)).toBe(2);
    expect(slot.take()).toBe(3);
    expect(slot.take()).toBeUndefined();
    expect(slot.stats).toEqual({ received: 3, dropped: 2, taken: 1 });
  });

  it('holds a falsy frame like any other', () => {
    const slot = new FrameSlot<number>();
    slot.put(0);
    expect(slot.hasFrame).toBe(true);
    expect(slot.take()).toBe(0);
    expect(slot.hasFrame).toBe(false);
  });

  it('stays bounded: a million puts with no consumer hold one frame', () => {
    const slot = new FrameSlot<{ i: number }>();
    for (let i = 0; i < 1_000_000; i++) slot.put({ i });
    expect(slot.take()).toEqual({ i: 999_999 });
    expect(slot.stats).toEqual({ received: 1_000_000, dropped: 999_999, taken: 1 });
  });

  it('next() resolves at once when a frame is there, else on the next put', async () => {
    const slot = new FrameSlot<string>();
    slot.put('a');
    await expect(slot.next()).resolves.toBe('a');
    let got: string | undefined;
    const waiting = slot.next().then((f) => {
      got = f;
    });
    await Promise.resolve();
    expect(got).toBeUndefined();
    slot.put('b');
    await waiting;
    expect(got).toBe('b');
    expect(slot.hasFrame).toBe(false);
  });

  it('drives a consumer loop that is slower than the producer, with bounded latency', async () => {
    const slot = new FrameSlot<number>();
    const seen: number[] = [];
    const consumer = (async () => {
      while (seen.at(-1) !== 99) {
        seen.push(await slot.next());
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 0; i < 100; i++) {
      slot.put(i);
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    await consumer;
    const { received, dropped, taken } = slot.stats;
    expect(received).toBe(100);
    expect(taken).toBe(seen.length);
    expect(dropped + taken).toBe(100);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('removes its abort listener once a frame arrives', async () => {
    const slot = new FrameSlot<number>();
    const ac = new AbortController();
    const removed = jest.spyOn(ac.signal, 'removeEventListener');
    const waiting = slot.next(ac.signal);
    slot.put(1);
    await waiting;
    expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
  });

  it('next() hands a frame straight to a waiting consumer: two puts in one tick drop nothing', async () => {
    const slot = new FrameSlot<number>();
    const first = slot.next();
    slot.put(1);
    slot.put(2); // same tick, before the consumer resumed
    expect(await first).toBe(1);
    expect(await slot.next()).toBe(2);
    expect(slot.stats).toEqual({ received: 2, dropped: 0, taken: 2 });
    // With nobody waiting, the newest frame still replaces the older one.
    slot.put(3);
    slot.put(4);
    expect(await slot.next()).toBe(4);
    expect(slot.stats).toEqual({ received: 4, dropped: 1, taken: 3 });
  });

  it('next() rejects with the abort reason and forgets the consumer', async () => {
    const slot = new FrameSlot<number>();
    const ac = new AbortController();
    const waiting = slot.next(ac.signal);
    ac.abort(new Error('stream stopped'));
    await expect(waiting).rejects.toThrow('stream stopped');
    slot.put(1); // kept in the slot, not handed to the forgotten consumer
    expect(slot.take()).toBe(1);
    await expect(slot.next(ac.signal)).rejects.toThrow('stream stopped');
  });
});
