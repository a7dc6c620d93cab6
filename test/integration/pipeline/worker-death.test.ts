import path from 'node:path';
import type { AlertInput } from '../../../src/alerts/alert-messages';
import { readImageFile } from '../../../src/cli/image-file';
import type { Gallery } from '../../../src/gallery/gallery';
import { resolveFfmpeg } from '../../../src/ingest/ffmpeg/ffmpeg-binary';
import { STREAM_DEFAULTS } from '../../../src/ingest/stream-options';
import type { Logger } from '../../../src/logging/create-logger';
import { StreamRuntime } from '../../../src/pipeline/stream-runtime';
import { visionWorkerData } from '../../../src/vision/create-face-analyzer';
import { FaceAnalyzer } from '../../../src/vision/face-analyzer';
import { PoolBackend } from '../../../src/vision/pool-backend';
import { ENROLLER, openTestGallery, tempDir, testConfig } from '../../helpers/gallery-fixtures';
import { until } from '../../helpers/serve-process';

/**
 * A vision worker thread dies mid-frame (it exits in the middle of a task while the stream's
 * frames are being analysed): the pool replaces it, the stream goes on and still alerts, and the
 * failure is counted and logged once. Real FFmpeg, real worker threads and models, real gallery.
 */
const FIXTURES = path.resolve(__dirname, '../../fixtures/face_recognition');

describe('a vision worker that dies mid-frame', () => {
  const tmp = tempDir('worker-death');
  let analyzer: FaceAnalyzer | undefined;
  let gallery: Gallery | undefined;
  let runtime: StreamRuntime | undefined;

  afterAll(async () => {
    await runtime?.stop();
    await analyzer?.close();
    await gallery?.close();
    tmp.cleanup();
  }, 60_000);

  it('is replaced; the stream goes on and alerts; the error is counted and logged once', async () => {
    const config = testConfig(tmp.dir, { vision: { workers: { count: 2 } } });
    // A worker dies in the middle of a frame's task (its 40th, well after the stream is live).
    // Not Worker.terminate() from outside: doing that while onnxruntime-node has a run in flight
    // can abort the whole process (seen once in CI), so the worker exits before inference.
    const backend = await PoolBackend.start({
      workers: 2,
      queueLimit: config.vision.workers.queueLimit,
      workerData: {
        ...visionWorkerData(config),
        testFault: { exitOnRequest: 40, fired: new SharedArrayBuffer(4) },
      },
    });
    analyzer = new FaceAnalyzer(backend, {
      maxFaces: config.vision.detector.maxFaces,
      minLandmarkPlausibility: config.vision.detector.minLandmarkPlausibility,
    });
    gallery = openTestGallery(tmp.dir);
    const ref = await readImageFile(path.join(FIXTURES, 'lin-manuel-miranda.png'), {
      maxPixels: 50e6,
      maxBytes: 50e6,
    });
    const refFace = (await analyzer.analyze(ref, { embed: true })).faces.sort(
      (a, b) => b.box.w - a.box.w,
    )[0]!;
    const demo = gallery.enrolTemplates({ name: 'Lin-Manuel Miranda', ...ENROLLER }, [
      { embedding: refFace.embedding! },
    ]).identity.id;

    const warnings: Array<Record<string, unknown>> = [];
    const logger = {
      warn: (o: Record<string, unknown>, msg: string) => warnings.push({ ...o, msg }),
      info: () => {},
      debug: () => {},
      error: () => {},
      trace: () => {},
      fatal: () => {},
      child: () => logger,
    } as unknown as Logger;
    const errors: string[] = [];
    const alerts: AlertInput[] = [];
    runtime = new StreamRuntime(
      { ...STREAM_DEFAULTS, id: 'cam1', url: path.join(FIXTURES, 'short_hamilton_clip.mp4') },
      {
        ffmpeg: await resolveFfmpeg(),
        logger,
        vision: analyzer,
        gallery,
        sink: {
          alert: async (a) => {
            alerts.push(a);
            return alerts.length;
          },
          update: async () => {},
        },
        analysis: {},
        onFrameError: (_id, code) => errors.push(code),
      },
    );
    runtime.start();
    const rt = runtime;
    await until('frames analysed', 120_000, () => (rt.info(true).framesAnalysed >= 5 ? true : undefined));

    const a = analyzer;
    await until('the failed frame', 180_000, () => (errors.length > 0 ? true : undefined));
    const analysedAtCrash = rt.info(true).framesAnalysed;

    await until('the pool replacing the worker', 60_000, () => {
      const s = a.workerStats();
      return s && s.size === 2 && s.crashes >= 1 ? true : undefined;
    });
    await until('frames analysed after the crash', 120_000, () =>
      rt.info(true).framesAnalysed >= analysedAtCrash + 10 ? true : undefined,
    );
    expect(errors).toEqual(['ARGUS_E_WORKER_CRASHED']);
    expect(warnings.filter((w) => w.msg === 'frame analysis failed')).toHaveLength(1);
    expect(rt.info(true).state).toBe('live');

    // Still doing its job: the performer in the clip is alerted.
    await until('an alert for the performer', 120_000, () =>
      alerts.some((x) => x.identity.id === demo) ? true : undefined,
    );
  }, 400_000);
});
