import type { Box } from '../domain/geometry';

/**
 * Evidence before alert, pure and per stream. Each embedding of a track is matched against the
 * gallery by the caller; `observe` receives the identities it scored. For every (track, identity):
 *   - a MATCH is similarity >= threshold AND margin >= margin (the gallery's match policy);
 *   - an ALERT is raised once when at least k of the track's last n observations matched that
 *     identity (defaults 2 of 3), or at once when one match reaches instantThreshold (it must still
 *     clear the margin: a look-alike enrolled twice is not "obvious");
 *   - afterwards only ALERT-UPDATEs, and only when the evidence strengthens: a best similarity at
 *     least updateMinDelta higher, or more matches in the window than when last reported;
 *   - a pair rejected by a reviewer (`reject`) never alerts again for that track;
 *   - `endTrack` drops everything about a track (privacy: the caller discards its embeddings too).
 * Every record is a candidate for human review (`review: 'pending'`), never a verdict.
 */
export interface AlertPolicyOptions {
  /** Matches needed within the window. Default 2. */
  k: number;
  /** Window: the track's last n observations (embeddings). Default 3. */
  n: number;
  /** Similarity at or above which an observation matches an identity. Default 0.4 (config match.threshold). */
  threshold: number;
  /** Required lead over the best other identity. Default 0.05 (config match.margin). */
  margin: number;
  /** One observation at or above this similarity alerts at once. Default 0.7. */
  instantThreshold: number;
  /** Similarity gain that counts as stronger evidence for an update. Default 0.02. */
  updateMinDelta: number;
  /** Bound on tracks held; the least recently observed is dropped when full. Default 1000. */
  maxTracks: number;
  /** Bound on identities remembered per track; the least recent non-alerted one is dropped. Default 16. */
  maxIdentitiesPerTrack: number;
}

export const DEFAULT_ALERT_POLICY_OPTIONS: Readonly<AlertPolicyOptions> = Object.freeze({
  k: 2,
  n: 3,
  threshold: 0.4,
  margin: 0.05,
  instantThreshold: 0.7,
  updateMinDelta: 0.02,
  maxTracks: 1000,
  maxIdentitiesPerTrack: 16,
});

/** Float rounding must not flip a decision at a boundary (same rule as the gallery match policy). */
const EPS = 1e-9;

export interface IdentityScore {
  identityId: string;
  similarity: number;
  /** similarity - best other identity's similarity. */
  margin: number;
}

export interface MatchObservation {
  trackId: number;
  /** Capture time of the frame the embedding came from. */
  timeMs: number;
  quality: number;
  box: Box;
  /** Identities the gallery scored for this embedding; identities not listed did not match. */
  candidates: readonly IdentityScore[];
}

export type AlertTrigger = 'k-of-n' | 'instant';

export interface AlertRecord {
  type: 'alert' | 'alert-update';
  trackId: number;
  identityId: string;
  /** Best similarity among this pair's matches so far. */
  similarity: number;
  /** Margin of that best match. */
  margin: number;
  /** Matches of this identity within the window. */
  evidenceCount: number;
  /** Observations in the window (<= n). */
  evidenceWindow: number;
  trigger: AlertTrigger;
  /** Quality, box and capture time of the best-quality matching observation (the crop to keep). */
  bestQuality: number;
  bestBox: Box;
  bestTimeMs: number;
  /** Capture time of the observation that produced this record. */
  timeMs: number;
  review: 'pending';
}

interface WindowEntry {
  matched: Set<string>;
}

interface PairState {
  bestSimilarity: number;
  bestMargin: number;
  bestQuality: number;
  bestBox: Box;
  bestTimeMs: number;
  touched: number;
  reported: { similarity: number; evidenceCount: number } | undefined;
}

interface TrackState {
  window: WindowEntry[];
  pairs: Map<string, PairState>;
  rejected: Set<string>;
}

export class AlertPolicy {
  private opts: Readonly<AlertPolicyOptions>;
  /** Map order = least recently observed first (re-inserted on each observation). */
  private readonly tracks = new Map<number, TrackState>();
  private tick = 0;

  constructor(options: Partial<AlertPolicyOptions> = {}) {
    this.opts = Object.freeze({ ...DEFAULT_ALERT_POLICY_OPTIONS, ...options });
    const o = this.opts;
    if (!(o.k >= 1 && o.n >= o.k) || !(o.maxTracks >= 1) || !(o.maxIdentitiesPerTrack >= 1)) {
      throw new RangeError('AlertPolicy: need 1 <= k <= n, maxTracks >= 1, maxIdentitiesPerTrack >= 1');
    }
  }

  get options(): Readonly<AlertPolicyOptions> {
    return this.opts;
  }

