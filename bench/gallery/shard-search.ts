/**
 * One shard's part of a query. hnswlib keeps the full float32 vectors and scores every candidate
 * it visits with an exact float32 inner product, so its distances already are the exact re-rank
 * of its candidates; re-scoring them through getPoint (a 512-element JS array built over N-API,
 * ~140 us per call measured here under load) would cost ~9 ms for 2 x 32 candidates and change
 * nothing but rounding. Shared by the sequential searcher and the per-shard search worker.
 */
import type { HierarchicalNSW } from 'hnswlib-node';

export interface ShardHit {
  label: number;
  similarity: number;
}

export function searchShard(h: HierarchicalNSW, q: number[], ef: number, candidates: number): ShardHit {
  h.setEf(Math.max(ef, candidates));
  const found = h.searchKnn(q, Math.min(candidates, h.getCurrentCount()));
  let best: ShardHit = { label: -1, similarity: Number.NEGATIVE_INFINITY };
  found.neighbors.forEach((label, i) => {
    const s = 1 - found.distances[i]!;
    if (s > best.similarity || (s === best.similarity && label < best.label)) best = { label, similarity: s };
  });
  return best;
}

/** Merges per-shard bests (ties to the lower label, as brute force does). */
export function mergeHits(hits: readonly ShardHit[]): ShardHit {
  let best: ShardHit = { label: -1, similarity: Number.NEGATIVE_INFINITY };
  for (const h of hits) {
    if (h.similarity > best.similarity || (h.similarity === best.similarity && h.label < best.label))
      best = h;
  }
  return best;
}
