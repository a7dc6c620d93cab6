import type { FivePoints, Point } from '../../domain/geometry';

const mean = (pts: readonly Point[], idx: readonly number[]): Point => {
  let x = 0;
  let y = 0;
  for (const i of idx) {
    x += pts[i]![0];
    y += pts[i]![1];
  }
  return [x / idx.length, y / idx.length];
};

/** iBUG 300-W 68-point order -> eyes, nose tip, mouth corners (image-left first). */
export function fivePointsFrom68(pts: readonly Point[]): FivePoints {
  if (pts.length !== 68) throw new RangeError(`expected 68 landmarks, got ${pts.length}`);
  return [
    mean(pts, [37, 38, 40, 41]),
    mean(pts, [43, 44, 46, 47]),
    pts[30]!,
    mean(pts, [48, 60]),
    mean(pts, [54, 64]),
  ];
}

/** Detector boxes of real faces are 1.2-1.6 times as tall as wide; hands and arms are much taller. */
const MIN_ASPECT = 0.9;
const MAX_ASPECT = 2.0;

/**
 * 0..1: the share of simple anatomical checks the five points pass, or 0 when the box shape is not a
 * face's. The landmark model draws a face-like layout on almost anything, so the box aspect is the
 * check that catches hands (the main false positive on live video); the point checks catch the rest.
 */
export function landmarkPlausibility(
  p: FivePoints,
  box: { x: number; y: number; w: number; h: number },
): number {
  const aspect = box.h / box.w;
  if (!(aspect >= MIN_ASPECT && aspect <= MAX_ASPECT)) return 0;
  const [le, re, nose, ml, mr] = p;
  const iod = Math.hypot(re[0] - le[0], re[1] - le[1]);
  const eyeY = (le[1] + re[1]) / 2;
  const mouthY = (ml[1] + mr[1]) / 2;
  const mouthW = Math.hypot(mr[0] - ml[0], mr[1] - ml[1]);
  const mx = box.w * 0.15;
  const my = box.h * 0.15;
  const inside = p.every(
    ([x, y]) => x >= box.x - mx && x <= box.x + box.w + mx && y >= box.y - my && y <= box.y + box.h + my,
  );
  const checks = [
    le[0] < re[0] && ml[0] < mr[0],
    eyeY < nose[1] && nose[1] < mouthY,
    iod >= 0.2 * box.w && iod <= 0.75 * box.w,
    nose[0] >= Math.min(le[0], re[0]) - 0.25 * iod && nose[0] <= Math.max(le[0], re[0]) + 0.25 * iod,
    mouthW >= 0.4 * iod && mouthW <= 1.6 * iod,
    inside,
  ];
  return checks.filter(Boolean).length / checks.length;
}
