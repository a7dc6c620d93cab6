/**
 * Quick check of bench/faceapi-runner.ts on the labelled fixtures: sweeps face-api's detector
 * settings (detection only), then runs the full chain (detect + landmarks + descriptors) with the
 * runner's defaults on the 100-face mosaic and on dlib's four photos.
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/faceapi-smoke.js [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { Box } from '../src/domain/geometry';
import type { RgbImage } from '../src/domain/image';
import { matchDetections } from '../src/vision/detect/box-match';
import { loadDlibBoxes, loadMosaic } from '../test/helpers/ground-truth';
import { createFaceApiRunner, type FaceApiRunnerOptions } from './faceapi-runner';

const ROOT = resolve(__dirname, __dirname.split(/[\\/]/).includes('dist') ? '../..' : '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');

interface Labelled {
  name: string;
  image: RgbImage;
  truth: Box[];
}

async function decode(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

const SWEEP: Partial<FaceApiRunnerOptions>[] = [
  { detector: 'ssd', minConfidence: 0.3 },
  { detector: 'ssd', minConfidence: 0.5 },
  ...[608, 1024, 1440, 1920, 'native' as const].flatMap((inputSize) =>
    [0.3, 0.4, 0.5].map((minConfidence) => ({ detector: 'tiny' as const, inputSize, minConfidence })),
  ),
];

function label(o: Partial<FaceApiRunnerOptions>): string {
  return o.detector === 'ssd' ? `ssd@${o.minConfidence}` : `tiny${o.inputSize}@${o.minConfidence}`;
}

/** Two runs, the faster kept: the first run at a new input size allocates and is slower. */
async function bestOf2<T extends { detectMs: number }>(run: () => Promise<T>): Promise<T> {
  const a = await run();
  const b = await run();
  return b.detectMs < a.detectMs ? b : a;
}

/** Three runs, the median by total time kept: this 2-core machine is shared and noisy. */
async function medianOf3<T extends { totalMs: number }>(run: () => Promise<T>): Promise<T> {
  const runs = [await run(), await run(), await run()].sort((a, b) => a.totalMs - b.totalMs);
  return runs[1]!;
}

const pct = (v: number) => v.toFixed(2);
const ms = (v: number) => v.toFixed(1);

