import type { AnalyzedFace, Detection, LocatedFace } from '../domain/face';
import type { FivePoints } from '../domain/geometry';
import type { RgbImage } from '../domain/image';
import { estimateSimilarity, type Similarity, similarityScale } from './align/similarity-transform';
import { warpFace } from './align/warp-face';
import { decodeBoxes } from './detect/decode-boxes';
import { nms, suppressContained } from './detect/nms';
import { generatePriors } from './detect/priors';
import { type PyramidLevel, planPyramid } from './detect/pyramid-plan';
import { l2NormalizeRows } from './embed/vector-math';
import type { FaceModels } from './inference-port';
import { fivePointsFrom68, landmarkPlausibility } from './landmarks/five-points';
import { cropPointsToImage, landmarkCrop } from './landmarks/landmark-crop';
import { MipChain } from './preprocess/mip-chain';
import { resizeToTensor } from './preprocess/resize-to-tensor';
import { TensorPool } from './preprocess/tensor-pool';
import { combineQuality, poseScore, sharpnessScore, sizeScore } from './quality/face-quality';

export interface EngineOptions {
  detector: {
    scoreThreshold: number;
    nmsIou: number;
    maxFaces: number;
    minFaceSize: number;
    baseSize: number;
    maxLevelFaceSize: number;
  };
  quality: { minFaceSizeForId: number; goodFaceSize: number };
  embedBatchSize: number;
}

/** A face after landmarks; `plausibility` lets the caller drop non-faces before trusting it. */
export interface DetectOptions {
  /** Leave out this many of the finest pyramid levels (the coarsest always runs): see FaceEngine.detect. */
  skipLevels?: number;
}

export interface EngineFace extends AnalyzedFace {
  plausibility: number;
}

/** Smallest face, in network pixels, the Ultra-Light detector finds reliably (its smallest prior is 10). */
const MIN_NET_FACE = 12;
/** A box more than this share inside a bigger box is a part of that face seen on a finer level. */
const CONTAINED_FRACTION = 0.6;
/** Detections kept beyond maxFaces so that landmark filtering can still fill the quota. */
const CANDIDATE_SLACK = 1.2;

/**
 * The per-image vision pipeline over abstract models: pyramid detection, landmarks, alignment,
 * quality and embeddings. Stateless between calls except for the mip chain of the last image.
 */
export class FaceEngine {
  private lastImage: RgbImage | undefined;
  private lastMips: MipChain | undefined;
  private readonly tensors = new TensorPool();

  constructor(
    private readonly models: FaceModels,
    private readonly options: EngineOptions,
  ) {}

  /**
   * Faces of every size from the configured minFaceSize up. With `skipLevels` k, the k finest
   * (largest, costliest) pyramid levels are left out: faces below levelFloors()[k] are not looked
   * for.
   */
  async detect(img: RgbImage, o: DetectOptions = {}): Promise<Detection[]> {
    const det = this.models.detector;
    const mips = this.mips(img);
    const plan = this.plan(img.width, img.height);
    const skip = Math.min(Math.max(0, Math.floor(o.skipLevels ?? 0)), plan.length - 1);
    const levels = skip > 0 ? plan.slice(0, plan.length - skip) : plan;
    const { scoreThreshold, nmsIou, maxFaces } = this.options.detector;
    const all: Detection[] = [];
    for (const level of levels) {
      const { image, factor } = mips.pick(level.scale);
      // resizeToTensor writes every element (content and padding), so a reused buffer is safe.
      const input = this.tensors.take(3 * level.inputWidth * level.inputHeight);
      resizeToTensor(
        image,
        {
          sx: 0,
          sy: 0,
          sw: image.width,
          sh: image.height,
          dw: level.contentWidth,
          dh: level.contentHeight,
          tw: level.inputWidth,
          th: level.inputHeight,
        },
        det.spec,
        input,
      );
      let out: { scores: Float32Array; regression: Float32Array };
      try {
        out = await det.infer(input, level.inputHeight, level.inputWidth);
      } finally {
        this.tensors.give(input);
      }
      const { scores, regression } = out;
      const priors = generatePriors(level.inputWidth, level.inputHeight, det.priors);
      if (scores.length !== (priors.length / 4) * 2 || regression.length !== priors.length) {
        throw new Error(
          `detector output size ${scores.length / 2} does not match ${priors.length / 4} priors at ${level.inputWidth}x${level.inputHeight}`,
        );
      }
      const found = decodeBoxes(scores, regression, priors, {
        inputWidth: level.inputWidth,
        inputHeight: level.inputHeight,
        // A mip level may be a pixel short of an exact halving: scale per axis from what was resized.
        scaleX: level.contentWidth / (image.width / factor),
        scaleY: level.contentHeight / (image.height / factor),
        scoreThreshold,
        centerVariance: det.priors.centerVariance,
        sizeVariance: det.priors.sizeVariance,
        maxNetSize: level.maxNetSize,
        imageWidth: img.width,
        imageHeight: img.height,
      });
      all.push(...nms(found, nmsIou));
    }
    const merged = suppressContained(nms(all, nmsIou), CONTAINED_FRACTION);
    return merged.slice(0, Math.ceil(maxFaces * CANDIDATE_SLACK));
  }

