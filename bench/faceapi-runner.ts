/**
 * @vladmandic/face-api on tfjs's WASM backend, as a reference to compare Argus with in the vision
 * benchmark. Per face it does what Argus does: detect, 68 landmarks, align, 128-D descriptor.
 * Everything loads from node_modules (the wasm binaries from @tensorflow/tfjs-backend-wasm, the
 * weights from the face-api package's model/ folder): no network.
 */
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import type { Box } from '../src/domain/geometry';
import type { RgbImage } from '../src/domain/image';

export interface FaceApiRunnerOptions {
  /**
   * `tiny`: TinyFaceDetector; the image is padded to a square and resized to `inputSize`.
   * `ssd`: SSD MobileNet v1; the image is padded to a square and resized to 512x512 whatever
   * the input, so faces under ~90 px in a 1080p frame are mostly lost.
   */
  detector: 'tiny' | 'ssd';
  /** Detection score threshold (SSD minConfidence / Tiny scoreThreshold). */
  minConfidence: number;
  /**
   * TinyFaceDetector input side in pixels (a multiple of 32), or `native`: the image's long side
   * rounded up to a multiple of 32, so nothing is downscaled (1920 for 1080p). Ignored by SSD.
   * Above ~2048 the WASM heap runs out (2560 aborts in MaxPool).
   */
  inputSize: number | 'native';
  /** SSD's cap on detections per image. Ignored by Tiny. */
  maxResults: number;
  /**
   * Run face-api's landmark -> align -> descriptor chain on a small crop around each face (the box
   * plus one box size on every side) instead of on the whole frame. Same pixels, same results, but
   * on the WASM backend every `tf.slice` of a frame tensor first copies the whole tensor out of the
   * WASM heap (25 MB for 1080p int32), twice per face: up to ~70 ms of copying per face, which
   * says nothing about the models. `false` measures face-api used naively on the full frame.
   */
  perFaceCrop: boolean;
}

/**
 * Best recall on test/fixtures/mosaic/mosaic-100.jpg (faces 24-96 px in 1920x1080), measured with
 * bench/faceapi-smoke.ts (matchDetections, IoU >= 0.4): TinyFaceDetector at the image's own size
 * (no downscale), threshold 0.3: mosaic recall 0.84, precision 0.93 (0.88 / 0.98 at IoU >= 0.3:
 * Tiny draws head-sized boxes, larger than the labels, on small faces); dlib photos 0.94 / 1.00.
 * SSD MobileNet v1 always works at 512x512: mosaic 0.68 / 0.96 at minConfidence 0.3.
 */
export const FACEAPI_DEFAULTS: Readonly<FaceApiRunnerOptions> = Object.freeze({
  detector: 'tiny',
  minConfidence: 0.3,
  inputSize: 'native',
  maxResults: 500,
  perFaceCrop: true,
});

export interface FaceApiResult {
  boxes: Box[];
  /** Detector only. */
  detectMs: number;
  /** Landmarks, alignment and descriptors for every face found. */
  descriptorMs: number;
  /** Everything, including turning the pixels into a tensor. */
  totalMs: number;
  /** One 128-D descriptor per box, same order. */
  descriptors: Float32Array[];
}

export interface FaceApiRunner {
  readonly options: Readonly<FaceApiRunnerOptions>;
  /** Detection only (for sweeping detector settings cheaply). */
  detect(
    image: RgbImage,
    options?: Partial<FaceApiRunnerOptions>,
  ): Promise<{ boxes: Box[]; detectMs: number }>;
  analyze(image: RgbImage): Promise<FaceApiResult>;
  close(): Promise<void>;
}

/** face-api keeps its networks in module-level singletons: one runner at a time. */
let active = false;

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

function detectorOptions(
  o: FaceApiRunnerOptions,
  image: RgbImage,
): faceapi.SsdMobilenetv1Options | faceapi.TinyFaceDetectorOptions {
  if (o.detector === 'ssd') {
    return new faceapi.SsdMobilenetv1Options({ minConfidence: o.minConfidence, maxResults: o.maxResults });
  }
  const inputSize =
    o.inputSize === 'native' ? Math.ceil(Math.max(image.width, image.height) / 32) * 32 : o.inputSize;
  if (inputSize % 32 !== 0)
    throw new Error(`TinyFaceDetector inputSize must be a multiple of 32, got ${inputSize}`);
  return new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: o.minConfidence });
}

function toBox(b: { x: number; y: number; width: number; height: number }): Box {
  return { x: b.x, y: b.y, w: b.width, h: b.height };
}

