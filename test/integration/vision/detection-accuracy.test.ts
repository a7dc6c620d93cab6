import { readFileSync } from 'node:fs';
import { parseConfig } from '../../../src/config/load-config';
import { decodeImage } from '../../../src/images/decode-image';
import { createFaceAnalyzer } from '../../../src/vision/create-face-analyzer';
import type { FaceAnalyzer } from '../../../src/vision/face-analyzer';
import { fixture } from '../../helpers/fixtures';
import { loadDlibBoxes, loadMosaic, matchDetections } from '../../helpers/ground-truth';

const limits = { maxPixels: 5e7, maxBytes: 5e7 };

describe('detection accuracy with the real models (default configuration)', () => {
  let analyzer: FaceAnalyzer;

  beforeAll(async () => {
    analyzer = await createFaceAnalyzer(parseConfig({}), { workers: 2 });
  });

  afterAll(async () => {
    await analyzer?.close();
  });

  it('finds the hand-labelled dlib faces: recall >= 0.98 at IoU >= 0.4, precision >= 0.95', async () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const im of loadDlibBoxes(fixture('dlib_faces', 'training.xml'))) {
      const image = await decodeImage(readFileSync(im.path), limits);
      const { faces } = await analyzer.analyze(image, { embed: false });
      const m = matchDetections(
        im.boxes,
        faces.map((f) => f.box),
        0.4,
      );
      tp += m.tp;
      fp += m.fp;
      fn += m.fn;
    }
    expect(tp + fn).toBe(18);
    expect(tp / (tp + fn)).toBeGreaterThanOrEqual(0.98);
    expect(tp / (tp + fp)).toBeGreaterThanOrEqual(0.95);
  });

  it('finds >= 98 of the 100 faces (24-96 px) in the 1920x1080 mosaic with <= 2 false positives', async () => {
    const truth = loadMosaic(fixture('mosaic', 'mosaic-100.json'));
    const image = await decodeImage(readFileSync(fixture('mosaic', 'mosaic-100.jpg')), limits);
    expect([image.width, image.height]).toEqual([1920, 1080]);
    const { faces } = await analyzer.analyze(image, { embed: false });
    const m = matchDetections(
      truth.faces.map((f) => f.box),
      faces.map((f) => f.box),
      0.4,
    );
    expect(m.tp).toBeGreaterThanOrEqual(98);
    expect(m.fp).toBeLessThanOrEqual(2);
  });

  it('rejects the hand in two_people.jpg and keeps both faces', async () => {
    const image = await decodeImage(readFileSync(fixture('face_recognition', 'two_people.jpg')), limits);
    const { faces, rejected } = await analyzer.analyze(image, { embed: false });
    expect(faces).toHaveLength(2);
    expect(rejected).toBeGreaterThanOrEqual(1);
  });

  it('honours maxFaces', async () => {
    const few = await createFaceAnalyzer(parseConfig({ vision: { detector: { maxFaces: 5 } } }), {
      workers: 1,
    });
    try {
      const image = await decodeImage(readFileSync(fixture('mosaic', 'mosaic-100.jpg')), limits);
      const { faces } = await few.analyze(image, { embed: false });
      expect(faces).toHaveLength(5);
      // the five best-scoring ones
      expect(faces.every((f) => f.score >= 0.9)).toBe(true);
    } finally {
      await few.close();
    }
  });
});
