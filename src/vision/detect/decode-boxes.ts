import type { Detection } from '../../domain/face';

export interface DecodeParams {
  /** Network input plane size (including padding); boxes come out normalised to it. */
  inputWidth: number;
  inputHeight: number;
  /** Network pixels per image pixel for this pass, per axis (mip levels round sizes). */
  scaleX: number;
  scaleY: number;
  scoreThreshold: number;
  centerVariance: number;
  sizeVariance: number;
  /** Boxes wider than this many network pixels are dropped (pyramid gating); Infinity keeps all. */
  maxNetSize: number;
  /** Image size, to clip boxes. */
  imageWidth: number;
  imageHeight: number;
}

/**
 * Turns raw SSD outputs into boxes in image pixels. `scores` is [N,2] (column 1 = face),
 * `regression` is [N,4] offsets against `priors` [N,4] (cx, cy, w, h).
 */
export function decodeBoxes(
  scores: Float32Array,
  regression: Float32Array,
  priors: Float32Array,
  p: DecodeParams,
): Detection[] {
  const n = priors.length / 4;
  const out: Detection[] = [];
  const toX = p.inputWidth / p.scaleX;
  const toY = p.inputHeight / p.scaleY;
  for (let i = 0; i < n; i++) {
    const score = scores[2 * i + 1]!;
    if (score < p.scoreThreshold) continue;
    const pcx = priors[4 * i]!;
    const pcy = priors[4 * i + 1]!;
    const pw = priors[4 * i + 2]!;
    const ph = priors[4 * i + 3]!;
    const cx = regression[4 * i]! * p.centerVariance * pw + pcx;
    const cy = regression[4 * i + 1]! * p.centerVariance * ph + pcy;
    const w = Math.exp(regression[4 * i + 2]! * p.sizeVariance) * pw;
    const h = Math.exp(regression[4 * i + 3]! * p.sizeVariance) * ph;
    if (w * p.inputWidth > p.maxNetSize) continue;
    const x1 = Math.max(0, (cx - w / 2) * toX);
    const y1 = Math.max(0, (cy - h / 2) * toY);
    const x2 = Math.min(p.imageWidth, (cx + w / 2) * toX);
    const y2 = Math.min(p.imageHeight, (cy + h / 2) * toY);
    if (x2 - x1 < 1 || y2 - y1 < 1) continue;
    out.push({ box: { x: x1, y: y1, w: x2 - x1, h: y2 - y1 }, score });
  }
  return out;
}
