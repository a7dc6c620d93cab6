/**
 * Vision worker thread: owns one set of ONNX Runtime sessions and answers detect/analyze tasks.
 * Inference must not run on the main thread (session.run() keeps its event loop busy).
 */
import { workerData } from 'node:worker_threads';
import type { RgbImage } from '../src/domain/image';
import { loadManifest } from '../src/models/model-manifest';
import { serveTasks } from '../src/pool/pool-protocol';
import { FaceEngine } from '../src/vision/face-engine';
import { loadOnnxFaceModels } from '../src/vision/onnx/onnx-face-models';
import type {
  FrameRef,
  VisionRequest,
  VisionResponse,
  VisionWorkerData,
} from '../src/vision/vision-protocol';

serveTasks<VisionRequest, VisionResponse>(async () => {
  const data = workerData as VisionWorkerData;
  const models = await loadOnnxFaceModels(loadManifest(data.manifestPath), {
    modelsDir: data.modelsDir,
    intraOpThreads: data.intraOpThreads,
    executionProvider: data.executionProvider,
    download: data.download,
  });
  const engine = new FaceEngine(models, data.engine);
  // The same frame arrives once for detection and again for analysis: keep one image object per
  // frame id so the engine reuses its resized copies.
  let last: { id: number; image: RgbImage } | undefined;
  const image = (f: FrameRef): RgbImage => {
    if (last?.id !== f.id) last = { id: f.id, image: { width: f.width, height: f.height, data: f.data } };
    return last.image;
  };
  let requests = 0;
  return async (req) => {
    dieIfInjected(data, ++requests);
    if (req.op === 'detect') {
      const { frame, skipLevels, analyzeUpTo } = req;
      const img = image(frame);
      const detections = await engine.detect(img, { skipLevels });
      const levelFloors = engine.levelFloors(frame.width, frame.height);
      if (detections.length > analyzeUpTo) return { result: { op: 'detect', detections, levelFloors } };
      const faces = await engine.analyze(img, detections, { embed: false });
      return { result: { op: 'detect', detections, levelFloors, faces } };
    }
    const faces = await engine.analyze(image(req.frame), req.detections, { embed: req.embed });
    const transfer = faces.flatMap((f) => (f.embedding ? [f.embedding.buffer as ArrayBuffer] : []));
    return { result: { op: 'analyze', faces }, transfer };
  };
});

/**
 * Fault injection for the worker-death test: the first worker of the pool to reach its Nth task
 * exits mid-task (before inference: terminating a thread while onnxruntime-node has a run in
 * flight can abort the whole process). A shared flag makes it happen once per pool.
 */
function dieIfInjected(data: VisionWorkerData, requests: number): void {
  const fault = data.testFault;
  if (!fault || requests < fault.exitOnRequest) return;
  if (Atomics.compareExchange(new Int32Array(fault.fired), 0, 0, 1) === 0) process.exit(70);
}
