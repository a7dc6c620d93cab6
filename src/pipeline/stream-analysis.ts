import type { AlertIdentity, AlertInput } from '../alerts/alert-messages';
import {
  AlertPolicy,
  type AlertPolicyOptions,
  type AlertRecord,
  type IdentityScore,
} from '../alerts/alert-policy';
import type { AnalyzedFace, LocatedFace } from '../domain/face';
import type { Box } from '../domain/geometry';
import type { SearchMatch } from '../gallery/gallery-types';
import { EmbeddingBudget, type EmbeddingBudgetOptions } from '../tracking/embedding-budget';
import { FaceTracker, type FaceTrackerOptions } from '../tracking/face-tracker';
import { PyramidSchedule, type PyramidScheduleOptions } from '../tracking/pyramid-schedule';
import type { AnalyzeResult } from '../vision/face-analyzer';
import type { FrameRef } from '../vision/vision-protocol';
import { type CropImage, cropAround } from './crop-region';

/** What one stream's analysis needs from the vision core (FaceAnalyzer fits). */
export interface StreamVision {
  detectFaces(frame: FrameRef, o: { skipLevels: number }): Promise<AnalyzeResult>;
  /** Faces of this frame's detectFaces(): their landmarks are reused. */
  embedFaces(frame: FrameRef, faces: readonly LocatedFace[]): Promise<Float32Array[]>;
}

/** What it needs from the gallery (Gallery fits). */
export interface AlertGallery {
  readonly modelId: string;
  searchByEmbedding(v: ArrayLike<number>, k: number): SearchMatch[];
  get(id: string): { id: string; name: string; watchlists: string[] };
}

/**
 * Where alerts go: publish (WebSocket), persist, keep the crop. `alert` resolves to the alert's id,
 * which later `update`s of the same (track, identity) name. The crop is the best-quality matching
 * face seen so far, as raw RGB; only faces that matched an enrolled identity ever get here.
 */
export interface AlertSink {
  alert(input: AlertInput, crop: CropImage | undefined): Promise<number>;
  update(alertId: number, input: AlertInput, crop: CropImage | undefined): Promise<void>;
}

export interface StreamAnalysisOptions {
  policy: Partial<AlertPolicyOptions>;
  budget: Partial<EmbeddingBudgetOptions>;
  tracker: Partial<FaceTrackerOptions>;
  pyramid: Partial<PyramidScheduleOptions>;
}

/** What one frame cost and produced; feeds stream stats and metrics. */
export interface FrameReport {
  faces: number;
  embedded: number;
  /** Tracks due for an embedding that the budget postponed to a later frame. */
  deferred: number;
  alerts: number;
  /** How many of detection's finest pyramid levels this frame left out (see PyramidSchedule). */
  skippedLevels: number;
  detectMs: number;
  embedMs: number;
  searchMs: number;
  alertMs: number;
}

/** What stage 1 (StreamAnalysis.detect) hands to stage 2. */
export interface DetectedFrame {
  faces: AnalyzedFace[];
  skipLevels: number;
  detectMs: number;
}

/** Identities compared per embedding: the best plus enough others to measure the margin. */
const SEARCH_K = 3;

interface PairMemory {
  alertId: number | undefined;
  cropQuality: number;
  crop: CropImage | undefined;
}

/**
 * One stream's frames -> faces -> tracks -> (budgeted) embeddings -> gallery -> evidence -> alerts.
 * Detection, landmarks and quality run on every face of every frame; embedding (the expensive
 * step) only for the tracks the budget picks, so a 100-face stream keeps real time and catches up
 * on later frames. Privacy: embeddings live only in this call and in the tracker; faces that match
 * nobody leave nothing behind, and a matched face's crop stays in memory unless it alerts.
 */
export class StreamAnalysis {
  private readonly tracker: FaceTracker;
  private readonly budget: EmbeddingBudget;
  private readonly policy: AlertPolicy;
  private readonly pyramid: PyramidSchedule;
  /** Per `${trackId}|${identityId}`: the alert it raised and the best matching crop. */
  private readonly pairs = new Map<string, PairMemory>();
  private deferredTotal = 0;
  /** Tracks whose last embedding matched an identity that has not alerted for them yet. */
  private readonly pending = new Set<number>();

