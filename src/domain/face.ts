import type { Box, FivePoints } from './geometry';

export interface Detection {
  box: Box;
  /** Detector confidence 0..1. */
  score: number;
}

/**
 * A detection whose landmarks may already be known (an AnalyzedFace is one): analysing it again
 * on the same frame, e.g. to embed it, reuses them instead of running the landmark model twice.
 */
export interface LocatedFace extends Detection {
  landmarks?: FivePoints;
}

export interface QualityBreakdown {
  /** 0..1 from the face's pixel width (small faces cannot be identified). */
  size: number;
  /** 0..1 from the variance of the Laplacian of the aligned face. */
  sharpness: number;
  /** 0..1 from yaw and roll estimated from the five landmarks (1 = frontal). */
  pose: number;
}

export interface AnalyzedFace extends Detection {
  landmarks: FivePoints;
  /** Overall 0..1; the product-like blend of `qualityParts`, used to gate matching. */
  quality: number;
  qualityParts: QualityBreakdown;
  /** L2-normalised embedding, present only when it was asked for. */
  embedding?: Float32Array;
}
