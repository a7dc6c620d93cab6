import type { EncodedFrame } from '../../../../src/ingest/webrtc/encoded-frame';
import { FrameQueue } from '../../../../src/ingest/webrtc/frame-queue';

let ts = 0;
const frame = (keyframe: boolean, size = 10): EncodedFrame => ({
  data: Buffer.alloc(size),
  keyframe,
  timestamp: ts++,
});

describe('FrameQueue', () => {
  it('holds frames in order up to its bound', () => {
    const q = new FrameQueue({ maxFrames: 3, maxBytes: 1000 });
    const frames = [frame(true), frame(false), frame(false)];
    for (const f of frames) expect(q.offer(f)).toEqual({ dropped: 0, needKeyframe: false });
    expect(q.length).toBe(3);
    expect(q.queuedBytes).toBe(30);
    expect([q.take(), q.take(), q.take(), q.take()]).toEqual([...frames, undefined]);
    expect(q.queuedBytes).toBe(0);
  });

  it('when full, drops the offered frame and every later one until a keyframe', () => {
    const q = new FrameQueue({ maxFrames: 2, maxBytes: 1000 });
    q.offer(frame(true));
    q.offer(frame(false));
    expect(q.offer(frame(false))).toEqual({ dropped: 1, needKeyframe: true });
    q.take(); // the consumer catches up a little...
    // ...but a frame after a dropped one cannot be decoded: still dropped.
    expect(q.offer(frame(false))).toEqual({ dropped: 1, needKeyframe: true });
    const k = frame(true);
    expect(q.offer(k)).toEqual({ dropped: 0, needKeyframe: false });
    expect(q.offer(frame(false)).dropped).toBe(1); // full again (2 frames)
    expect(q.dropped).toBe(3);
  });

  it('a keyframe at a full queue replaces what is queued (the oldest frames go)', () => {
    const q = new FrameQueue({ maxFrames: 2, maxBytes: 1000 });
    q.offer(frame(true));
    q.offer(frame(false));
    const k = frame(true);
    expect(q.offer(k)).toEqual({ dropped: 2, needKeyframe: false });
    expect(q.take()).toBe(k);
    expect(q.length).toBe(0);
    expect(q.dropped).toBe(2);
  });

  it('bounds bytes too, but always takes a frame into an empty queue', () => {
    const q = new FrameQueue({ maxFrames: 100, maxBytes: 50 });
    expect(q.offer(frame(true, 80)).dropped).toBe(0);
    expect(q.offer(frame(false, 1)).dropped).toBe(1);
  });

  it('clear() drops and counts what is queued', () => {
    const q = new FrameQueue({ maxFrames: 5, maxBytes: 1000 });
    q.offer(frame(true));
    q.offer(frame(false));
    expect(q.clear()).toBe(2);
    expect(q.dropped).toBe(2);
  });
});
