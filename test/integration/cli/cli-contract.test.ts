import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixture } from '../../helpers/fixtures';
import { runCli } from '../../helpers/run-cli';

type Face = { box: number[]; score: number; landmarks: number[][]; quality: number; embedding?: number[] };

describe('argus CLI contract (real models, real images)', () => {
  it('detect --json prints one object per file with boxes, scores, five landmarks and quality in image pixels', async () => {
    const r = await runCli([
      'detect',
      '--json',
      fixture('face_recognition', 'two_people.jpg'),
      fixture('dlib_faces', '2008_001009.jpg'),
    ]);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(2);
    const [first, second] = r.lines as Array<{ file: string; width: number; height: number; faces: Face[] }>;
    expect(first!.file).toBe(fixture('face_recognition', 'two_people.jpg'));
    expect([first!.width, first!.height]).toEqual([1126, 661]);
    expect(first!.faces).toHaveLength(2);
    for (const f of first!.faces) {
      expect(f.box).toHaveLength(4);
      expect(f.box[0]! + f.box[2]!).toBeLessThanOrEqual(1126);
      expect(f.landmarks).toHaveLength(5);
      // landmarks lie inside their box
      for (const [x, y] of f.landmarks) {
        expect(x).toBeGreaterThan(f.box[0]!);
        expect(x).toBeLessThan(f.box[0]! + f.box[2]!);
        expect(y).toBeGreaterThan(f.box[1]!);
        expect(y).toBeLessThan(f.box[1]! + f.box[3]!);
      }
      expect(f.score).toBeGreaterThan(0.7);
      expect(f.quality).toBeGreaterThan(0.5);
      expect(f.quality).toBeLessThanOrEqual(1);
      expect(f.embedding).toBeUndefined();
    }
    expect(second!.faces).toHaveLength(2);
  });

  it('embed --json adds a unit-length 512-number embedding to each face', async () => {
    const r = await runCli(['embed', '--json', fixture('face_recognition', 'obama_small.jpg')]);
    expect(r.code).toBe(0);
    const faces = (r.lines[0] as { faces: Face[] }).faces;
    expect(faces).toHaveLength(1);
    const e = faces[0]!.embedding!;
    expect(e).toHaveLength(512);
    expect(Math.hypot(...e)).toBeCloseTo(1, 3);
  });

  it('compare --json reports similarity, threshold and match for the largest faces', async () => {
    const same = await runCli([
      'compare',
      '--json',
      fixture('face_recognition', 'knn_examples', 'train', 'obama', 'obama.jpg'),
      fixture('face_recognition', 'knn_examples', 'test', 'obama1.jpg'),
    ]);
    expect(same.code).toBe(0);
    const s = same.lines[0] as { similarity: number; threshold: number; match: boolean };
    expect(s.match).toBe(true);
    expect(s.similarity).toBeGreaterThan(s.threshold);
    const diff = await runCli([
      'compare',
      '--json',
      fixture('face_recognition', 'knn_examples', 'train', 'obama', 'obama.jpg'),
      fixture('face_recognition', 'knn_examples', 'train', 'biden', 'biden.jpg'),
    ]);
    expect(diff.code).toBe(0);
    const d = diff.lines[0] as { similarity: number; threshold: number; match: boolean };
    expect(d.match).toBe(false);
    expect(d.similarity).toBeLessThan(d.threshold);
  });

  it('accepts --data and a --config file, and rejects an unknown config key by name', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'argus-cli-'));
    try {
      const cfg = path.join(dir, 'argus.json');
      writeFileSync(cfg, JSON.stringify({ vision: { detector: { maxFaces: 1 } } }));
      const ok = await runCli([
        '--config',
        cfg,
        '--data',
        dir,
        'detect',
        '--json',
        fixture('face_recognition', 'two_people.jpg'),
      ]);
      expect(ok.code).toBe(0);
      expect((ok.lines[0] as { faces: Face[] }).faces).toHaveLength(1);
      writeFileSync(cfg, JSON.stringify({ vision: { detectr: {} } }));
      const bad = await runCli([
        '--config',
        cfg,
        'detect',
        '--json',
        fixture('face_recognition', 'two_people.jpg'),
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('ARGUS_E_CONFIG_INVALID');
      expect(bad.stderr).toContain('detectr');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing model file and a model with a wrong checksum, without downloading', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'argus-models-'));
    try {
      const models = path.resolve(__dirname, '..', '..', '..', 'models');
      copyFileSync(path.join(models, 'fr_detect.onnx'), path.join(dir, 'fr_detect.onnx'));
      copyFileSync(path.join(models, 'fr_landmark.onnx'), path.join(dir, 'fr_landmark.onnx'));
      const env = { ARGUS_MODELS_DIR: dir, ARGUS_MODELS_DOWNLOAD: '0' };
      const img = fixture('face_recognition', 'obama_small.jpg');
      const missing = await runCli(['detect', '--json', img], { env });
      expect(missing.code).toBe(1);
      expect((missing.lines[0] as { error: { code: string } }).error.code).toBe('ARGUS_E_MODEL_MISSING');
      writeFileSync(path.join(dir, 'fr_feature.onnx'), 'not a model');
      const corrupt = await runCli(['detect', '--json', img], { env });
      expect(corrupt.code).toBe(1);
      const err = (corrupt.lines[0] as { error: { code: string; message: string } }).error;
      expect(err.code).toBe('ARGUS_E_MODEL_CHECKSUM');
      expect(err.message).toContain('fetch-models');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with usage help for an unknown command or missing arguments', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['compare', 'only-one.jpg'])).code).toBe(2);
  });
});
