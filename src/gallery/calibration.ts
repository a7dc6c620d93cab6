/**
 * Calibration, pure: from impostor comparisons (pairs of faces known to be different people) to an
 * estimated false-match rate per score, and a threshold proposal for a target FMR.
 *
 * FMR(t) = share of impostor scores >= t, per single comparison. It says how often one probe of a
 * stranger scores t or more against one template; against a gallery of N identities the chance of
 * some false candidate is roughly N times larger. With P impostor pairs no rate below 1/P can be
 * observed, so every estimate is floored at 1/P ("FMR < 1/P" when no impostor reached the score).
 */

import { mulberry32 } from '../util/mulberry32';
import { cosine as dot } from '../vision/embed/vector-math';

export interface FmrTable {
  version: 1;
  modelId: string;
  /** Where the impostor scores came from, for people reading the file. */
  source: string;
  createdAt: string;
  /** Impostor scores the table was built from (P). */
  impostorPairs: number;
  /** True when the pairs were drawn at random from more (see totalPairs). */
  sampled: boolean;
  totalPairs: number;
  /** Grid spacing of `points`. */
  step: number;
  /**
   * [score, impostors scoring >= score] on the grid, ascending, from the last point all P impostors
   * reach up to the first point none reaches. Below the first point FMR is 1.
   */
  points: Array<[number, number]>;
}

export interface TemplateVector {
  /** Identity (or person) the vector belongs to: pairs within a group are genuine, not impostors. */
  group: string;
  v: Float32Array;
}

export interface ImpostorScores {
  scores: Float64Array;
  /** Every impostor pair there is; `scores.length` is smaller when sampled. */
  totalPairs: number;
  sampled: boolean;
}

export interface ThresholdProposal {
  targetFmr: number;
  /** Lowest 4-decimal threshold whose observed FMR is at most the target (or, unresolvable, is 0). */
  threshold: number;
  /** Observed FMR at the threshold (impostorsAtOrAbove / impostorPairs). */
  fmr: number;
  impostorsAtOrAbove: number;
  impostorPairs: number;
  /** False when impostorPairs < 1/targetFmr: the target cannot be observed, only bounded. */
  resolvable: boolean;
  /** 1 / impostorPairs: no FMR below it can be observed. */
  fmrResolution: number;
  /** One honest sentence about what was and was not shown. */
  note: string;
}

export const FMR_TABLE_STEP = 0.01;

/**
 * Impostor scores: every pair of templates of different identities, plus every non-enrolled face
 * (`extra`) against every template. Above `maxPairs` pairs, `maxPairs` of them are drawn at random.
 */
export function impostorScores(
  templates: readonly TemplateVector[],
  extra: readonly Float32Array[],
  o: { maxPairs: number; seed?: number },
): ImpostorScores {
  const n = templates.length;
  const groupSizes = new Map<string, number>();
  for (const t of templates) groupSizes.set(t.group, (groupSizes.get(t.group) ?? 0) + 1);
  let sameGroupPairs = 0;
  for (const c of groupSizes.values()) sameGroupPairs += (c * (c - 1)) / 2;
  const galleryPairs = (n * (n - 1)) / 2 - sameGroupPairs;
  const extraPairs = extra.length * n;
  const totalPairs = galleryPairs + extraPairs;

  if (totalPairs <= o.maxPairs) {
    const scores = new Float64Array(totalPairs);
    let k = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (templates[i]!.group !== templates[j]!.group) scores[k++] = dot(templates[i]!.v, templates[j]!.v);
      }
    }
    for (const e of extra) for (const t of templates) scores[k++] = dot(e, t.v);
    return { scores, totalPairs, sampled: false };
  }

  const rand = mulberry32(o.seed ?? 0x5eed);
  const scores = new Float64Array(o.maxPairs);
  const pExtra = extraPairs / totalPairs;
  let k = 0;
  let guard = 0;
  while (k < o.maxPairs) {
    if (rand() < pExtra) {
      const e = extra[Math.floor(rand() * extra.length)]!;
      scores[k++] = dot(e, templates[Math.floor(rand() * n)]!.v);
      continue;
    }
    const a = templates[Math.floor(rand() * n)]!;
    const b = templates[Math.floor(rand() * n)]!;
    if (a.group === b.group) {
      // Rejection sampling; galleryPairs > 0 here, so this ends (the guard only bounds bad luck).
      if (++guard > o.maxPairs * 100) break;
      continue;
    }
    scores[k++] = dot(a.v, b.v);
  }
  return { scores: scores.subarray(0, k), totalPairs, sampled: true };
}

