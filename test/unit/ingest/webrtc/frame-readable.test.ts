import type { EncodedFrame } from '../../../../src/ingest/webrtc/encoded-frame';
import { FrameReadable } from '../../../../src/ingest/webrtc/frame-readable';

const frame = (keyframe: boolean, byte: number, size = 1024): EncodedFrame => ({
  data: Buffer.alloc(size, byte),
  keyframe,
  timestamp: byte,
});

async function readAll(stream: FrameReadable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('FrameReadable', () => {
  it('passes serialized frames through to a reader that keeps up, then ends', async () => {
    const s = new FrameReadable({ maxFrames: 4, maxBytes: 1 << 20, serialize: (f) => f.data.subarray(0, 2) });
    const done = readAll(s);
    for (let i = 0; i < 10; i++) {
      s.offer(frame(i === 0, i));
      await new Promise((r) => setImmediate(r));
    }
    s.finish();
    const out = await done;
    expect([...out]).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    expect(s.dropped).toBe(0);
  });

  it('with no reader, holds what Node buffers plus maxFrames, and drops the rest whole', () => {
    const s = new FrameReadable({
      maxFrames: 3,
      maxBytes: 1 << 20,
      highWaterMark: 2048,
      serialize: (f) => f.data,
    });
    s.resume();
    s.pause();
    for (let i = 0; i < 50; i++) s.offer(frame(i % 10 === 0, i));
    // Memory stays bounded: what is held is the stream buffer plus at most 3 queued frames.
    expect(s.readableLength).toBeLessThanOrEqual(2048 + 1024);
    expect(s.dropped).toBeGreaterThan(40);
  });

  it('skips frames the serializer declines', async () => {
    const s = new FrameReadable({
      maxFrames: 4,
      maxBytes: 1 << 20,
      serialize: (f) => (f.keyframe ? f.data.subarray(0, 1) : undefined),
    });
    const done = readAll(s);
    s.offer(frame(true, 1));
    s.offer(frame(false, 2));
    s.offer(frame(true, 3));
    await new Promise((r) => setImmediate(r));
    s.finish();
    expect([...(await done)]).toEqual([1, 3]);
  });

  it('drops frames offered after finish()', () => {
    const s = new FrameReadable({ maxFrames: 4, maxBytes: 1 << 20, serialize: (f) => f.data });
    s.finish();
    expect(s.offer(frame(true, 1)).dropped).toBe(1);
    expect(s.dropped).toBe(1);
  });
});
