import type { IdentityRef, SearchMatch } from './gallery-types';

/**
 * The matching policy, pure. A gallery search scores templates; an identity's score is its best
 * template's similarity (a person enrolled from several photos is found by whichever photo looks
 * most like the probe). The best identity is a match only if
 *   similarity >= threshold  AND  margin = similarity - (best other identity) >= margin.
 * The margin guards against look-alikes and one person enrolled under two names: when two
 * identities score nearly the same, neither is proposed. Only the first result can match.
 */

/** Float rounding (0.45 - 0.40 = 0.04999...) must not flip a decision at the boundary. */
const EPS = 1e-9;

export interface MatchPolicy {
  threshold: number;
  margin: number;
}

export interface TemplateHit<K> {
  /** The identity the template belongs to. */
  key: K;
  templateId: number;
  similarity: number;
}

export interface RankedIdentity<K> {
  key: K;
  similarity: number;
  /** The template with the best similarity. */
  templateId: number;
}

export interface MatchDecision<K> extends RankedIdentity<K> {
  margin: number;
  fmr: number;
  match: boolean;
}

/** Identity score = best template; identities best first (ties: lower template id first, stable). */
export function rankIdentities<K>(hits: readonly TemplateHit<K>[]): RankedIdentity<K>[] {
  const best = new Map<K, RankedIdentity<K>>();
  for (const h of hits) {
    const cur = best.get(h.key);
    if (
      !cur ||
      h.similarity > cur.similarity ||
      (h.similarity === cur.similarity && h.templateId < cur.templateId)
    ) {
      best.set(h.key, { key: h.key, similarity: h.similarity, templateId: h.templateId });
    }
  }
  return [...best.values()].sort((a, b) => b.similarity - a.similarity || a.templateId - b.templateId);
}

export interface DecideOptions {
  /**
   * Highest similarity an identity missing from `ranked` can have: the lowest candidate score when
   * the candidate list was cut short, undefined when every template was scored. Used as the runner-up
   * when `ranked` holds a single identity, so the margin is never overstated.
   */
  unseenBound?: number;
  /** Estimated false-match rate at a similarity. */
  fmrAt: (similarity: number) => number;
}

/**
 * Applies the policy to identities ranked best first. With no other identity at all, the runner-up
 * counts as 0 (what unrelated faces score), so the margin equals the similarity.
 */
export function decideMatches<K>(
  ranked: readonly RankedIdentity<K>[],
  policy: MatchPolicy,
  o: DecideOptions,
): MatchDecision<K>[] {
  if (ranked.length === 0) return [];
  const top = ranked[0]!.similarity;
  const runnerUp = ranked[1]?.similarity ?? o.unseenBound ?? 0;
  return ranked.map((r, i) => {
    const margin = i === 0 ? top - runnerUp : r.similarity - top;
    return {
      ...r,
      margin,
      fmr: o.fmrAt(r.similarity),
      match: i === 0 && r.similarity >= policy.threshold - EPS && margin >= policy.margin - EPS,
    };
  });
}

/**
 * Template hits of a search -> identities best first with the policy applied. `refs` maps each
 * label to its identity (labels whose template was deleted meanwhile are absent and skipped).
 */
export function searchMatches(
  hits: ReadonlyArray<{ label: number; similarity: number }>,
  refs: ReadonlyMap<number, IdentityRef>,
  o: { want: number; cutShort: boolean; policy: MatchPolicy; fmrAt: (similarity: number) => number },
): SearchMatch[] {
  const ranked = rankIdentities(
    hits.flatMap((h) => {
      const ref = refs.get(h.label);
      return ref ? [{ key: ref.id, templateId: h.label, similarity: h.similarity }] : [];
    }),
  );
  const unseenBound = o.cutShort && hits.length > 0 ? hits[hits.length - 1]!.similarity : undefined;
  const decisions = decideMatches(ranked, o.policy, {
    fmrAt: o.fmrAt,
    ...(unseenBound !== undefined ? { unseenBound } : {}),
  });
  const names = new Map([...refs.values()].map((r) => [r.id, r.name]));
  return decisions.slice(0, o.want).map((d) => ({
    identity: { id: d.key, name: names.get(d.key)! },
    similarity: d.similarity,
    margin: d.margin,
    fmr: d.fmr,
    match: d.match,
    templateId: d.templateId,
  }));
}
