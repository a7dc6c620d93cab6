import type { AlertIdentity, AlertInput } from '../alerts/alert-messages';
import { AlertPolicy, type AlertPolicyOptions, type IdentityScore } from '../alerts/alert-policy';
import type { SearchMatch } from '../gallery/gallery-types';
import type { AnalysedFrame } from '../pipeline/analysis-loop';
import { FaceTracker } from '../tracking/face-tracker';

/** What the per-stream alert stage needs from the gallery (Gallery fits). */
export interface AlertGallery {
  readonly modelId: string;
  searchByEmbedding(v: ArrayLike<number>, k: number): SearchMatch[];
  get(id: string): { id: string; name: string; watchlists: string[] };
}

/** Identities compared per embedding: the best plus enough others to measure the margin. */
const SEARCH_K = 3;

/**
 * One stream's frames -> tracks -> gallery matches -> alerts. Embeddings live only inside this
 * call and the tracker; faces that match nobody leave nothing behind (nothing is stored).
 */
export class StreamAlerts {
  private readonly tracker = new FaceTracker();
  private readonly policy: AlertPolicy;
  /** False-match rate of each identity in the embedding being observed (for its alerts). */
  private readonly fmrOf = new Map<string, number>();

  constructor(
    private readonly streamId: string,
    private readonly gallery: AlertGallery,
    policy: Partial<AlertPolicyOptions>,
    private readonly publish: (alert: AlertInput, kind: 'alert' | 'alert-update') => void,
  ) {
    this.policy = new AlertPolicy(policy);
  }

  /** Processes one analysed frame; returns the number of alerts published. */
  onFrame(r: AnalysedFrame): number {
    const time = r.frame.capturedAt;
    const update = this.tracker.update(r.faces, time);
    this.policy.endTracks(update.ended.map((e) => e.trackId));
    let published = 0;
    for (const a of update.assignments) {
      const face = r.faces[a.faceIndex];
      if (a.trackId === null || !face?.embedding) continue;
      const matches = this.gallery.searchByEmbedding(face.embedding, SEARCH_K);
      this.fmrOf.clear();
      const candidates: IdentityScore[] = matches.map((m) => {
        this.fmrOf.set(m.identity.id, m.fmr);
        return { identityId: m.identity.id, similarity: m.similarity, margin: m.margin };
      });
      const records = this.policy.observe({
        trackId: a.trackId,
        timeMs: time,
        quality: face.quality,
        box: face.box,
        candidates,
      });
      for (const rec of records) {
        const b = rec.bestBox;
        this.publish(
          {
            streamId: this.streamId,
            captureTime: new Date(rec.timeMs).toISOString(),
            trackId: String(rec.trackId),
            identity: this.identity(rec.identityId),
            similarity: rec.similarity,
            margin: rec.margin,
            fmr: this.fmrOf.get(rec.identityId) ?? 1,
            evidenceCount: rec.evidenceCount,
            box: { x: b.x, y: b.y, width: b.w, height: b.h },
            quality: rec.bestQuality,
            modelId: this.gallery.modelId,
          },
          rec.type,
        );
        published++;
      }
    }
    return published;
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