async function main(): Promise<void> {
  const jsonOut = process.argv.includes('--json')
    ? process.argv[process.argv.indexOf('--json') + 1]
    : undefined;
  const mosaicTruth = loadMosaic(join(FIXTURES, 'mosaic', 'mosaic-100.json'));
  const mosaic: Labelled = {
    name: 'mosaic-100',
    image: await decode(mosaicTruth.imagePath),
    truth: mosaicTruth.faces.map((f) => f.box),
  };
  const dlib: Labelled[] = [];
  for (const im of loadDlibBoxes(join(FIXTURES, 'dlib_faces', 'training.xml'))) {
    dlib.push({ name: im.file, image: await decode(im.path), truth: im.boxes });
  }

  const runner = await createFaceApiRunner();
  const report: Record<string, unknown> = { defaults: runner.options };
  try {
    // Warm-up: the first calls at a new size allocate the WASM heap and are several times slower.
    await runner.analyze(mosaic.image);
    await runner.analyze(mosaic.image);

    console.log('detector sweep (detection only)');
    console.log('setting            | mosaic R / P / ms        | dlib (18 faces) R / P / ms');
    const sweep = [];
    for (const o of SWEEP) {
      const m = await bestOf2(() => runner.detect(mosaic.image, o));
      const mm = matchDetections(mosaic.truth, m.boxes);
      let tp = 0;
      let found = 0;
      let truth = 0;
      let dms = 0;
      for (const d of dlib) {
        const r = await bestOf2(() => runner.detect(d.image, o));
        const dm = matchDetections(d.truth, r.boxes);
        tp += dm.tp;
        found += r.boxes.length;
        truth += d.truth.length;
        dms += r.detectMs;
      }
      const row = {
        setting: label(o),
        mosaic: { recall: mm.recall, precision: mm.precision, detectMs: m.detectMs },
        dlib: { recall: tp / truth, precision: found ? tp / found : 1, detectMs: dms / dlib.length },
      };
      sweep.push(row);
      console.log(
        `${row.setting.padEnd(18)} | ${pct(mm.recall)} / ${pct(mm.precision)} / ${ms(m.detectMs).padStart(7)} | ` +
          `${pct(row.dlib.recall)} / ${pct(row.dlib.precision)} / ${ms(row.dlib.detectMs)}`,
      );
    }
    report.sweep = sweep;

    console.log(
      `\nfull chain with defaults (${label(runner.options)}), median of 3: detect + 68 landmarks + 128-D descriptor`,
    );
    console.log('image              | truth found  TP | recall prec | detect  desc   total ms | ms/face');
    const full = [];
    for (const item of [mosaic, ...dlib]) {
      const tensorsBefore = tf.memory().numTensors;
      const r = await medianOf3(() => runner.analyze(item.image));
      const leakedTensors = tf.memory().numTensors - tensorsBefore;
      const m = matchDetections(item.truth, r.boxes);
      const perFace = r.boxes.length ? r.totalMs / r.boxes.length : 0;
      full.push({
        image: item.name,
        truth: item.truth.length,
        found: r.boxes.length,
        tp: m.tp,
        recall: m.recall,
        precision: m.precision,
        detectMs: r.detectMs,
        descriptorMs: r.descriptorMs,
        totalMs: r.totalMs,
        perFaceMs: perFace,
        leakedTensors,
      });
      console.log(
        `${item.name.padEnd(18)} | ${String(item.truth.length).padStart(5)} ${String(r.boxes.length).padStart(5)} ${String(m.tp).padStart(3)} | ` +
          `${pct(m.recall)}   ${pct(m.precision)} | ${ms(r.detectMs).padStart(6)} ${ms(r.descriptorMs).padStart(6)} ${ms(r.totalMs).padStart(7)} | ${ms(perFace)}`,
      );
    }
    report.full = full;

    // Which faces the default setting misses, by size.
    const found = (await runner.detect(mosaic.image)).boxes;
    const matched = new Set(matchDetections(mosaic.truth, found).pairs.map((p) => p.truth));
    const edges = [0, 36, 48, 60, 72, 84, Number.POSITIVE_INFINITY];
    const bands = edges.slice(1).map((hi, i) => {
      const lo = edges[i]!;
      const idx = mosaic.truth.flatMap((b, j) => (b.w >= lo && b.w < hi ? [j] : []));
      const band = lo === 0 ? `<${hi} px` : hi === Number.POSITIVE_INFINITY ? `>=${lo} px` : `${lo}-${hi} px`;
      return { band, faces: idx.length, recall: idx.filter((j) => matched.has(j)).length / idx.length };
    });
    report.mosaicRecallByWidth = bands;
    console.log(
      `\nmosaic recall by face width: ${bands.map((b) => `${b.band} ${pct(b.recall)}`).join(', ')}`,
    );
  } finally {
    await runner.close();
  }

  // For reference: face-api's chain run on the whole frame tensor, as its README shows it.
  const naive = await createFaceApiRunner({ perFaceCrop: false });
  try {
    await naive.analyze(mosaic.image);
    const r = await medianOf3(() => naive.analyze(mosaic.image));
    const perFace = r.descriptorMs / Math.max(1, r.boxes.length);
    report.mosaicFullFrameChain = { descriptorMs: r.descriptorMs, descriptorMsPerFace: perFace };
    console.log(
      `mosaic, landmarks + descriptors on the full-frame tensor (perFaceCrop: false): ${ms(r.descriptorMs)} ms, ${ms(perFace)} ms/face`,
    );
  } finally {
    await naive.close();
  }
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