/** Copies a rectangle of an rgb24 image (rows are contiguous, so one subarray copy per row). */
function cropRgb(image: RgbImage, x: number, y: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let row = 0; row < h; row++) {
    const from = ((y + row) * image.width + x) * 3;
    out.set(image.data.subarray(from, from + w * 3), row * w * 3);
  }
  return out;
}

type Detection = faceapi.FaceDetection;

/** face-api's own landmarks -> align -> descriptor chain on detections found beforehand. */
async function describe(input: tf.Tensor3D, detections: Detection[]) {
  const withDetection = detections.map((d) => faceapi.extendWithFaceDetection({}, d));
  return new faceapi.DetectAllFaceLandmarksTask(
    Promise.resolve(withDetection),
    input,
    false,
  ).withFaceDescriptors();
}

interface Described {
  box: Box;
  descriptor: Float32Array;
}

/** The same chain, one face at a time, on a crop with one box size of margin (aligned boxes fit). */
async function describeOnCrops(image: RgbImage, detections: Detection[]): Promise<Described[]> {
  const out: Described[] = [];
  for (const d of detections) {
    const b = d.box;
    const m = Math.max(b.width, b.height);
    const x0 = Math.max(0, Math.floor(b.x - m));
    const y0 = Math.max(0, Math.floor(b.y - m));
    const w = Math.min(image.width, Math.ceil(b.x + b.width + m)) - x0;
    const h = Math.min(image.height, Math.ceil(b.y + b.height + m)) - y0;
    const crop = tf.tensor3d(cropRgb(image, x0, y0, w, h), [h, w, 3], 'int32');
    try {
      const rel = new faceapi.Rect((b.x - x0) / w, (b.y - y0) / h, b.width / w, b.height / h);
      const [face] = await describe(crop, [new faceapi.FaceDetection(d.score, rel, { width: w, height: h })]);
      if (face) out.push({ box: toBox(b), descriptor: face.descriptor });
    } finally {
      crop.dispose();
    }
  }
  return out;
}

export async function createFaceApiRunner(
  options: Partial<FaceApiRunnerOptions> = {},
): Promise<FaceApiRunner> {
  if (active) throw new Error('a face-api runner is already open: close it first');
  active = true;
  const opts: Readonly<FaceApiRunnerOptions> = Object.freeze({ ...FACEAPI_DEFAULTS, ...options });
  try {
    // A directory prefix (trailing slash) makes the backend read the .wasm files from disk.
    setWasmPaths(`${join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist')}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs WASM backend failed to initialise');
    await tf.ready();
    const modelDir = join(packageDir('@vladmandic/face-api'), 'model');
    await Promise.all([
      faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir),
      faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir),
      faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir),
      faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir),
    ]);
  } catch (err) {
    active = false;
    throw new Error('cannot start face-api on the WASM backend', { cause: err });
  }

  const toTensor = (image: RgbImage): tf.Tensor3D =>
    tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');

  async function detectOn(input: tf.Tensor3D, image: RgbImage, o: FaceApiRunnerOptions) {
    const t0 = performance.now();
    const detections = await faceapi.detectAllFaces(input, detectorOptions(o, image));
    return { detections, detectMs: performance.now() - t0 };
  }

  return {
    options: opts,

    async detect(image, override = {}) {
      const input = toTensor(image);
      try {
        const { detections, detectMs } = await detectOn(input, image, { ...opts, ...override });
        return { boxes: detections.map((d) => toBox(d.box)), detectMs };
      } finally {
        input.dispose();
      }
    },

    async analyze(image) {
      const t0 = performance.now();
      const input = toTensor(image);
      try {
        const { detections, detectMs } = await detectOn(input, image, opts);
        const t1 = performance.now();
        // The detections found above go to face-api's own landmark -> align -> descriptor chain,
        // so detection is not run twice and its time is reported apart.
        const faces: Described[] = opts.perFaceCrop
          ? await describeOnCrops(image, detections)
          : (await describe(input, detections)).map((f) => ({
              box: toBox(f.detection.box),
              descriptor: f.descriptor,
            }));
        const t2 = performance.now();
        return {
          boxes: faces.map((f) => f.box),
          descriptors: faces.map((f) => f.descriptor),
          detectMs,
          descriptorMs: t2 - t1,
          totalMs: t2 - t0,
        };
      } finally {
        input.dispose();
      }
    },

    async close() {
      for (const net of [
        faceapi.nets.ssdMobilenetv1,
        faceapi.nets.tinyFaceDetector,
        faceapi.nets.faceLandmark68Net,
        faceapi.nets.faceRecognitionNet,
      ]) {
        if (net.isLoaded) net.dispose();
      }
      active = false;
    },
  };
}
