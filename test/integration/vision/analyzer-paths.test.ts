import { readFileSync } from 'node:fs';
import { parseConfig } from '../../../src/config/load-config';
import type { AnalyzedFace } from '../../../src/domain/face';
import { decodeImage } from '../../../src/images/decode-image';
import { defaultModelsDir, loadManifest } from '../../../src/models/model-manifest';
import { createFaceAnalyzer, engineOptions } from '../../../src/vision/create-face-analyzer';
import { type FaceAnalyzer, toFrameRef } from '../../../src/vision/face-analyzer';
import { FaceEngine } from '../../../src/vision/face-engine';
import { loadOnnxFaceModels } from '../../../src/vision/onnx/onnx-face-models';
import { fixture } from '../../helpers/fixtures';
import { matchDetections } from '../../helpers/ground-truth';

/**
 * The worker pool takes two routes to the same answer: a few faces are analysed by the worker that
 * detected them (one task), many are spread over every worker. Both must equal the inline engine,
 * real models throughout. And skipping the finest pyramid level must lose only small faces.
 */
const limits = { maxPixels: 5e7, maxBytes: 5e7 };
const config = parseConfig({});

function summary(faces: AnalyzedFace[]) {
  return faces
    .map((f) => ({
      box: [f.box.x, f.box.y, f.box.w, f.box.h].map((v) => Math.round(v * 100) / 100),
      landmarks: f.landmarks.flat().map((v) => Math.round(v * 100) / 100),
      quality: Math.round(f.quality * 1e4) / 1e4,
    }))
    .sort((a, b) => a.box[0]! - b.box[0]! || a.box[1]! - b.box[1]!);
}

describe('FaceAnalyzer routes on the worker pool', () => {
  let pool: FaceAnalyzer;
  let inline: FaceAnalyzer;

  beforeAll(async () => {
    pool = await createFaceAnalyzer(config, { workers: 2 });
    inline = await createFaceAnalyzer(config, { mode: 'inline' });
  }, 120_000);

  afterAll(async () => {
    await pool?.close();
    await inline?.close();
  });

  it.each([
    ['a few faces (one task)', fixture('dlib_faces', '2007_007763.jpg'), 1],
    ['100 faces (split over the workers)', fixture('mosaic', 'mosaic-100.jpg'), 3],
  ])(
    'gives the inline engine’s faces for %s',
    async (_name, file, tasks) => {
      const image = await decodeImage(readFileSync(file), limits);
      const before = pool.workerStats()!.completed;
      const viaPool = await pool.detectFaces(toFrameRef(image));
      expect(pool.workerStats()!.completed - before).toBe(tasks);
      const viaInline = await inline.detectFaces(toFrameRef(image));
      expect(viaPool.faces.length).toBeGreaterThan(0);
      expect(summary(viaPool.faces)).toEqual(summary(viaInline.faces));
      expect(viaPool.levelFloors).toEqual(viaInline.levelFloors);
    },
    120_000,
  );

  it('skipping the finest level loses only faces below the coarse floor', async () => {
    const image = await decodeImage(readFileSync(fixture('mosaic', 'mosaic-100.jpg')), limits);
    const frame = toFrameRef(image);
    const full = await pool.detectFaces(frame);
    const coarse = await pool.detectFaces(frame, { skipLevels: 1 });
    const floor = coarse.levelFloors[1];
    expect(floor).toBeDefined();
    // The mosaic's faces are 24-96 px: some are below the floor, so the skip is real.
    expect(coarse.faces.length).toBeLessThan(full.faces.length);
    const big = full.faces.filter((f) => Math.min(f.box.w, f.box.h) >= floor! * 1.5).map((f) => f.box);
    expect(big.length).toBeGreaterThan(10);
    const m = matchDetections(
      big,
      coarse.faces.map((f) => f.box),
      0.4,
    );
    expect(m.recall).toBe(1);
  }, 120_000);

  it('embedding the faces detectFaces returned reuses their landmarks: same vectors as recomputing them', async () => {
    const image = await decodeImage(readFileSync(fixture('dlib_faces', '2007_007763.jpg')), limits);
    const frame = toFrameRef(image);
    const { faces } = await pool.detectFaces(frame);
    expect(faces.length).toBeGreaterThan(1);
    const reused = await pool.embedFaces(frame, faces);
    const recomputed = await pool.embedFaces(
      frame,
      faces.map(({ box, score }) => ({ box, score })),
    );
    reused.forEach((v, i) => {
      expect(Array.from(v)).toEqual(Array.from(recomputed[i]!));
    });
  }, 120_000);

  it('FaceEngine.analyze runs the landmark model only for faces without landmarks', async () => {
    const models = await loadOnnxFaceModels(loadManifest(), {
      modelsDir: defaultModelsDir(),
      intraOpThreads: 1,
      executionProvider: 'cpu',
      download: false,
    });
    let landmarkRuns = 0;
    const infer = models.landmarker.infer.bind(models.landmarker);
    models.landmarker.infer = (input, batch) => {
      landmarkRuns++;
      return infer(input, batch);
    };
    const engine = new FaceEngine(models, engineOptions(config));
    const image = await decodeImage(
      readFileSync(fixture('face_recognition', 'lin-manuel-miranda.png')),
      limits,
    );
    const dets = await engine.detect(image);
    const first = await engine.analyze(image, dets, { embed: false });
    expect(landmarkRuns).toBe(1);
    const again = await engine.analyze(image, first, { embed: true });
    expect(landmarkRuns).toBe(1);
    expect(again.map((f) => f.quality)).toEqual(first.map((f) => f.quality));
    expect(again[0]!.embedding).toHaveLength(512);
  }, 120_000);

  it('with only the coarsest level left (any larger skip is clamped to it), still finds a portrait face', async () => {
    const image = await decodeImage(
      readFileSync(fixture('face_recognition', 'lin-manuel-miranda.png')),
      limits,
    );
    const frame = toFrameRef(image);
    const full = await pool.detectFaces(frame);
    const coarsest = await pool.detectFaces(frame, { skipLevels: 99 });
    expect(full.levelFloors.length).toBeGreaterThan(1);
    const big = full.faces.filter((f) => Math.min(f.box.w, f.box.h) >= full.levelFloors.at(-1)! * 1.5);
    expect(big.length).toBeGreaterThan(0);
    const m = matchDetections(
      big.map((f) => f.box),
      coarsest.faces.map((f) => f.box),
      0.5,
    );
    expect(m.recall).toBe(1);
  }, 120_000);
});
