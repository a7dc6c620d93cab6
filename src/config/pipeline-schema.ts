import { z } from 'zod';

/** pipeline.* (part of the config schema): tracking and the embedding budget of every stream. */
export const pipelineSchema = z
  .strictObject({
    trackTimeoutMs: z
      .number()
      .int()
      .min(100)
      .max(60_000)
      .default(1500)
      .describe('A track with no face for this long ends; its embeddings are discarded with it.'),
    fullPyramidEveryNFrames: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe(
        "Run detection's full image pyramid on every Nth frame; in between, only the levels the smallest tracked face needs (each finer level exists for smaller faces and costs ~4x the one above it). A new face below the coarsest level's reach (~48 px at 720p, ~72 px at 1080p) is found at most N-1 frames late; 1 = always the full pyramid.",
      ),
    embedEveryNFrames: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(10)
      .describe(
        'Re-embed a track every this many analysed frames (plus when it starts and when its quality improves).',
      ),
    embedQualityGain: z
      .number()
      .min(0)
      .max(1)
      .default(0.15)
      .describe(
        'Quality gain over the best embedded face of a track that makes it due for an embedding at once.',
      ),
    maxEmbedsPerFrame: z
      .number()
      .int()
      .min(1)
      .max(200)
      .default(16)
      .describe('Hard cap on embeddings per frame; the rest are deferred to later frames (counted).'),
    minEmbedsPerFrame: z
      .number()
      .int()
      .min(1)
      .max(200)
      .default(4)
      .describe(
        'Embeddings per frame whatever the time budget says, so an overloaded machine still matches a crowded scene (at a lower analysed frame rate).',
      ),
    embedBudgetMs: z
      .number()
      .min(1)
      .max(10_000)
      .default(60)
      .describe(
        'Time per frame allowed for embeddings; new and best-quality tracks go first, the rest catch up later.',
      ),
  })
  .prefault({});
