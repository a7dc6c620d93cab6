import type { QualityBreakdown } from '../../domain/face';
import type { FivePoints } from '../../domain/geometry';
import type { RgbImage } from '../../domain/image';
import { GREY_WEIGHTS } from '../preprocess/tensor-spec';

export interface QualityOptions {
  /** Face width (px) at which the size part is 0.5. */
  minFaceSizeForId: number;
  /** Face width (px) at which the size part is 1. */
  goodFaceSize: number;
}

/** Laplacian variance at which the sharpness part reaches 1 (sharp 112x112 faces measure 150-1500). */
const SHARP_LAPLACIAN_VAR = 150;

/** 0 below half of minFaceSizeForId, 0.5 at minFaceSizeForId, 1 from goodFaceSize; linear between. */
export function sizeScore(faceWidth: number, o: QualityOptions): number {
  const zero = o.minFaceSizeForId / 2;
  if (faceWidth <= zero) return 0;
  if (faceWidth <= o.minFaceSizeForId) return (0.5 * (faceWidth - zero)) / (o.minFaceSizeForId - zero);
  if (faceWidth >= o.goodFaceSize) return 1;
  return 0.5 + (0.5 * (faceWidth - o.minFaceSizeForId)) / (o.goodFaceSize - o.minFaceSizeForId);
}

/** Variance of the 4-neighbour Laplacian over the inner face (eyes to mouth) of an aligned crop. */
export function laplacianVariance(face: RgbImage): number {
  const { width: w, height: h, data } = face;
  const grey = new Float32Array(w * h);
  for (let i = 0, p = 0; i < grey.length; i++, p += 3) {
    grey[i] = data[p]! * GREY_WEIGHTS[0] + data[p + 1]! * GREY_WEIGHTS[1] + data[p + 2]! * GREY_WEIGHTS[2];
  }
  const x0 = Math.round(w * 0.2);
  const x1 = Math.round(w * 0.8);
  const y0 = Math.round(h * 0.3);
  const y1 = Math.round(h * 0.9);
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * w + x;
      const lap = grey[i - 1]! + grey[i + 1]! + grey[i - w]! + grey[i + w]! - 4 * grey[i]!;
      sum += lap;
      sum2 += lap * lap;
      n++;
    }
  }
  const mean = sum / n;
  return sum2 / n - mean * mean;
}

export function sharpnessScore(face: RgbImage): number {
  return Math.min(1, laplacianVariance(face) / SHARP_LAPLACIAN_VAR);
}

/**
 * 1 for a frontal, level face. Yaw from where the nose sits between the eyes (half an
 * inter-ocular distance off-centre is near profile), roll from the eye line's angle.
 */
export function poseScore(p: FivePoints): number {
  const [le, re, nose] = p;
  const iod = Math.hypot(re[0] - le[0], re[1] - le[1]);
  if (iod === 0) return 0;
  const midX = (le[0] + re[0]) / 2;
  const midY = (le[1] + re[1]) / 2;
  // Project the nose offset onto the eye line so roll does not read as yaw.
  const ex = (re[0] - le[0]) / iod;
  const ey = (re[1] - le[1]) / iod;
  const yaw = Math.abs(((nose[0] - midX) * ex + (nose[1] - midY) * ey) / iod);
  const rollDeg = Math.abs((Math.atan2(re[1] - le[1], re[0] - le[0]) * 180) / Math.PI);
  const yawScore = clamp01(1 - yaw / 0.5);
  const rollScore = clamp01(1 - rollDeg / 60);
  return yawScore * Math.sqrt(rollScore);
}

/**
 * Overall quality: a weighted geometric mean, so one bad part (a 15 px face, a profile, heavy blur)
 * pulls the whole score down. Size weighs most: it limits identification hardest.
 */
export function combineQuality(parts: QualityBreakdown): number {
  const f = (v: number) => Math.max(v, 0.01);
  return clamp01(f(parts.size) ** 0.5 * f(parts.sharpness) ** 0.2 * f(parts.pose) ** 0.3);
}

function clamp01(v: number): number {
  return v < 0 ? 0 : Math.min(v, 1);
}
