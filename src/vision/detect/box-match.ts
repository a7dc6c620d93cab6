import type { Box } from '../../domain/geometry';
import { iou } from './nms';

export { iou };

export interface MatchPair {
  /** Index into the ground-truth list. */
  truth: number;
  /** Index into the list of boxes found. */
  found: number;
  iou: number;
}

export interface MatchResult {
  /** True positives: ground-truth boxes matched one-to-one by a found box. */
  tp: number;
  /** Found boxes that matched no ground-truth box. */
  fp: number;
  /** Ground-truth boxes that no found box matched. */
  fn: number;
  /** tp / truth count; 1 when there is no ground truth. */
  recall: number;
  /** tp / found count; 1 when nothing was found. */
  precision: number;
  pairs: MatchPair[];
}

/**
 * Scores a detector against ground truth: every (truth, found) pair with IoU >= `minIou` is a
 * candidate, and candidates are taken greedily from the highest IoU, each box used at most once.
 * The default 0.4 is lenient on purpose: detectors disagree on where a face ends (forehead, chin),
 * and the benchmark compares detectors with different box conventions against the same labels.
 */
export function matchDetections(truth: readonly Box[], found: readonly Box[], minIou = 0.4): MatchResult {
  const candidates: MatchPair[] = [];
  for (let t = 0; t < truth.length; t++) {
    for (let f = 0; f < found.length; f++) {
      const v = iou(truth[t]!, found[f]!);
      if (v >= minIou) candidates.push({ truth: t, found: f, iou: v });
    }
  }
  candidates.sort((a, b) => b.iou - a.iou || a.truth - b.truth || a.found - b.found);
  const truthUsed = new Uint8Array(truth.length);
  const foundUsed = new Uint8Array(found.length);
  const pairs: MatchPair[] = [];
  for (const c of candidates) {
    if (truthUsed[c.truth] || foundUsed[c.found]) continue;
    truthUsed[c.truth] = 1;
    foundUsed[c.found] = 1;
    pairs.push(c);
  }
  const tp = pairs.length;
  return {
    tp,
    fp: found.length - tp,
    fn: truth.length - tp,
    recall: truth.length > 0 ? tp / truth.length : 1,
    precision: found.length > 0 ? tp / found.length : 1,
    pairs,
  };
}
