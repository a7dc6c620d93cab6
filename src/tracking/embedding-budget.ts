/**
 * Decides which tracks get an embedding this frame. Embedding is the expensive step (a network run
 * per face), and a face seen in ten consecutive frames rarely needs ten embeddings. A track is DUE
 * when:
 *   - 'new':      it has never been embedded;
 *   - 'quality':  its quality now beats the best quality it was embedded at by qualityImprovement;
 *   - 'periodic': everyNFrames frames have passed since its last embedding;
 *   - 'evidence': its last embedding matched someone but not yet enough to alert (k of n): the
 *                 next embeddings decide, so they should not wait everyNFrames frames.
 * At most `capacity` due tracks are embedded per frame: min(maxPerFrame, budgetMs / msPerFace),
 * never below minPerFrame, so the stream keeps real time with 100 faces. Order:
 *   1. starving tracks (new, evidence or quality, due for >= starvationFrames frames), longest wait
 *      first: bounded wait, no face goes unmatched whatever the load (periodic refreshes do not
 *      starve: those faces were embedded already);
 *   2. new tracks and pending evidence (the next embedding may complete an alert), longest wait
 *      first, then best quality;
 *   3. quality improvements, best quality first;
 *   4. periodic refreshes, best quality first.
 * Due tracks that are not picked stay due ("deferred") and catch up on later frames.
 * `plan` assumes the tracks it picks will be embedded this frame. Pure and synchronous.
 */
export interface EmbeddingBudgetOptions {
  /** Re-embed a track every this many frames. Default 10. */
  everyNFrames: number;
  /** Quality gain over the best embedded quality that makes a track due at once. Default 0.15. */
  qualityImprovement: number;
  /** Hard cap on embeddings per frame. Default 16. */
  maxPerFrame: number;
  /**
   * Embeddings per frame allowed whatever the time budget says. On an overloaded machine the
   * measured cost per face can be ten times the usual; without a floor the budget would embed one
   * face per frame and a 100-face scene would take minutes to be matched at all. The price is a
   * lower analysed frame rate (frames are dropped, never queued). Default 4.
   */
  minPerFrame: number;
  /** Time per frame allowed for embedding, in ms. Default 40. */
  budgetMs: number;
  /** Initial estimate of the cost of one embedding, in ms; refined by recordCost. Default 5. */
  msPerFace: number;
  /** A due track deferred this many frames jumps the queue. Default 10. */
  starvationFrames: number;
  /** State of a track not offered for this many frames is dropped (when forget was not called). Default 300. */
  staleFrames: number;
}

export const DEFAULT_EMBEDDING_BUDGET_OPTIONS: Readonly<EmbeddingBudgetOptions> = Object.freeze({
  everyNFrames: 10,
  qualityImprovement: 0.15,
  maxPerFrame: 16,
  minPerFrame: 4,
  budgetMs: 40,
  msPerFace: 5,
  starvationFrames: 10,
  staleFrames: 300,
});

export type EmbedReason = 'new' | 'quality' | 'evidence' | 'periodic';

export interface BudgetCandidate {
  trackId: number;
  /** The face's quality in this frame, 0..1. */
  quality: number;
  /** Its last embedding matched an identity that has not alerted yet (see 'evidence'). */
  pendingMatch?: boolean;
}

export interface EmbedPick {
  trackId: number;
  reason: EmbedReason;
  /** Frames this track had been due before being picked (0 = picked at once). */
  waitedFrames: number;
}

export interface EmbeddingPlan {
  /** The budget's frame counter (1 on the first plan). */
  frame: number;
  /** Tracks to embed now, in priority order. */
  embed: EmbedPick[];
  /** Due tracks left for a later frame. */
  deferred: number;
  deferredTrackIds: number[];
  /** How many embeddings this frame was allowed. */
  capacity: number;
}

interface TrackBudgetState {
  embeddedFrame: number | undefined;
  bestEmbeddedQuality: number;
  dueSince: number | undefined;
  lastSeenFrame: number;
}

interface Due {
  trackId: number;
  quality: number;
  reason: EmbedReason;
  waited: number;
  tier: number;
  state: TrackBudgetState;
}

const TIER: Record<EmbedReason, number> = { new: 1, evidence: 1, quality: 2, periodic: 3 };

export class EmbeddingBudget {
  private readonly opts: EmbeddingBudgetOptions;
  private readonly states = new Map<number, TrackBudgetState>();
  private frame = 0;
  private msPerFace: number;