  /**
   * The smallest face (image px) that detect() finds in a width x height image with k finest
   * levels left out, at index k (so the length is the level count, and index 0 is minFaceSize).
   */
  levelFloors(width: number, height: number): number[] {
    const plan = this.plan(width, height);
    return plan.map((_, k) =>
      k === 0 ? this.options.detector.minFaceSize : MIN_NET_FACE / plan[plan.length - 1 - k]!.scale,
    );
  }

  private plan(width: number, height: number): PyramidLevel[] {
    const o = this.options.detector;
    return planPyramid(width, height, {
      baseSize: o.baseSize,
      minFaceSize: o.minFaceSize,
      minNetFace: MIN_NET_FACE,
      maxLevelFaceSize: o.maxLevelFaceSize,
      align: this.models.detector.align,
    });
  }

  /**
   * Landmarks, alignment, quality and (optionally) embeddings for the given detections. Landmarks
   * the faces carry are reused: they must come from this same image (the model is deterministic,
   * so the result is what recomputing them would give).
   */
  async analyze(
    img: RgbImage,
    dets: readonly LocatedFace[],
    opts: { embed: boolean },
  ): Promise<EngineFace[]> {
    if (dets.length === 0) return [];
    const mips = this.mips(img);
    const known = dets.every((d) => d.landmarks !== undefined);
    const landmarks = known ? dets.map((d) => d.landmarks!) : await this.landmarks(mips, dets);
    const emb = this.models.embedder;
    const faces: EngineFace[] = [];
    const aligned: RgbImage[] = [];
    dets.forEach((d, i) => {
      const five = landmarks[i]!;
      // Landmarks are in pixel-edge coordinates, the template in pixel-index ones.
      const t = estimateSimilarity(
        five.map(([x, y]) => [x - 0.5, y - 0.5] as const),
        emb.template,
      );
      const face = this.warp(mips, t, emb.inputSize);
      aligned.push(face);
      const qualityParts = {
        size: sizeScore(d.box.w, this.options.quality),
        sharpness: sharpnessScore(face),
        pose: poseScore(five),
      };
      faces.push({
        box: d.box,
        score: d.score,
        landmarks: five,
        quality: combineQuality(qualityParts),
        qualityParts,
        plausibility: landmarkPlausibility(five, d.box),
      });
    });
    if (opts.embed) {
      const embeddings = await this.embedAligned(aligned);
      faces.forEach((f, i) => {
        f.embedding = embeddings[i];
      });
    }
    return faces;
  }

  private async landmarks(mips: MipChain, dets: readonly Detection[]): Promise<FivePoints[]> {
    const lm = this.models.landmarker;
    const s = lm.inputSize;
    const per = s * s * (lm.spec.colorOrder === 'GREY' ? 1 : 3);
    const input = new Float32Array(per * dets.length);
    const crops = dets.map((d, i) => {
      const crop = landmarkCrop(d.box);
      const { image, factor } = mips.pick(s / crop.w);
      resizeToTensor(
        image,
        {
          sx: crop.x * factor,
          sy: crop.y * factor,
          sw: crop.w * factor,
          sh: crop.h * factor,
          dw: s,
          dh: s,
          tw: s,
          th: s,
        },
        lm.spec,
        input,
        i * per,
      );
      return crop;
    });
    const out = await lm.infer(input, dets.length);
    return crops.map((crop, i) =>
      fivePointsFrom68(cropPointsToImage(out, i * lm.points * 2, lm.points, crop)),
    );
  }

  private warp(mips: MipChain, t: Similarity, size: number): RgbImage {
    const { image, factor } = mips.pick(similarityScale(t));
    // Re-express t on the mip level's pixel indices: image index = (level index + 0.5) / factor - 0.5.
    const c = 0.5 / factor - 0.5;
    return warpFace(
      image,
      { a: t.a / factor, b: t.b / factor, tx: t.tx + (t.a - t.b) * c, ty: t.ty + (t.b + t.a) * c },
      size,
    );
  }

  /** Embeds aligned faces in batches; returns one L2-normalised vector per face. */
  async embedAligned(faces: readonly RgbImage[]): Promise<Float32Array[]> {
    const emb = this.models.embedder;
    const s = emb.inputSize;
    const per = 3 * s * s;
    const result: Float32Array[] = [];
    for (let start = 0; start < faces.length; start += this.options.embedBatchSize) {
      const batch = faces.slice(start, start + this.options.embedBatchSize);
      const input = this.tensors.take(per * batch.length);
      batch.forEach((f, i) => {
        resizeToTensor(
          f,
          { sx: 0, sy: 0, sw: s, sh: s, dw: s, dh: s, tw: s, th: s },
          emb.spec,
          input,
          i * per,
        );
      });
      let out: Float32Array;
      try {
        out = await emb.infer(input, batch.length);
      } finally {
        this.tensors.give(input);
      }
      l2NormalizeRows(out, emb.dim);
      for (let i = 0; i < batch.length; i++) result.push(out.slice(i * emb.dim, (i + 1) * emb.dim));
    }
    return result;
  }

  private mips(img: RgbImage): MipChain {
    if (this.lastImage !== img || !this.lastMips) {
      this.lastImage = img;
      this.lastMips = new MipChain(img);
    }
    return this.lastMips;
  }
}
