import type { AlertInput } from '../../../src/alerts/alert-messages';
import type { AnalyzedFace, Detection } from '../../../src/domain/face';
import type { SearchMatch } from '../../../src/gallery/gallery-types';
import type { CropImage } from '../../../src/pipeline/crop-region';
import { type AlertSink, StreamAnalysis, type StreamVision } from '../../../src/pipeline/stream-analysis';
import type { FrameRef } from '../../../src/vision/vision-protocol';

/**
 * StreamAnalysis with a scripted vision core and gallery: each face carries the similarity it
 * scores against "A" (its x position keys it), so the budget, evidence and crop rules can be
 * checked frame by frame.
 */
const W = 64;
const H = 48;
const frame = (): FrameRef => ({ id: 1, width: W, height: H, data: new Uint8Array(W * H * 3).fill(7) });

function face(x: number, quality = 0.8, size = 12): AnalyzedFace {
  return {
    box: { x, y: 10, w: size, h: size },
    score: 0.9,
    landmarks: [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ],
    quality,
    qualityParts: { size: 1, sharpness: 1, pose: 1 },
  };
}

class ScriptedVision implements StreamVision {
  faces: AnalyzedFace[] = [];
  embedded: number[] = [];
  skips: number[] = [];
  /** Two pyramid levels: all of them find 20 px faces, the coarse one alone 40 px. */
  levelFloors = [20, 40];
  async detectFaces(_f: FrameRef, o: { skipLevels: number }) {
    this.skips.push(o.skipLevels);
    return { faces: this.faces.map((f) => ({ ...f })), rejected: 0, levelFloors: this.levelFloors };
  }
  async embedFaces(_f: FrameRef, faces: readonly Detection[]) {
    this.embedded.push(faces.length);
    // The embedding's first component carries the face's x so the gallery can score it.
    return faces.map((f) => Float32Array.from([f.box.x, 0]));
  }
}

class ScriptedGallery {
  readonly modelId = 'm1';
  /** similarity to A by face x position */
  simOf = new Map<number, number>();
  searchByEmbedding(v: ArrayLike<number>): SearchMatch[] {
    const s = this.simOf.get(v[0]!) ?? 0.05;
    return [
      {
        identity: { id: 'A', name: 'Alice' },
        similarity: s,
        margin: s - 0.02,
        fmr: 1e-5,
        match: s >= 0.4,
      } as SearchMatch,
    ];
  }
  get(id: string) {
    return { id, name: 'Alice', watchlists: ['vip'] };
  }
}

class RecordingSink implements AlertSink {
  alerts: Array<{ input: AlertInput; crop: CropImage | undefined }> = [];
  updates: Array<{ alertId: number; input: AlertInput }> = [];
  async alert(input: AlertInput, crop: CropImage | undefined) {
    this.alerts.push({ input, crop });
    return 100 + this.alerts.length;
  }
  async update(alertId: number, input: AlertInput) {
    this.updates.push({ alertId, input });
  }
}

function setup(budget = {}, pyramid = { fullEveryNFrames: 3 }) {
  const vision = new ScriptedVision();
  const gallery = new ScriptedGallery();
  const sink = new RecordingSink();
  const analysis = new StreamAnalysis('cam1', vision, gallery, sink, {
    policy: { k: 2, n: 3, threshold: 0.4, margin: 0.05, instantThreshold: 0.9 },
    budget: { everyNFrames: 10, ...budget },
    pyramid,
  });
  return { vision, gallery, sink, analysis };
}

async function run(a: StreamAnalysis, frames: number, t0 = 0) {
  const reports = [];
  for (let i = 0; i < frames; i++) reports.push(await a.process(frame(), t0 + i * 100));
  return reports;
}