  constructor(options: Partial<EmbeddingBudgetOptions> = {}) {
    this.opts = Object.freeze({ ...DEFAULT_EMBEDDING_BUDGET_OPTIONS, ...options });
    const o = this.opts;
    if (!(o.everyNFrames >= 1) || !(o.maxPerFrame >= 1) || !(o.minPerFrame >= 1) || !(o.msPerFace > 0)) {
      throw new RangeError('EmbeddingBudget: everyNFrames, maxPerFrame, minPerFrame >= 1, msPerFace > 0');
    }
    this.msPerFace = this.opts.msPerFace;
  }

  /** Current per-frame capacity. */
  capacity(): number {
    const byTime = Math.floor(this.opts.budgetMs / this.msPerFace);
    return Math.max(
      Math.min(this.opts.minPerFrame, this.opts.maxPerFrame),
      Math.min(this.opts.maxPerFrame, byTime),
    );
  }

  /** Plans one frame: `candidates` are the tracks that have a face in it. */
  plan(candidates: readonly BudgetCandidate[]): EmbeddingPlan {
    const frame = ++this.frame;
    const due: Due[] = [];
    for (const c of candidates) {
      let s = this.states.get(c.trackId);
      if (!s) {
        s = {
          embeddedFrame: undefined,
          bestEmbeddedQuality: -Infinity,
          dueSince: undefined,
          lastSeenFrame: frame,
        };
        this.states.set(c.trackId, s);
      }
      s.lastSeenFrame = frame;
      const reason = this.reason(s, c.quality, frame, c.pendingMatch === true);
      if (!reason) {
        s.dueSince = undefined;
        continue;
      }
      s.dueSince ??= frame;
      const waited = frame - s.dueSince;
      // Starvation only lifts first embeddings and pending evidence: a periodic refresh of a face
      // already matched once can wait; letting it jump the queue would starve new faces in a crowd.
      const starving = waited >= this.opts.starvationFrames && reason !== 'periodic';
      const tier = starving ? 0 : TIER[reason];
      due.push({ trackId: c.trackId, quality: c.quality, reason, waited, tier, state: s });
    }
    due.sort(
      (a, b) =>
        a.tier - b.tier ||
        (a.tier <= 1 ? b.waited - a.waited : 0) ||
        b.quality - a.quality ||
        b.waited - a.waited ||
        a.trackId - b.trackId,
    );
    const capacity = this.capacity();
    const picked = due.slice(0, capacity);
    for (const d of picked) {
      d.state.embeddedFrame = frame;
      d.state.bestEmbeddedQuality = Math.max(d.state.bestEmbeddedQuality, d.quality);
      d.state.dueSince = undefined;
    }
    const rest = due.slice(capacity);
    if (frame % 64 === 0) this.prune(frame);
    return {
      frame,
      embed: picked.map((d) => ({ trackId: d.trackId, reason: d.reason, waitedFrames: d.waited })),
      deferred: rest.length,
      deferredTrackIds: rest.map((d) => d.trackId),
      capacity,
    };
  }

  /** Feeds back measured embedding time so the time budget follows the real cost (moving average). */
  recordCost(totalMs: number, faces: number): void {
    if (!(faces > 0) || !(totalMs >= 0)) return;
    const perFace = Math.max(totalMs / faces, 0.01);
    this.msPerFace = 0.8 * this.msPerFace + 0.2 * perFace;
  }

  /** Drops the state of ended tracks. */
  forget(trackIds: Iterable<number>): void {
    for (const id of trackIds) this.states.delete(id);
  }

  get trackedCount(): number {
    return this.states.size;
  }

  private reason(
    s: TrackBudgetState,
    quality: number,
    frame: number,
    pending: boolean,
  ): EmbedReason | undefined {
    if (s.embeddedFrame === undefined) return 'new';
    if (quality >= s.bestEmbeddedQuality + this.opts.qualityImprovement) return 'quality';
    if (pending && frame > s.embeddedFrame) return 'evidence';
    if (frame - s.embeddedFrame >= this.opts.everyNFrames) return 'periodic';
    return undefined;
  }

  private prune(frame: number): void {
    for (const [id, s] of this.states) {
      if (frame - s.lastSeenFrame > this.opts.staleFrames) this.states.delete(id);
    }
  }
}
