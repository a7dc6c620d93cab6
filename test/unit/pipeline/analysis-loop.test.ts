import { FrameSlot } from '../../../src/ingest/frame-slot';
import type { VideoFrame } from '../../../src/ingest/video-frame';
import { AnalysisLoop, type StagedAnalysis, singleStage } from '../../../src/pipeline/analysis-loop';

function frame(seq: number): VideoFrame {
  return { streamId: 's', seq, width: 1, height: 1, data: Buffer.alloc(3), capturedAt: seq, putAt: seq };
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

/** A staged handler whose two stages per frame the test settles by hand. */
function scripted() {
  const started: number[] = [];
  const stages = new Map<number, { first: Deferred; second: Deferred }>();
  const handle = (f: VideoFrame): StagedAnalysis => {
    started.push(f.seq);
    const first = deferred();
    const second = deferred();
    stages.set(f.seq, { first, second });
    return { firstStage: first.promise, finished: first.promise.then(() => second.promise) };
  };
  return { started, stages, handle };
}

describe('AnalysisLoop', () => {
  it('starts the next frame once the first stage is done, with at most two frames in flight', async () => {
    const slot = new FrameSlot<VideoFrame>();
    const s = scripted();
    const loop = new AnalysisLoop(slot, s.handle, () => undefined);
    loop.start();
    slot.put(frame(1));
    await tick();
    expect(s.started).toEqual([1]);
    slot.put(frame(2));
    await tick();
    expect(s.started).toEqual([1]); // frame 1 still detecting
    s.stages.get(1)!.first.resolve();
    await tick();
    expect(s.started).toEqual([1, 2]); // overlaps frame 1's second stage
    s.stages.get(2)!.first.resolve();
    slot.put(frame(3));
    await tick();
    expect(s.started).toEqual([1, 2]); // frame 1 not finished: a third would make three in flight
    s.stages.get(1)!.second.resolve();
    await tick();
    await tick();
    expect(s.started).toEqual([1, 2, 3]);
    expect(loop.stats().analysed).toBe(1);
    s.stages.get(2)!.second.resolve();
    s.stages.get(3)!.first.resolve();
    s.stages.get(3)!.second.resolve();
    await loop.stop();
    expect(loop.stats()).toEqual({ analysed: 3, failures: 0 });
  });

  it('counts a failure in either stage once and goes on; stop() waits for frames in flight', async () => {
    const slot = new FrameSlot<VideoFrame>();
    const s = scripted();
    const errors: unknown[] = [];
    const loop = new AnalysisLoop(slot, s.handle, (e) => errors.push(e));
    loop.start();
    slot.put(frame(1));
    await tick();
    s.stages.get(1)!.first.reject(new Error('detect failed'));
    await tick();
    slot.put(frame(2));
    await tick();
    s.stages.get(2)!.first.resolve();
    await tick();
    const stopping = loop.stop();
    let stopped = false;
    void stopping.then(() => {
      stopped = true;
    });
    await tick();
    expect(stopped).toBe(false); // frame 2's second stage is still running
    s.stages.get(2)!.second.reject(new Error('embed failed'));
    await stopping;
    expect(loop.stats()).toEqual({ analysed: 0, failures: 2 });
    expect(errors.map((e) => (e as Error).message)).toEqual(['detect failed', 'embed failed']);
  });

  it('runs a single-stage handler one frame at a time', async () => {
    const slot = new FrameSlot<VideoFrame>();
    let active = 0;
    let maxActive = 0;
    const loop = new AnalysisLoop(
      slot,
      singleStage(async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await tick();
        active--;
      }),
      () => undefined,
    );
    loop.start();
    for (let i = 1; i <= 5; i++) {
      slot.put(frame(i));
      await tick();
    }
    await loop.stop();
    expect(maxActive).toBe(1);
    expect(loop.stats().analysed).toBeGreaterThan(0);
  });
});