  /** A new operating point (an admin changed the threshold); open evidence windows are kept. */
  setMatchThresholds(threshold: number, margin: number): void {
    this.opts = Object.freeze({ ...this.opts, threshold, margin });
  }

  get trackCount(): number {
    return this.tracks.size;
  }

  /** Records one embedding's gallery scores for a track; returns the alerts it causes (often none). */
  observe(obs: MatchObservation): AlertRecord[] {
    const o = this.opts;
    const track = this.touch(obs.trackId);
    const matches = obs.candidates.filter(
      (c) =>
        c.similarity >= o.threshold - EPS && c.margin >= o.margin - EPS && !track.rejected.has(c.identityId),
    );
    track.window.push({ matched: new Set(matches.map((m) => m.identityId)) });
    if (track.window.length > o.n) track.window.shift();

    const out: AlertRecord[] = [];
    for (const m of matches) {
      const pair = this.pair(track, m, obs);
      const count = track.window.filter((w) => w.matched.has(m.identityId)).length;
      const instant = m.similarity >= o.instantThreshold - EPS;
      const reported = pair.reported;
      let type: AlertRecord['type'] | undefined;
      if (!reported) {
        if (count >= o.k || instant) type = 'alert';
      } else if (
        pair.bestSimilarity >= reported.similarity + o.updateMinDelta - EPS ||
        count > reported.evidenceCount
      ) {
        type = 'alert-update';
      }
      if (!type) continue;
      pair.reported = {
        similarity: pair.bestSimilarity,
        evidenceCount: Math.max(count, reported?.evidenceCount ?? 0),
      };
      out.push({
        type,
        trackId: obs.trackId,
        identityId: m.identityId,
        similarity: pair.bestSimilarity,
        margin: pair.bestMargin,
        evidenceCount: count,
        evidenceWindow: track.window.length,
        trigger: count >= o.k ? 'k-of-n' : 'instant',
        bestQuality: pair.bestQuality,
        bestBox: pair.bestBox,
        bestTimeMs: pair.bestTimeMs,
        timeMs: obs.timeMs,
        review: 'pending',
      });
    }
    return out;
  }

  /** Negative evidence: a reviewer said this track is not this identity. It will not alert for it again. */
  reject(trackId: number, identityId: string): void {
    const track = this.tracks.get(trackId) ?? this.touch(trackId);
    track.rejected.add(identityId);
    track.pairs.delete(identityId);
    for (const w of track.window) w.matched.delete(identityId);
  }

  isRejected(trackId: number, identityId: string): boolean {
    return this.tracks.get(trackId)?.rejected.has(identityId) === true;
  }

  /** Forgets a track (it ended). */
  endTrack(trackId: number): void {
    this.tracks.delete(trackId);
  }

  endTracks(trackIds: Iterable<number>): void {
    for (const id of trackIds) this.tracks.delete(id);
  }

  private touch(trackId: number): TrackState {
    let track = this.tracks.get(trackId);
    if (track) {
      this.tracks.delete(trackId);
    } else {
      track = { window: [], pairs: new Map(), rejected: new Set() };
      if (this.tracks.size >= this.opts.maxTracks) {
        const oldest = this.tracks.keys().next().value;
        if (oldest !== undefined) this.tracks.delete(oldest);
      }
    }
    this.tracks.set(trackId, track);
    return track;
  }

  private pair(track: TrackState, m: IdentityScore, obs: MatchObservation): PairState {
    let pair = track.pairs.get(m.identityId);
    if (!pair) {
      if (track.pairs.size >= this.opts.maxIdentitiesPerTrack) this.dropOnePair(track);
      pair = {
        bestSimilarity: m.similarity,
        bestMargin: m.margin,
        bestQuality: obs.quality,
        bestBox: obs.box,
        bestTimeMs: obs.timeMs,
        touched: 0,
        reported: undefined,
      };
      track.pairs.set(m.identityId, pair);
    }
    pair.touched = ++this.tick;
    if (m.similarity > pair.bestSimilarity) {
      pair.bestSimilarity = m.similarity;
      pair.bestMargin = m.margin;
    }
    if (obs.quality > pair.bestQuality) {
      pair.bestQuality = obs.quality;
      pair.bestBox = obs.box;
      pair.bestTimeMs = obs.timeMs;
    }
    return pair;
  }

  private dropOnePair(track: TrackState): void {
    let victim: [string, PairState] | undefined;
    for (const entry of track.pairs) {
      const [, p] = entry;
      const rank = (x: PairState) => (x.reported ? 1 : 0);
      if (
        !victim ||
        rank(p) < rank(victim[1]) ||
        (rank(p) === rank(victim[1]) && p.touched < victim[1].touched)
      ) {
        victim = entry;
      }
    }
    if (victim) track.pairs.delete(victim[0]);
  }
}
