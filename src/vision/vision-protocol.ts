import type { Detection, LocatedFace } from '../domain/face';
import type { EngineFace } from './face-engine';

/**
 * A frame as sent to vision workers. `data` should sit on a SharedArrayBuffer so several workers
 * read one frame without copies; `id` lets a worker reuse its resized copies of the same frame.
 */
export interface FrameRef {
  id: number;
  width: number;
  height: number;
  data: Uint8Array;
}

export type VisionRequest =
  /**
   * Detection; when it finds at most `analyzeUpTo` faces, the same worker also runs landmarks and
   * quality on them (no second task, and the frame's resized copies are reused).
   */
  | { op: 'detect'; frame: FrameRef; skipLevels: number; analyzeUpTo: number }
  | { op: 'analyze'; frame: FrameRef; detections: LocatedFace[]; embed: boolean };

export type VisionResponse =
  | { op: 'detect'; detections: Detection[]; levelFloors: number[]; faces?: EngineFace[] }
  | { op: 'analyze'; faces: EngineFace[] };

/** What a vision worker needs to start: the vision options and where the models are. */
export interface VisionWorkerData {
  manifestPath: string;
  modelsDir: string;
  download: boolean;
  intraOpThreads: number;
  executionProvider: 'cpu' | 'cuda';
  engine: import('./face-engine').EngineOptions;
  /** Tests only: the first worker to reach this task number exits mid-task, once per pool. */
  testFault?: { exitOnRequest: number; fired: SharedArrayBuffer };
}
