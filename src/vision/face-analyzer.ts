import type { AnalyzedFace, Detection, LocatedFace } from '../domain/face';
import type { RgbImage } from '../domain/image';
import { ArgusError } from '../errors/argus-error';
import type { EngineFace } from './face-engine';
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
  /**
   * The smallest face (px) detection finds in this frame size with k finest pyramid levels left
   * out (`skipLevels`), at index k.
   */
  levelFloors: number[];
}

export interface DetectFacesOptions {
  /** Also compute embeddings (default false). */
  embed?: boolean;
  /** Leave out this many finest pyramid levels: faces below `levelFloors[skipLevels]` are not looked for. */
  skipLevels?: number;
}

let nextFrameId = 1;

/** See FaceAnalyzer.singleTaskFaces. */
const SINGLE_TASK_FACES = 16;

/**
 * Turns an image into faces: one detection pass, then landmarks/alignment/embedding split across
 * the backend's workers, so a 100-face frame uses every core.
 */
export class FaceAnalyzer {
  constructor(
    private readonly backend: VisionBackend,
    private readonly options: AnalyzerOptions,
  ) {}

  analyze(image: RgbImage, opts: { embed: boolean }): Promise<AnalyzeResult> {
    return this.detectFaces(toFrameRef(image), opts);
  }

  /**
   * Detection, landmarks and quality for every face of a frame; embeddings only when asked. The
   * frame stays on shared memory, so a later `embedFaces` on the same ref costs no copy.
   */
  async detectFaces(frame: FrameRef, opts: DetectFacesOptions = {}): Promise<AnalyzeResult> {
    const embed = opts.embed === true;
    const {
      detections,
      levelFloors,
      faces: analysed,
    } = await this.backend.detect(frame, {
      skipLevels: opts.skipLevels ?? 0,
      analyzeUpTo: embed ? 0 : this.singleTaskFaces(),
    });
    const all = analysed ?? (await this.analyzeSplit(frame, detections, embed));
    const plausible = all.filter((f) => f.plausibility >= this.options.minLandmarkPlausibility);
    const faces = plausible
      .sort((a, b) => b.score - a.score)
      .slice(0, this.options.maxFaces)
      .map(({ plausibility: _p, ...face }) => face);
    return { faces, rejected: all.length - plausible.length, levelFloors };
  }

  /**
   * Embeddings of chosen faces of a frame already seen by `detectFaces` (the embedding budget picks
   * them). Landmarks are recomputed for those faces only: cheaper than shipping them back and forth.
   * Returns one embedding per input face, in order.
   */
  async embedFaces(frame: FrameRef, faces: readonly LocatedFace[]): Promise<Float32Array[]> {
    const engineFaces = await this.analyzeSplit(frame, faces, true);
    return engineFaces.map((f) => {
      if (!f.embedding) throw new ArgusError('ARGUS_E_INTERNAL', { reason: 'embedding missing' });
      return f.embedding;
    });
  }

  /**
   * Up to this many faces, landmarks run in the detecting worker: a second task (and a rebuild of
   * the frame's resized copies in another worker) costs more than splitting saves. Beyond it, the
   * landmark work is spread over every worker (a 100-face frame).
   */
  private singleTaskFaces(): number {
    return this.backend.parallelism > 1 ? SINGLE_TASK_FACES : Number.MAX_SAFE_INTEGER;
  }

  /** Deals detections round-robin across workers and puts the results back in input order. */
  private async analyzeSplit(frame: FrameRef, dets: readonly LocatedFace[], embed: boolean) {
    const n = Math.max(1, Math.min(this.backend.parallelism, dets.length));
    const chunks = splitForWorkers(dets, n);
    const parts = await Promise.all(chunks.map((c) => this.backend.analyze(frame, c, embed)));
    const out: EngineFace[] = new Array(dets.length);
    parts.forEach((part, c) => {
      part.forEach((face, j) => {
        out[j * n + c] = face;
      });
    });
    return out;
  }

  /** Worker pool numbers (threads, busy, crashes replaced); undefined when inference runs inline. */
  workerStats() {
    return this.backend.stats?.();
  }

  /** For tests only: the vision worker threads (none when inference runs inline). */
  workersForTesting() {
    return this.backend.workersForTesting?.() ?? [];
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
