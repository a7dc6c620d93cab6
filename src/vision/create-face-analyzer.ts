import type { ArgusConfig } from '../config/config-schema';
import { defaultManifestPath, defaultModelsDir, loadManifest } from '../models/model-manifest';
import type { PoolLogger } from '../pool/worker-pool';
import { EngineBackend } from './engine-backend';
import { FaceAnalyzer } from './face-analyzer';
import { type EngineOptions, FaceEngine } from './face-engine';
import { loadOnnxFaceModels } from './onnx/onnx-face-models';
import { PoolBackend } from './pool-backend';
import type { VisionWorkerData } from './vision-protocol';

export interface CreateAnalyzerOptions {
  /** 'pool' (default) runs inference on worker threads; 'inline' on this thread (benchmarks, tools). */
  mode?: 'pool' | 'inline';
  /** Overrides vision.workers.count, e.g. a CLI call on one small image needs one worker. */
  workers?: number;
  logger?: PoolLogger;
}

export function engineOptions(config: Readonly<ArgusConfig>): EngineOptions {
  const d = config.vision.detector;
  return {
    detector: {
      scoreThreshold: d.scoreThreshold,
      nmsIou: d.nmsIou,
      maxFaces: d.maxFaces,
      minFaceSize: d.minFaceSize,
      baseSize: d.baseSize,
      maxLevelFaceSize: d.maxLevelFaceSize,
    },
    quality: { ...config.vision.quality },
    embedBatchSize: config.vision.embedBatchSize,
  };
}

export function visionWorkerData(config: Readonly<ArgusConfig>): VisionWorkerData {
  return {
    manifestPath: defaultManifestPath(),
    modelsDir: config.models.dir ?? defaultModelsDir(),
    download: config.models.download,
    intraOpThreads: config.vision.workers.intraOpThreads,
    executionProvider: config.vision.workers.executionProvider,
    engine: engineOptions(config),
  };
}

/** Builds the analyzer the configuration asks for, with its models loaded. */
export async function createFaceAnalyzer(
  config: Readonly<ArgusConfig>,
  o: CreateAnalyzerOptions = {},
): Promise<FaceAnalyzer> {
  const analyzerOptions = {
    maxFaces: config.vision.detector.maxFaces,
    minLandmarkPlausibility: config.vision.detector.minLandmarkPlausibility,
  };
  const data = visionWorkerData(config);
  if (o.mode === 'inline') {
    const models = await loadOnnxFaceModels(loadManifest(data.manifestPath), data);
    return new FaceAnalyzer(new EngineBackend(new FaceEngine(models, data.engine)), analyzerOptions);
  }
  const backend = await PoolBackend.start({
    workers: o.workers ?? config.vision.workers.count,
    queueLimit: config.vision.workers.queueLimit,
    workerData: data,
    ...(o.logger ? { logger: o.logger } : {}),
  });
  return new FaceAnalyzer(backend, analyzerOptions);
}
