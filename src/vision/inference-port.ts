import type { Point } from '../domain/geometry';
import type { PriorSpec } from './detect/priors';
import type { TensorSpec } from './preprocess/tensor-spec';

/**
 * What the vision core needs from an inference runtime. The ONNX Runtime adapter implements it;
 * the core never imports the runtime, so it is unit-testable and the runtime is swappable.
 */
export interface DetectorModel {
  readonly id: string;
  readonly spec: TensorSpec;
  readonly priors: PriorSpec & { readonly centerVariance: number; readonly sizeVariance: number };
  /** Input sides are padded to a multiple of this. */
  readonly align: number;
  /** One image, CHW, `height` x `width`. */
  infer(
    input: Float32Array,
    height: number,
    width: number,
  ): Promise<{ scores: Float32Array; regression: Float32Array }>;
}

export interface LandmarkModel {
  readonly id: string;
  readonly spec: TensorSpec;
  readonly inputSize: number;
  readonly points: number;
  /** `batch` crops back to back; returns batch x points x 2, crop-relative 0..1. */
  infer(input: Float32Array, batch: number): Promise<Float32Array>;
}

export interface EmbeddingModel {
  readonly id: string;
  readonly spec: TensorSpec;
  readonly inputSize: number;
  readonly dim: number;
  /** Five-point alignment template in input pixels. */
  readonly template: readonly Point[];
  /** `batch` aligned faces back to back; returns batch x dim (not normalised). */
  infer(input: Float32Array, batch: number): Promise<Float32Array>;
}

export interface FaceModels {
  readonly detector: DetectorModel;
  readonly landmarker: LandmarkModel;
  readonly embedder: EmbeddingModel;
}
