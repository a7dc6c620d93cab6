import type { Detection } from '../../domain/face';
import type { Box } from '../../domain/geometry';

export function iou(a: Box, b: Box): number {
  const inter = intersection(a, b);
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

export function intersection(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Greedy non-maximum suppression by score (not by position, unlike the reference code). */
export function nms<T extends Detection>(dets: readonly T[], iouThreshold: number, maxOut = Infinity): T[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const d of sorted) {
    if (kept.length >= maxOut) break;
    if (kept.every((k) => iou(k.box, d.box) <= iouThreshold)) kept.push(d);
  }
  return kept;
}

/**
 * Drops a box when more than `fraction` of its area lies inside a larger kept box: finer pyramid
 * levels see parts of big faces (an eye and a nose) as small faces.
 */
export function suppressContained<T extends Detection>(dets: readonly T[], fraction: number): T[] {
  const bySize = [...dets].sort((a, b) => b.box.w * b.box.h - a.box.w * a.box.h);
  const kept: T[] = [];
  for (const d of bySize) {
    const area = d.box.w * d.box.h;
    if (kept.every((k) => intersection(k.box, d.box) <= fraction * area)) kept.push(d);
  }
  return kept.sort((a, b) => b.score - a.score);
}
