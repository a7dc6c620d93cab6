import type { AnalyzedFace, Detection } from '../domain/face';
import type { RgbImage } from '../domain/image';
import type { VisionBackend } from './vision-backend';
import type { FrameRef } from './vision-protocol';

export interface AnalyzerOptions {
  maxFaces: number;
  minLandmarkPlausibility: number;
}

export interface AnalyzeResult {
  faces: AnalyzedFace[];
  /** Detections dropped because their landmarks did not look like a face. */
  rejected: number;
}

let nextFrameId = 1;

/**
 * Turns an image into faces: one detection pass, then landmarks/alignment/embedding split across
 * the backend's workers, so a 100-face frame uses every core.
 */
export class FaceAnalyzer {
  constructor(
    private readonly backend: VisionBackend,
    private readonly options: AnalyzerOptions,
  ) {}

  async analyze(image: RgbImage, opts: { embed: boolean }): Promise<AnalyzeResult> {
    const frame = toFrameRef(image);
    const detections = await this.backend.detect(frame);
    const chunks = splitForWorkers(detections, this.backend.parallelism);
    const parts = await Promise.all(chunks.map((c) => this.backend.analyze(frame, c, opts.embed)));
    const all = parts.flat();
    const plausible = all.filter((f) => f.plausibility >= this.options.minLandmarkPlausibility);
    const faces = plausible
      .sort((a, b) => b.score - a.score)
      .slice(0, this.options.maxFaces)
      .map(({ plausibility: _p, ...face }) => face);
    return { faces, rejected: all.length - plausible.length };
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

/** Copies pixels onto shared memory once, so every worker reads the same frame without a copy. */
export function toFrameRef(image: RgbImage): FrameRef {
  let data = image.data;
  if (!(data.buffer instanceof SharedArrayBuffer)) {
    const shared = new Uint8Array(new SharedArrayBuffer(data.length));
    shared.set(data);
    data = shared;
  }
  return { id: nextFrameId++, width: image.width, height: image.height, data };
}

/** Deals detections round-robin so each worker gets a similar mix of large and small faces. */
export function splitForWorkers(dets: readonly Detection[], parts: number): Detection[][] {
  const n = Math.max(1, Math.min(parts, dets.length));
  const chunks: Detection[][] = Array.from({ length: n }, () => []);
  dets.forEach((d, i) => {
    chunks[i % n]!.push(d);
  });
  return dets.length === 0 ? [] : chunks;
}
