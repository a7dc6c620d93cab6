import type { AnalyzedFace } from '../domain/face';
import type { Box } from '../domain/geometry';
import { iou } from '../vision/detect/nms';
import { cosine } from '../vision/embed/vector-math';
import { KalmanBoxFilter } from './kalman-box-filter';

/**
 * Per-stream face tracker, SORT-style: every track owns a constant-velocity Kalman filter; each
 * frame the tracks are predicted forward, then matched to the detections.
 *
 * Association is GREEDY by a pair score, best pair first, not Hungarian. With faces (rarely more
 * than a few overlapping each other) greedy and optimal assignments almost always agree, greedy is
 * O(P log P) in the number of gated pairs (P is small: only overlapping pairs are scored) and its
 * result is easy to explain. Pair score:
 *   - IoU(predicted box, detection), when either side has no embedding;
 *   - (1 - appearanceWeight) * IoU + appearanceWeight * cosine, when both have one (the track's
 *     smoothed embedding), so two faces crossing each other keep their ids.
 * A pair is a candidate when IoU >= iouThreshold, or when the boxes overlap at all and the
 * appearance agrees (cosine >= appearanceGate: a fast-moving face). A pair whose appearance clearly
 * disagrees (cosine < appearanceVeto) is never matched, however much the boxes overlap.
 *
 * Privacy: a track's embedding lives only inside the tracker and is dropped when the track ends;
 * callers receive `ended` so they can drop whatever they keyed by that track id.
 */
export interface FaceTrackerOptions {
  /** Minimum IoU between a predicted track box and a detection for IoU-only matching. Default 0.3. */
  iouThreshold: number;
  /** A track with no detection for longer than this ends (reason 'timeout'). Default 1500 ms. */
  maxAgeMs: number;
  /**
   * Detections needed before a track is `confirmed`. An unconfirmed track that misses a frame ends
   * at once (reason 'unconfirmed'): one-frame false detections do not linger. Default 2.
   */
  minHits: number;
  /**
   * Bound on live tracks. When full, a new face evicts the track seen least recently (not matched
   * this frame; reported as ended, reason 'evicted'); if every track was matched this frame the face
   * gets no track (`trackId: null`, counted in `stats.untracked`). Default 500.
   */
  maxTracks: number;
  /** The time unit of the motion model: velocities are per this many ms. Default 100 (10 fps). */
  frameIntervalMs: number;
  /** Weight of appearance (cosine) against IoU when both sides have an embedding. Default 0.5. */
  appearanceWeight: number;
  /** Cosine at which overlapping boxes below iouThreshold may still match. Default 0.5. */
  appearanceGate: number;
  /** Cosine below which a pair never matches (clearly different people). Default 0.1. */
  appearanceVeto: number;
  /** Momentum of the track's smoothed embedding (0 = latest only). Default 0.9. */
  embeddingMomentum: number;
  /**
   * Motion pass (after IoU): how far a face may move per frame interval elapsed, in face widths.
   * 0 turns the pass off. Default 0.15 (a walking face at 10 fps).
   */
  maxShiftPerFrame: number;
  /** Motion pass: the most a face may move between two analysed frames, in face widths. Default 1.5. */
  maxShift: number;
}

export const DEFAULT_FACE_TRACKER_OPTIONS: Readonly<FaceTrackerOptions> = Object.freeze({
  iouThreshold: 0.3,
  maxAgeMs: 1500,
  minHits: 2,
  maxTracks: 500,
  frameIntervalMs: 100,
  appearanceWeight: 0.5,
  appearanceGate: 0.5,
  appearanceVeto: 0.1,
  embeddingMomentum: 0.9,
  maxShiftPerFrame: 0.15,
  maxShift: 1.5,
});

export type TrackEndReason = 'timeout' | 'unconfirmed' | 'evicted' | 'stopped';

export interface TrackAssignment {
  /** Index of the face in the `faces` array given to `update`. */
  faceIndex: number;
  /** Stable per-stream id (1, 2, ...), or null when the tracker was full (see maxTracks). */
  trackId: number | null;
  /** True on the frame the track was created. */
  isNew: boolean;
  /** True once the track has at least minHits detections. */
  confirmed: boolean;
  /** Detections so far, including this one. */
  hits: number;
  /** The filtered (smoothed) box of the track after this detection. */
  box: Box;
}

export interface EndedTrack {
  trackId: number;
  reason: TrackEndReason;
  startedMs: number;
  lastSeenMs: number;
  hits: number;
}

export interface TrackUpdate {
  frameTimeMs: number;
  /** One per input face, same order. */
  assignments: TrackAssignment[];
  /** Tracks that ended during this update: drop everything keyed by their ids. */
  ended: EndedTrack[];
  stats: { activeTracks: number; matched: number; created: number; untracked: number };
}

export interface TrackSnapshot {
  trackId: number;
  /** Filtered box at the last update (predicted when the face was missed). */
  box: Box;
  confirmed: boolean;
  hits: number;
  startedMs: number;
  lastSeenMs: number;
  bestQuality: number;
}