/** Number of values >= t in an ascending array. */
function countAtOrAbove(ascending: Float64Array, t: number): number {
  let lo = 0;
  let hi = ascending.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ascending[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return ascending.length - lo;
}

const gridValue = (k: number, step: number) => Math.round(k * step * 1e6) / 1e6;

/** The score -> impostor-count table on a fixed grid. */
export function buildFmrTable(
  impostors: ImpostorScores,
  meta: { modelId: string; source: string; createdAt?: string; step?: number },
): FmrTable {
  const step = meta.step ?? FMR_TABLE_STEP;
  const asc = Float64Array.from(impostors.scores).sort();
  const n = asc.length;
  const points: Array<[number, number]> = [];
  if (n > 0) {
    const kLo = Math.floor(asc[0]! / step);
    for (let k = kLo; ; k++) {
      const g = gridValue(k, step);
      const c = countAtOrAbove(asc, g);
      points.push([g, c]);
      if (c === 0 || g >= 1) break;
    }
  }
  return {
    version: 1,
    modelId: meta.modelId,
    source: meta.source,
    createdAt: meta.createdAt ?? new Date().toISOString(),
    impostorPairs: n,
    sampled: impostors.sampled,
    totalPairs: impostors.totalPairs,
    step,
    points,
  };
}

/**
 * Estimated FMR at a similarity: the share of impostors at or above the grid point just below it
 * (never optimistic), floored at 1/P.
 */
export function fmrAt(table: FmrTable, similarity: number): number {
  const n = table.impostorPairs;
  if (n === 0) return 1;
  const pts = table.points;
  let lo = 0;
  let hi = pts.length - 1;
  let idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (pts[mid]![0] <= similarity + 1e-12) {
      idx = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  const count = idx < 0 ? n : pts[idx]![1];
  return Math.max(count, 1) / n;
}

/** Smallest multiple of 1e-4 strictly above x, at most 1. */
function justAbove(x: number): number {
  let v = Math.ceil(x * 1e4 - 1e-7) / 1e4;
  if (v <= x) v = Math.round((v + 1e-4) * 1e4) / 1e4;
  return Math.min(1, Math.round(v * 1e4) / 1e4);
}

/** The threshold for a target FMR, from the impostor scores themselves (not the grid). */
export function proposeThreshold(scores: Float64Array, targetFmr: number): ThresholdProposal {
  const n = scores.length;
  if (n === 0) throw new RangeError('no impostor scores');
  const desc = Float64Array.from(scores).sort().reverse();
  const asc = Float64Array.from(desc).reverse();
  const allowed = Math.floor(targetFmr * n + 1e-9);
  const resolvable = allowed >= 1;
  const threshold = justAbove(desc[Math.min(allowed, n - 1)]!);
  const impostorsAtOrAbove = countAtOrAbove(asc, threshold);
  const fmr = impostorsAtOrAbove / n;
  const needed = Math.ceil(1 / targetFmr);
  const fmt = (x: number) => Number(x.toPrecision(2)).toString();
  let note: string;
  if (!resolvable) {
    note =
      `${n} impostor pairs cannot resolve an FMR of ${fmt(targetFmr)} (that needs at least ${needed}, ` +
      `better ${needed * 10}). No impostor scored ${threshold} or more: FMR < 1/${n} = ${fmt(1 / n)} at ${threshold}, ` +
      'which is all these pairs can show.';
  } else if (allowed < 10) {
    note =
      `FMR ${fmt(fmr)} <= ${fmt(targetFmr)} at ${threshold} rests on only ${allowed} impostor(s) in ${n} pairs: ` +
      'a rough estimate; add identities or --impostors faces for a firmer one.';
  } else {
    note = `${impostorsAtOrAbove} of ${n} impostor pairs score ${threshold} or more: FMR ${fmt(fmr)} <= target ${fmt(targetFmr)}.`;
  }
  return {
    targetFmr,
    threshold,
    fmr,
    impostorsAtOrAbove,
    impostorPairs: n,
    resolvable,
    fmrResolution: 1 / n,
    note,
  };
}
