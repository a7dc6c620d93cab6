import type { AnalyzedFace } from '../../../src/domain/face';
import type { Box, FivePoints } from '../../../src/domain/geometry';

const LANDMARKS: FivePoints = [
  [0, 0],
  [0, 0],
  [0, 0],
  [0, 0],
  [0, 0],
];

export function face(
  box: Box,
  opts: { quality?: number; score?: number; embedding?: Float32Array } = {},
): AnalyzedFace {
  const quality = opts.quality ?? 0.8;
  return {
    box,
    score: opts.score ?? 0.9,
    landmarks: LANDMARKS,
    quality,
    qualityParts: { size: quality, sharpness: quality, pose: quality },
    ...(opts.embedding ? { embedding: opts.embedding } : {}),
  };
}

/** A unit vector along axis `i` (orthogonal identities), optionally blended toward axis `j`. */
export function unit(dim: number, i: number, noise = 0, j = (i + 1) % dim): Float32Array {
  const v = new Float32Array(dim);
  v[i] = 1;
  v[j] = (v[j] ?? 0) + noise;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

export function sq(x: number, y: number, size = 60): Box {
  return { x, y, w: size, h: size };
}