  constructor(
    private readonly streamId: string,
    private readonly vision: StreamVision,
    private readonly gallery: AlertGallery,
    private readonly sink: AlertSink,
    o: Partial<StreamAnalysisOptions> = {},
  ) {
    this.tracker = new FaceTracker(o.tracker);
    this.budget = new EmbeddingBudget(o.budget);
    this.policy = new AlertPolicy(o.policy);
    this.pyramid = new PyramidSchedule(o.pyramid);
  }

  get deferredEmbeddings(): number {
    return this.deferredTotal;
  }

  get liveTracks(): number {
    return this.tracker.size;
  }

  /** An admin moved the operating point; applies from the next embedding on. */
  setMatchThresholds(threshold: number, margin: number): void {
    this.policy.setMatchThresholds(threshold, margin);
  }

  /** A reviewer rejected this match: the track is not alerted for that identity again. */
  reject(trackId: number, identityId: string): void {
    this.policy.reject(trackId, identityId);
    this.pairs.delete(`${trackId}|${identityId}`);
  }

  /** Analyses one frame (on shared memory) captured at `timeMs`: detect() then finish(). */
  async process(frame: FrameRef, timeMs: number): Promise<FrameReport> {
    return this.finish(frame, timeMs, await this.detect(frame));
  }

  /**
   * Stage 1: faces, landmarks and quality. Holds no per-track state, so it may run for the next
   * frame while finish() still works on this one (a stream then keeps both workers busy).
   */
  async detect(frame: FrameRef): Promise<DetectedFrame> {
    const t0 = performance.now();
    const skipLevels = this.pyramid.skipLevels(this.smallestTrackSide());
    const { faces, levelFloors } = await this.vision.detectFaces(frame, { skipLevels });
    this.pyramid.observe(levelFloors);
    return { faces, skipLevels, detectMs: performance.now() - t0 };
  }

  /** Stage 2: tracks, embeddings, matches and alerts. Frames must arrive here in capture order. */
  async finish(frame: FrameRef, timeMs: number, detected: DetectedFrame): Promise<FrameReport> {
    const { faces, skipLevels, detectMs } = detected;
    const t1 = performance.now();
    const update = this.tracker.update(faces, timeMs);
    const ended = update.ended.map((e) => e.trackId);
    this.policy.endTracks(ended);
    this.budget.forget(ended);
    this.forgetPairs(new Set(ended));
    for (const id of ended) this.pending.delete(id);

    const faceOf = new Map<number, AnalyzedFace>();
    for (const a of update.assignments) {
      const face = faces[a.faceIndex];
      if (a.trackId !== null && face) faceOf.set(a.trackId, face);
    }
    const plan = this.budget.plan(
      [...faceOf].map(([trackId, f]) => ({
        trackId,
        quality: f.quality,
        pendingMatch: this.pending.has(trackId),
      })),
    );
    this.deferredTotal += plan.deferred;
    const picked = plan.embed.map((p) => ({ trackId: p.trackId, face: faceOf.get(p.trackId)! }));
    const embeddings =
      picked.length > 0
        ? await this.vision.embedFaces(
            frame,
            picked.map((p) => p.face),
          )
        : [];
    const t2 = performance.now();
    if (picked.length > 0) this.budget.recordCost(t2 - t1, picked.length);

    let searchMs = 0;
    let alerts = 0;
    const t3 = performance.now();
    for (const [i, { trackId, face }] of picked.entries()) {
      const embedding = embeddings[i]!;
      this.tracker.addEmbedding(trackId, embedding);
      const s0 = performance.now();
      const matches = this.gallery.searchByEmbedding(embedding, SEARCH_K);
      searchMs += performance.now() - s0;
      const fmrOf = new Map(matches.map((m) => [m.identity.id, m.fmr]));
      const candidates: IdentityScore[] = matches.map((m) => ({
        identityId: m.identity.id,
        similarity: m.similarity,
        margin: m.margin,
      }));
      if (this.rememberCrops(trackId, face, candidates, frame)) this.pending.add(trackId);
      else this.pending.delete(trackId);
      const records = this.policy.observe({
        trackId,
        timeMs,
        quality: face.quality,
        box: face.box,
        candidates,
      });
      for (const rec of records) {
        await this.emit(rec, fmrOf.get(rec.identityId) ?? 1);
        alerts++;
      }
    }
    const t4 = performance.now();
    return {
      faces: faces.length,
      embedded: picked.length,
      deferred: plan.deferred,
      alerts,
      skippedLevels: skipLevels,
      detectMs,
      embedMs: t2 - t1,
      searchMs,
      alertMs: t4 - t3 - searchMs,
    };
  }

