import path from 'node:path';
import type { LocatedFace } from '../domain/face';
import { ArgusError } from '../errors/argus-error';
import { type PoolLogger, WorkerPool } from '../pool/worker-pool';
import { packageRoot } from '../util/package-root';
import type { EngineFace } from './face-engine';
import type { BackendDetectOptions, DetectResult, VisionBackend } from './vision-backend';
import type { FrameRef, VisionRequest, VisionResponse, VisionWorkerData } from './vision-protocol';

export interface PoolBackendOptions {
  workers: number;
  queueLimit: number;
  workerData: VisionWorkerData;
  logger?: PoolLogger;
}

/** Worker threads run from the compiled output, whether the caller is compiled or run by jest. */
export function visionWorkerScript(): string {
  return path.join(packageRoot(), 'dist', 'workers', 'vision-worker.js');
}

/** Vision on a pool of worker threads, each with its own ONNX Runtime sessions. */
export class PoolBackend implements VisionBackend {
  readonly parallelism: number;
  private readonly pool: WorkerPool<VisionRequest, VisionResponse>;

  private constructor(o: PoolBackendOptions) {
    this.parallelism = o.workers;
    this.pool = new WorkerPool<VisionRequest, VisionResponse>({
      script: visionWorkerScript(),
      size: o.workers,
      maxQueue: o.queueLimit,
      workerData: o.workerData,
      name: 'vision',
      ...(o.logger ? { logger: o.logger } : {}),
    });
  }

  static async start(o: PoolBackendOptions): Promise<PoolBackend> {
    const backend = new PoolBackend(o);
    await backend.pool.start();
    return backend;
  }

  async detect(frame: FrameRef, o: BackendDetectOptions = {}): Promise<DetectResult> {
    const req = {
      op: 'detect',
      frame,
      skipLevels: o.skipLevels ?? 0,
      analyzeUpTo: o.analyzeUpTo ?? 0,
    } as const;
    const res = await this.pool.run(req, { priority: 'high' });
    if (res.op !== 'detect')
      throw new ArgusError('ARGUS_E_INTERNAL', { reason: `expected detect reply, got ${res.op}` });
    const { detections, levelFloors, faces } = res;
    return faces ? { detections, levelFloors, faces } : { detections, levelFloors };
  }

  async analyze(frame: FrameRef, detections: LocatedFace[], embed: boolean): Promise<EngineFace[]> {
    const res = await this.pool.run({ op: 'analyze', frame, detections, embed });
    if (res.op !== 'analyze')
      throw new ArgusError('ARGUS_E_INTERNAL', { reason: `expected analyze reply, got ${res.op}` });
    return res.faces;
  }

  stats() {
    return this.pool.stats();
  }

  /** For tests only: the live worker threads, e.g. to terminate one mid-frame. */
  workersForTesting() {
    return this.pool.workersForTesting();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