interface Track {
  id: number;
  filter: KalmanBoxFilter;
  predicted: Box;
  hits: number;
  startedMs: number;
  lastSeenMs: number;
  bestQuality: number;
  embedding: Float32Array | undefined;
}

interface Pair {
  track: Track;
  face: number;
  score: number;
}

export class FaceTracker {
  private readonly opts: FaceTrackerOptions;
  private readonly live = new Map<number, Track>();
  private nextId = 1;
  private lastFrameMs: number | undefined;

  constructor(options: Partial<FaceTrackerOptions> = {}) {
    this.opts = Object.freeze({ ...DEFAULT_FACE_TRACKER_OPTIONS, ...options });
    const o = this.opts;
    if (!(o.maxTracks >= 1) || !(o.frameIntervalMs > 0) || !(o.maxAgeMs >= 0) || !(o.minHits >= 1)) {
      throw new RangeError('FaceTracker: maxTracks >= 1, frameIntervalMs > 0, maxAgeMs >= 0, minHits >= 1');
    }
  }

  get options(): Readonly<FaceTrackerOptions> {
    return this.opts;
  }

  get size(): number {
    return this.live.size;
  }

  /** Processes one frame's faces. Frames must come in time order; an older time is treated as "no time passed". */
  update(faces: readonly AnalyzedFace[], frameTimeMs: number): TrackUpdate {
    const dt =
      this.lastFrameMs === undefined
        ? 0
        : Math.max(0, frameTimeMs - this.lastFrameMs) / this.opts.frameIntervalMs;
    this.lastFrameMs = Math.max(frameTimeMs, this.lastFrameMs ?? frameTimeMs);
    for (const t of this.live.values()) t.predicted = t.filter.predict(dt);

    const trackOf = this.associate(faces);
    const assignments: TrackAssignment[] = new Array(faces.length);
    const matched = new Set<Track>();
    for (const [face, track] of trackOf) {
      matched.add(track);
      assignments[face] = this.absorb(track, faces[face]!, face, frameTimeMs, false);
    }

    const ended: EndedTrack[] = [];
    for (const t of [...this.live.values()]) {
      if (!matched.has(t) && t.hits < this.opts.minHits) ended.push(this.end(t, 'unconfirmed'));
    }

    // New tracks, best detections first so that a full tracker keeps the most credible faces.
    const unmatched = faces.map((_, i) => i).filter((i) => !trackOf.has(i));
    unmatched.sort((a, b) => faces[b]!.score - faces[a]!.score || a - b);
    let created = 0;
    let untracked = 0;
    for (const i of unmatched) {
      const face = faces[i]!;
      if (this.live.size >= this.opts.maxTracks) {
        const victim = this.stalest(matched);
        if (!victim) {
          untracked++;
          assignments[i] = {
            faceIndex: i,
            trackId: null,
            isNew: false,
            confirmed: false,
            hits: 0,
            box: face.box,
          };
          continue;
        }
        ended.push(this.end(victim, 'evicted'));
      }
      const track: Track = {
        id: this.nextId++,
        filter: new KalmanBoxFilter(face.box),
        predicted: face.box,
        hits: 0,
        startedMs: frameTimeMs,
        lastSeenMs: frameTimeMs,
        bestQuality: 0,
        embedding: undefined,
      };
      this.live.set(track.id, track);
      matched.add(track);
      created++;
      assignments[i] = this.absorb(track, face, i, frameTimeMs, true);
    }

    for (const t of [...this.live.values()]) {
      if (frameTimeMs - t.lastSeenMs > this.opts.maxAgeMs) ended.push(this.end(t, 'timeout'));
    }

    return {
      frameTimeMs,
      assignments,
      ended,
      stats: { activeTracks: this.live.size, matched: trackOf.size, created, untracked },
    };
  }

  /** Ends every track (stream stopped); returns them so callers can discard their state. */
  endAll(): EndedTrack[] {
    return [...this.live.values()].map((t) => this.end(t, 'stopped'));
  }

  tracks(): TrackSnapshot[] {
    return [...this.live.values()].map((t) => ({
      trackId: t.id,
      box: t.predicted,
      confirmed: t.hits >= this.opts.minHits,
      hits: t.hits,
      startedMs: t.startedMs,
      lastSeenMs: t.lastSeenMs,
      bestQuality: t.bestQuality,
    }));
  }

  /**
   * Folds an embedding computed after `update` into a live track's appearance (the embedding
   * budget embeds a face only after the tracker has said which track it belongs to). Ignored for
   * a track that has ended.
   */
  addEmbedding(trackId: number, embedding: Float32Array): void {
    const track = this.live.get(trackId);
    if (track) track.embedding = this.smooth(track.embedding, embedding);
  }