  /** Ends every track (the stream stopped): nothing about its faces is kept. */
  reset(): void {
    const ended = this.tracker.endAll().map((e) => e.trackId);
    this.policy.endTracks(ended);
    this.budget.forget(ended);
    this.pairs.clear();
    this.pending.clear();
    this.pyramid.reset();
  }

  private smallestTrackSide(): number | undefined {
    let min: number | undefined;
    for (const t of this.tracker.tracks()) {
      const side = Math.min(t.box.w, t.box.h);
      if (min === undefined || side < min) min = side;
    }
    return min;
  }

  private async emit(rec: AlertRecord, fmr: number): Promise<void> {
    const key = `${rec.trackId}|${rec.identityId}`;
    const memory = this.pairs.get(key);
    const input: AlertInput = {
      streamId: this.streamId,
      captureTime: new Date(rec.timeMs).toISOString(),
      trackId: String(rec.trackId),
      identity: this.identity(rec.identityId),
      similarity: rec.similarity,
      margin: rec.margin,
      fmr,
      evidenceCount: rec.evidenceCount,
      box: toFaceBox(rec.bestBox),
      quality: rec.bestQuality,
      modelId: this.gallery.modelId,
    };
    if (rec.type === 'alert' || memory?.alertId === undefined) {
      const alertId = await this.sink.alert(input, memory?.crop);
      const m = this.pairs.get(key);
      if (m) m.alertId = alertId;
      else this.pairs.set(key, { alertId, cropQuality: -Infinity, crop: undefined });
    } else {
      await this.sink.update(memory.alertId, input, memory.crop);
    }
  }

  /**
   * Keeps, per (track, identity) that this face matches, the crop of the best-quality matching face
   * so far (the same rule as the policy's best observation). Only matched faces are cropped.
   * Returns whether one of those identities has not alerted for this track yet.
   */
  private rememberCrops(
    trackId: number,
    face: AnalyzedFace,
    cands: IdentityScore[],
    frame: FrameRef,
  ): boolean {
    const { threshold, margin } = this.policy.options;
    let crop: CropImage | undefined;
    let awaitingAlert = false;
    for (const c of cands) {
      if (c.similarity < threshold - 1e-9 || c.margin < margin - 1e-9) continue;
      if (this.policy.isRejected(trackId, c.identityId)) continue;
      const key = `${trackId}|${c.identityId}`;
      const m = this.pairs.get(key) ?? { alertId: undefined, cropQuality: -Infinity, crop: undefined };
      if (face.quality > m.cropQuality) {
        crop ??= cropAround(frame, face.box);
        m.crop = crop;
        m.cropQuality = face.quality;
      }
      this.pairs.set(key, m);
      if (m.alertId === undefined) awaitingAlert = true;
    }
    return awaitingAlert;
  }

  private forgetPairs(ended: ReadonlySet<number>): void {
    if (ended.size === 0) return;
    for (const key of this.pairs.keys()) {
      if (ended.has(Number(key.slice(0, key.indexOf('|'))))) this.pairs.delete(key);
    }
  }

  private identity(id: string): AlertIdentity {
    try {
      const i = this.gallery.get(id);
      return { id: i.id, name: i.name, watchlists: [...i.watchlists] };
    } catch {
      // Deleted between the search and now: still say who was matched.
      return { id, name: id, watchlists: [] };
    }
  }
}

function toFaceBox(b: Box): AlertInput['box'] {
  return { x: b.x, y: b.y, width: b.w, height: b.h };
}
