import { RawVideoFramer } from '../../../src/ingest/rawvideo-framer';

/** `frames` frames of `size` bytes, frame i filled with byte i+1. */
function stream(frames: number, size: number): Buffer {
  const out = Buffer.alloc(frames * size);
  for (let i = 0; i < frames; i++) out.fill(i + 1, i * size, (i + 1) * size);
  return out;
}

function feed(framer: RawVideoFramer, data: Buffer, chunkSizes: (i: number) => number): Buffer[] {
  const frames: Buffer[] = [];
  let offset = 0;
  for (let i = 0; offset < data.length; i++) {
    const n = Math.max(1, chunkSizes(i));
    frames.push(...framer.push(data.subarray(offset, offset + n)));
    offset += n;
  }
  return frames;
}

describe('RawVideoFramer', () => {
  const SIZE = 12; // a 2x2 rgb24 frame

  it.each([
    ['1-byte chunks', () => 1],
    ['chunks smaller than a frame', () => 5],
    ['chunks of exactly one frame', () => SIZE],
    ['chunks of several frames and a part', () => 3 * SIZE + 7],
    ['one chunk with everything', () => 10_000],
    ['irregular chunks', (i: number) => [1, 23, 2, 40, 11, 12, 13][i % 7]!],
  ])('returns whole frames in order from %s', (_label, sizes) => {
    const framer = new RawVideoFramer(SIZE);
    const frames = feed(framer, stream(20, SIZE), sizes);
    expect(frames).toHaveLength(20);
    frames.forEach((f, i) => {
      expect(f.length).toBe(SIZE);
      expect([...f].every((b) => b === i + 1)).toBe(true);
    });
    expect(framer.stats).toEqual({ bytesIn: 20 * SIZE, frames: 20, pendingBytes: 0 });
  });

  it('returns a frame inside one chunk as a subarray, and copies a frame that spans chunks', () => {
    const framer = new RawVideoFramer(SIZE);
    const chunk = stream(2, SIZE);
    const [a, b] = framer.push(chunk.subarray(0, SIZE + 4));
    expect(b).toBeUndefined();
    expect(a!.buffer).toBe(chunk.buffer); // no copy
    const [c] = framer.push(chunk.subarray(SIZE + 4));
    expect(c!.buffer).not.toBe(chunk.buffer); // assembled from two chunks
    chunk.fill(0);
    expect([...c!].every((x) => x === 2)).toBe(true); // owns its bytes
  });

  it('holds at most one partial frame', () => {
    const framer = new RawVideoFramer(SIZE);
    expect(framer.push(Buffer.alloc(SIZE - 1))).toEqual([]);
    expect(framer.stats.pendingBytes).toBe(SIZE - 1);
    expect(framer.push(Buffer.alloc(1))).toHaveLength(1);
    expect(framer.stats.pendingBytes).toBe(0);
  });

  it('reset() drops a partial frame so the next process starts aligned', () => {
    const framer = new RawVideoFramer(SIZE);
    framer.push(Buffer.alloc(5, 9));
    framer.reset();
    const frames = framer.push(stream(1, SIZE));
    expect(frames).toHaveLength(1);
    expect([...frames[0]!].every((b) => b === 1)).toBe(true);
    expect(framer.stats.pendingBytes).toBe(0);
  });

  it('ignores empty chunks and rejects a bad frame size', () => {
    const framer = new RawVideoFramer(SIZE);
    expect(framer.push(Buffer.alloc(0))).toEqual([]);
    expect(() => new RawVideoFramer(0)).toThrow(/frameBytes/);
    expect(() => new RawVideoFramer(1.5)).toThrow(/frameBytes/);
  });
});
