import type { Detection, LocatedFace } from '../domain/face';
import type { DetectOptions, EngineFace } from './face-engine';

export interface BackendDetectOptions extends DetectOptions {
  /** Also analyse (landmarks, quality; no embedding) when at most this many faces are found. */
  analyzeUpTo?: number;
}

export interface DetectResult {
  detections: Detection[];
  /** FaceEngine.levelFloors for this frame's size. */
  levelFloors: number[];
  /** The detections analysed, in order, when there were at most `analyzeUpTo`. */
  faces?: EngineFace[];
}

import type { FrameRef } from './vision-protocol';

/** Where detection and analysis run: in this thread (tests, benchmarks) or on a worker pool. */
export interface VisionBackend {
  /** How many analyze calls can usefully run at once. */
  readonly parallelism: number;
  detect(frame: FrameRef, o?: BackendDetectOptions): Promise<DetectResult>;
  analyze(frame: FrameRef, detections: LocatedFace[], embed: boolean): Promise<EngineFace[]>;
  /** Worker pool numbers, when there is a pool. */
  stats?(): {
    size: number;
    busy: number;
    completed: number;
    crashes: number;
    restarts: number;
    failed: number;
  };
  /** For tests only: the live worker threads, when there is a pool. */
  workersForTesting?(): readonly import('node:worker_threads').Worker[];
  close(): Promise<void>;
}
