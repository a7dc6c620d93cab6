import type { Detection } from '../domain/face';
import type { EngineFace } from './face-engine';
import type { FrameRef } from './vision-protocol';

/** Where detection and analysis run: in this thread (tests, benchmarks) or on a worker pool. */
export interface VisionBackend {
  /** How many analyze calls can usefully run at once. */
  readonly parallelism: number;
  detect(frame: FrameRef): Promise<Detection[]>;
  analyze(frame: FrameRef, detections: Detection[], embed: boolean): Promise<EngineFace[]>;
  close(): Promise<void>;
}
