import type { LocatedFace } from '../domain/face';
import type { RgbImage } from '../domain/image';
import type { EngineFace, FaceEngine } from './face-engine';
import type { BackendDetectOptions, DetectResult, VisionBackend } from './vision-backend';
import type { FrameRef } from './vision-protocol';

/** Runs the engine on the calling thread. Blocks the event loop during inference: not for servers. */
export class EngineBackend implements VisionBackend {
  readonly parallelism = 1;
  private last: { id: number; image: RgbImage } | undefined;

  constructor(private readonly engine: FaceEngine) {}

  async detect(frame: FrameRef, o: BackendDetectOptions = {}): Promise<DetectResult> {
    const image = this.image(frame);
    const detections = await this.engine.detect(image, o);
    const levelFloors = this.engine.levelFloors(frame.width, frame.height);
    if (detections.length > (o.analyzeUpTo ?? 0)) return { detections, levelFloors };
    const faces = await this.engine.analyze(image, detections, { embed: false });
    return { detections, levelFloors, faces };
  }

  analyze(frame: FrameRef, detections: LocatedFace[], embed: boolean): Promise<EngineFace[]> {
    return this.engine.analyze(this.image(frame), detections, { embed });
  }

  async close(): Promise<void> {}

  private image(frame: FrameRef): RgbImage {
    if (this.last?.id !== frame.id) this.last = { id: frame.id, image: frame };
    return this.last.image;
  }
}