describe('StreamAnalysis', () => {
  it('alerts once after k of n matching embeddings, re-embedding a pending match at once', async () => {
    const { vision, gallery, sink, analysis } = setup();
    vision.faces = [face(20)];
    gallery.simOf.set(20, 0.6);
    const reports = await run(analysis, 4);
    // frame 1: new track embedded (1 match); frame 2: 'evidence' embedding -> 2 of 2 -> alert.
    expect(reports.map((r) => r.embedded)).toEqual([1, 1, 1, 0]);
    expect(sink.alerts).toHaveLength(1);
    const a = sink.alerts[0]!;
    expect(a.input).toMatchObject({ streamId: 'cam1', trackId: '1', evidenceCount: 2, modelId: 'm1' });
    expect(a.input.identity).toEqual({ id: 'A', name: 'Alice', watchlists: ['vip'] });
    expect(a.input.captureTime).toBe(new Date(100).toISOString());
    expect(a.crop).toBeDefined();
    expect(a.crop!.data.length).toBe(a.crop!.width * a.crop!.height * 3);
  });

  it('embeds a face that matches nobody only when it starts and every N frames, and crops nothing', async () => {
    const { vision, sink, analysis } = setup({ everyNFrames: 5 });
    vision.faces = [face(30)];
    const reports = await run(analysis, 11);
    expect(reports.map((r) => r.embedded)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(sink.alerts).toHaveLength(0);
  });

  it('defers embeddings beyond the per-frame budget and catches up on later frames', async () => {
    const { vision, analysis } = setup({ maxPerFrame: 4, everyNFrames: 100 });
    vision.faces = Array.from({ length: 10 }, (_, i) => face(2 + i * 5, 0.5 + i * 0.01));
    const reports = await run(analysis, 3);
    expect(reports.map((r) => r.embedded)).toEqual([4, 4, 2]);
    expect(reports.map((r) => r.deferred)).toEqual([6, 2, 0]);
    expect(analysis.deferredEmbeddings).toBe(8);
  });

  it('sends an update with the first alert id when the evidence strengthens', async () => {
    const { vision, gallery, sink, analysis } = setup({ everyNFrames: 1 });
    vision.faces = [face(20)];
    gallery.simOf.set(20, 0.5);
    await run(analysis, 2);
    expect(sink.alerts).toHaveLength(1);
    gallery.simOf.set(20, 0.6);
    await run(analysis, 1, 200);
    expect(sink.updates).toHaveLength(1);
    expect(sink.updates[0]!.alertId).toBe(101);
    expect(sink.updates[0]!.input.similarity).toBeCloseTo(0.6);
  });

  it('never alerts a track again for an identity a reviewer rejected', async () => {
    const { vision, gallery, sink, analysis } = setup({ everyNFrames: 1 });
    vision.faces = [face(20)];
    gallery.simOf.set(20, 0.6);
    await run(analysis, 2);
    expect(sink.alerts).toHaveLength(1);
    analysis.reject(1, 'A');
    gallery.simOf.set(20, 0.95);
    await run(analysis, 5, 200);
    expect(sink.alerts).toHaveLength(1);
    expect(sink.updates).toHaveLength(0);
  });

  it('forgets tracks on reset: the same face alerts again as a new track', async () => {
    const { vision, gallery, sink, analysis } = setup();
    vision.faces = [face(20)];
    gallery.simOf.set(20, 0.6);
    await run(analysis, 3);
    analysis.reset();
    expect(analysis.liveTracks).toBe(0);
    await run(analysis, 3, 10_000);
    expect(sink.alerts.map((a) => a.input.trackId)).toEqual(['1', '2']);
  });

  it('applies a new threshold from the next embedding on', async () => {
    const { vision, gallery, sink, analysis } = setup({ everyNFrames: 1 });
    vision.faces = [face(20)];
    gallery.simOf.set(20, 0.5);
    analysis.setMatchThresholds(0.55, 0.05);
    await run(analysis, 4);
    expect(sink.alerts).toHaveLength(0);
    analysis.setMatchThresholds(0.45, 0.05);
    await run(analysis, 2, 400);
    expect(sink.alerts).toHaveLength(1);
  });

  it('skips the finest pyramid level between full frames unless a tracked face is small', async () => {
    const { vision, analysis } = setup();
    vision.faces = [face(20, 0.8, 100)];
    const big = await run(analysis, 5);
    // Frame 0 learns the coarse floor (40 px here); then the full pyramid every 3rd frame.
    expect(vision.skips).toEqual([0, 1, 1, 0, 1]);
    expect(big.map((r) => r.skippedLevels)).toEqual(vision.skips);
    vision.skips = [];
    // Frames 5-8: a 50 px face (< 40 x 1.5) joins; once tracked, frames 7 and 8 (which would
    // skip) run the full pyramid too.
    vision.faces = [face(20, 0.8, 100), face(300, 0.8, 50)];
    await run(analysis, 4, 500);
    expect(vision.skips).toEqual([1, 0, 0, 0]);
  });

  it('leaves out as many levels as the smallest tracked face allows', async () => {
    const { vision, analysis } = setup();
    // Three levels: 20 px with all, 24 px without the finest, 48 px with the coarsest alone.
    vision.levelFloors = [20, 24, 48];
    vision.faces = [face(20, 0.8, 100)];
    await run(analysis, 3);
    expect(vision.skips).toEqual([0, 2, 2]);
    vision.skips = [];
    // A 50 px face (>= 24 x 1.5, < 48 x 1.5) keeps the middle level on once it is tracked.
    vision.faces = [face(20, 0.8, 100), face(300, 0.8, 50)];
    await run(analysis, 3, 300);
    expect(vision.skips).toEqual([0, 1, 1]);
  });
});
