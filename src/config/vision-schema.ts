import os from 'node:os';
import { z } from 'zod';

/** vision.*: detection, quality, worker threads (part of the config schema). */
const detectorSchema = z
  .strictObject({
    scoreThreshold: z
      .number()
      .min(0.05)
      .max(0.99)
      .default(0.7)
      .describe('Minimum detector confidence for a face. Lower finds more faces and more false positives.'),
    nmsIou: z
      .number()
      .min(0.05)
      .max(0.95)
      .default(0.3)
      .describe('Boxes overlapping a better box by more than this IoU are suppressed.'),
    maxFaces: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(100)
      .describe('At most this many faces per image or frame, highest scores first.'),
    minFaceSize: z
      .number()
      .min(8)
      .max(2000)
      .default(20)
      .describe(
        'Smallest face width, in input pixels, the detector must find. It decides how fine the image pyramid goes: 20 px on 1080p needs a 1280-wide pass, 40 px only a 640-wide one (about 3x cheaper).',
      ),
    baseSize: z
      .number()
      .int()
      .min(160)
      .max(1920)
      .default(320)
      .describe('Long side, in pixels, of the coarsest pyramid level (where large faces are found).'),
    maxLevelFaceSize: z
      .number()
      .min(16)
      .max(512)
      .default(64)
      .describe(
        'On every pyramid level but the coarsest, boxes larger than this many network pixels are dropped: a coarser level sees them whole, a finer one splits them into partial-face false positives.',
      ),
    minLandmarkPlausibility: z
      .number()
      .min(0)
      .max(1)
      .default(0.8)
      .describe(
        'Detections whose box shape and 68 landmarks do not form a plausible face (box aspect, eyes above nose above mouth, inside the box) score low and are dropped below this value; this removes hands and other face-like blobs.',
      ),
  })
  .prefault({});

const qualitySchema = z
  .strictObject({
    minFaceSizeForId: z
      .number()
      .min(8)
      .max(500)
      .default(40)
      .describe(
        'Face width (px) at which the size part of quality reaches 0.5; below ~30 px identification fails.',
      ),
    goodFaceSize: z
      .number()
      .min(16)
      .max(1000)
      .default(80)
      .describe('Face width (px) at which the size part of quality is 1.'),
  })
  .prefault({});

const workersSchema = z
  .strictObject({
    count: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(Math.max(1, Math.min(os.availableParallelism(), 8)))
      .describe(
        'Vision worker threads, each with its own ONNX Runtime sessions. Default: one per core (max 8).',
      ),
    intraOpThreads: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(1)
      .describe(
        'ONNX Runtime intra-op threads per worker. One per worker beats fewer workers with more threads on CPU.',
      ),
    queueLimit: z
      .number()
      .int()
      .min(1)
      .max(10000)
      .default(256)
      .describe(
        'Tasks allowed to wait for a worker; past it new work is refused (ARGUS_E_POOL_SATURATED), not queued.',
      ),
    executionProvider: z
      .enum(['cpu', 'cuda'])
      .default('cpu')
      .describe(
        'ONNX Runtime execution provider. "cuda" needs the CUDA build of onnxruntime-node (see README, GPU).',
      ),
  })
  .prefault({});

export const visionSchema = z
  .strictObject({
    maxImagePixels: z
      .number()
      .int()
      .min(64 * 64)
      .max(400_000_000)
      .default(50_000_000)
      .describe(
        'Images declaring more pixels than this are refused from their header, before decoding (decompression-bomb guard).',
      ),
    maxImageBytes: z
      .number()
      .int()
      .min(1024)
      .max(1_000_000_000)
      .default(50 * 1024 * 1024)
      .describe('Image files larger than this many bytes are refused before decoding.'),
    embedBatchSize: z
      .number()
      .int()
      .min(1)
      .max(256)
      .default(4)
      .describe(
        'Faces embedded in one inference call. On CPU a few faces per call amortise the per-call cost (4: ~5% cheaper per face than 1), while 16 or more are dearer than 1 because a whole batch of activations no longer fits in cache (bench:vision). With the CUDA provider raise it (e.g. 32).',
      ),
    detector: detectorSchema,
    quality: qualitySchema,
    workers: workersSchema,
  })
  .prefault({});
