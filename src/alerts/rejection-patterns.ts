import type { RejectionPattern } from '../serve/service-ports';
import type { AlertIdentity } from './alert-messages';

/** One rejected alert, as the pattern search needs it. */
export interface RejectedAlert {
  identity: AlertIdentity;
  similarity: number;
  /** ISO time of the rejection. */
  rejectedAt: string;
}

/**
 * Identities rejected at least `minRejections` times at similar scores: for each identity, the
 * largest group of rejections whose similarities lie within `similarityWindow` of each other.
 * Many rejections at one score mean the enrolled photo resembles someone who keeps passing a
 * camera; raising the threshold a little or replacing the photo helps, and reviewers see it here.
 * Newest identity data wins (a renamed identity is shown by its current name); most rejections first.
 */
export function findRejectionPatterns(
  rejected: readonly RejectedAlert[],
  minRejections = 3,
  similarityWindow = 0.05,
): RejectionPattern[] {
  const byIdentity = new Map<string, RejectedAlert[]>();
  for (const r of rejected) {
    const list = byIdentity.get(r.identity.id);
    if (list) list.push(r);
    else byIdentity.set(r.identity.id, [r]);
  }
  const patterns: RejectionPattern[] = [];
  for (const list of byIdentity.values()) {
    if (list.length < minRejections) continue;
    const sorted = [...list].sort((a, b) => a.similarity - b.similarity);
    // Two pointers: the widest run of sorted scores spanning at most the window.
    let best = { from: 0, to: 0 };
    let from = 0;
    for (let to = 0; to < sorted.length; to++) {
      while (sorted[to]!.similarity - sorted[from]!.similarity > similarityWindow + 1e-12) from++;
      if (to - from > best.to - best.from) best = { from, to };
    }
    const cluster = sorted.slice(best.from, best.to + 1);
    if (cluster.length < minRejections) continue;
    const newest = list.reduce((a, b) => (b.rejectedAt > a.rejectedAt ? b : a));
    patterns.push({
      identity: newest.identity,
      rejections: cluster.length,
      minSimilarity: cluster[0]!.similarity,
      maxSimilarity: cluster[cluster.length - 1]!.similarity,
      lastRejectedAt: cluster.map((r) => r.rejectedAt).sort()[cluster.length - 1]!,
    });
  }
  return patterns.sort(
    (a, b) => b.rejections - a.rejections || b.lastRejectedAt.localeCompare(a.lastRejectedAt),
  );
}
