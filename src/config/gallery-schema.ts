import { z } from 'zod';

/** match.* and gallery.* (part of the config schema). */
export const matchSchema = z
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
      .default(32)
      .describe(
        'HNSW graph degree (links per node; 2m at the bottom layer). Higher: better recall at a given ef, more memory (4 bytes per link: ~0.26 KB per vector at 32, next to 0.5 KB of 128-D projected and 2 KB of full 512-D vector) and slower builds. Session 3 measured, with the graph on full vectors, 32 at recall@1 0.995 for ef 96 where 16 needed ef 256 (bench/results/gallery.json).',
      ),
    efConstruction: z
      .number()
      .int()
      .min(10)
      .max(2000)
      .default(100)
      .describe(
        'HNSW candidate list while inserting. Higher: better graph, slower enrolment and rebuilds. With m=32 on the benchmark (100k, session 3, graph on full vectors), 200 gave about the same recall as 100 (within the noise of 200 queries) for 1.6x the build time.',
      ),
    ef: z
      .union([z.literal('auto'), z.number().int().min(10).max(5000)])
      .default('auto')
      .describe(
        "HNSW candidate list while searching (raised to the number of candidates asked for when that is larger). Higher: better recall, slower search. 'auto' grows it with the gallery: 192 up to 100k templates, then 192 x (templates / 100k)^0.426 (512 at 1M), the two sizes the benchmark measured (bench/results/gallery.json, session 5, m=32, 128-D projected graph): at 100k recall@1 0.97 at ef 96, 0.98 at 128, 0.998 at 192 (1.05 ms p50, 1.8 ms p99 per search); at 1M 0.978 at 384, 0.986 at 512 (4.2 / 7.4 ms), 0.99 at 768. A number fixes it; `npm run bench:gallery` measures other sizes.",
      ),
    initialCapacity: z
      .number()
      .int()
      .min(16)
      .max(100_000_000)
      .default(1024)
      .describe('Vectors a new index has room for; it doubles whenever it is full.'),
    projectionDim: z
      .number()
      .int()
      .min(0)
      .max(4096)
      .default(128)
      .describe(
        'The HNSW graph is built and searched on a fixed random orthonormal projection of the embeddings to this many dimensions; its candidates are then re-scored exactly on the full embeddings, so reported similarities are exact either way. Fewer dimensions: faster builds and searches (a graph search is bound by the bytes each distance reads), noisier candidate lists (compensate with `candidates`). 0, or a value not below the embedding size, builds the graph on the full embeddings. On 100k face-like 512-D vectors (bench/results/gallery.json): 128 built in 64 s and searched in 1.05 ms p50 at recall@1 0.998 (session 5, hnswlib-node built with AVX2); the graph on full vectors took 264 s and ~2 ms for 0.996 (session 3, baseline build).',
      ),
    candidates: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(32)
      .describe(
        'Graph candidates re-scored exactly per search (at least 4x the number of results asked for).',
      ),
  })
  .prefault({});

export const gallerySchema = z
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