  private associate(faces: readonly AnalyzedFace[]): Map<number, Track> {
    const o = this.opts;
    const pairs: Pair[] = [];
    for (const track of this.live.values()) {
      const p = track.predicted;
      for (let f = 0; f < faces.length; f++) {
        const face = faces[f]!;
        const b = face.box;
        // Cheap rejection first: with 100 faces almost every pair is far apart.
        if (b.x >= p.x + p.w || p.x >= b.x + b.w || b.y >= p.y + p.h || p.y >= b.y + b.h) continue;
        const overlap = iou(p, b);
        if (overlap <= 0) continue;
        let score = overlap;
        if (track.embedding && face.embedding && track.embedding.length === face.embedding.length) {
          const sim = cosine(track.embedding, face.embedding);
          if (sim < o.appearanceVeto) continue;
          if (overlap < o.iouThreshold && sim < o.appearanceGate) continue;
          score = (1 - o.appearanceWeight) * overlap + o.appearanceWeight * sim;
        } else if (overlap < o.iouThreshold) {
          continue;
        }
        pairs.push({ track, face: f, score });
      }
    }
    pairs.sort((a, b) => b.score - a.score || a.track.id - b.track.id || a.face - b.face);
    const trackOf = new Map<number, Track>();
    const taken = new Set<Track>();
    for (const p of pairs) {
      if (trackOf.has(p.face) || taken.has(p.track)) continue;
      trackOf.set(p.face, p.track);
      taken.add(p.track);
    }
    this.associateByMotion(faces, trackOf, taken);
    return trackOf;
  }

  /**
   * Second pass for what IoU left unmatched: when frames were skipped (a loaded machine analyses a
   * crowded 10 fps stream at 1-2 fps), a walking face moves more than its own width between
   * analysed frames and IoU drops to 0. A leftover track may then take a leftover face of similar
   * size whose centre lies within the distance the face could have moved (maxShiftPerFrame face
   * widths per frame interval elapsed, at most maxShift widths), nearest first. Without this, each
   * analysed frame would start a new track and k-of-n evidence could never accumulate.
   */
  private associateByMotion(
    faces: readonly AnalyzedFace[],
    trackOf: Map<number, Track>,
    taken: Set<Track>,
  ): void {
    const o = this.opts;
    if (o.maxShiftPerFrame <= 0) return;
    const now = this.lastFrameMs ?? 0;
    const pairs: Pair[] = [];
    for (const track of this.live.values()) {
      if (taken.has(track)) continue;
      const p = track.predicted;
      const frames = Math.max(1, (now - track.lastSeenMs) / o.frameIntervalMs);
      const gate = Math.min(o.maxShift, o.maxShiftPerFrame * frames) * p.w;
      for (let f = 0; f < faces.length; f++) {
        if (trackOf.has(f)) continue;
        const face = faces[f]!;
        const b = face.box;
        // Appearance still vetoes a clearly different person, as in the IoU pass.
        if (track.embedding && face.embedding && track.embedding.length === face.embedding.length) {
          if (cosine(track.embedding, face.embedding) < o.appearanceVeto) continue;
        }
        const ratio = b.w / p.w;
        if (ratio < 0.75 || ratio > 1 / 0.75) continue;
        const d = Math.hypot(b.x + b.w / 2 - (p.x + p.w / 2), b.y + b.h / 2 - (p.y + p.h / 2));
        if (d > gate) continue;
        pairs.push({ track, face: f, score: 1 - d / Math.max(gate, 1e-9) });
      }
    }
    pairs.sort((a, b) => b.score - a.score || a.track.id - b.track.id || a.face - b.face);
    for (const p of pairs) {
      if (trackOf.has(p.face) || taken.has(p.track)) continue;
      trackOf.set(p.face, p.track);
      taken.add(p.track);
    }
  }

  private absorb(
    track: Track,
    face: AnalyzedFace,
    faceIndex: number,
    frameTimeMs: number,
    isNew: boolean,
  ): TrackAssignment {
    track.predicted = isNew ? track.filter.box() : track.filter.update(face.box);
    track.hits++;
    track.lastSeenMs = frameTimeMs;
    track.bestQuality = Math.max(track.bestQuality, face.quality);
    if (face.embedding) track.embedding = this.smooth(track.embedding, face.embedding);
    return {
      faceIndex,
      trackId: track.id,
      isNew,
      confirmed: track.hits >= this.opts.minHits,
      hits: track.hits,
      box: track.predicted,
    };
  }

  private smooth(prev: Float32Array | undefined, next: Float32Array): Float32Array {
    const m = this.opts.embeddingMomentum;
    if (!prev || prev.length !== next.length || m <= 0) return Float32Array.from(next);
    const out = new Float32Array(next.length);
    let norm = 0;
    for (let i = 0; i < next.length; i++) {
      out[i] = m * prev[i]! + (1 - m) * next[i]!;
      norm += out[i]! * out[i]!;
    }
    if (norm === 0) return Float32Array.from(next);
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < out.length; i++) out[i]! *= inv;
    return out;
  }

  private stalest(exclude: ReadonlySet<Track>): Track | undefined {
    let victim: Track | undefined;
    for (const t of this.live.values()) {
      if (exclude.has(t)) continue;
      if (!victim || t.lastSeenMs < victim.lastSeenMs) victim = t;
    }
    return victim;
  }

  private end(t: Track, reason: TrackEndReason): EndedTrack {
    this.live.delete(t.id);
    t.embedding = undefined;
    return { trackId: t.id, reason, startedMs: t.startedMs, lastSeenMs: t.lastSeenMs, hits: t.hits };
  }
}
