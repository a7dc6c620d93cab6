import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ArgusError } from '../errors/argus-error';
import { packageRoot } from '../util/package-root';

const inputSpec = z.strictObject({
  name: z.string(),
  shape: z.array(z.number().int()),
  layout: z.literal('NCHW'),
  colorOrder: z.enum(['RGB', 'BGR', 'GREY']),
  mean: z.number(),
  std: z.number().positive(),
});

/** Graph edits applied when a model is loaded (result cached in models/.cache); the verified file is never rewritten. */
const patchSpec = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('keepOutputs'), outputs: z.array(z.string()).min(1) }),
  z.strictObject({
    op: z.literal('dynamicInput'),
    input: z.string(),
    dims: z.array(z.union([z.string(), z.number().int()])),
  }),
  z.strictObject({ op: z.literal('dynamicBatch'), input: z.string(), outputs: z.array(z.string()) }),
  z.strictObject({ op: z.literal('setInitializer'), name: z.string(), int64: z.array(z.number().int()) }),
  // Per-channel PRelu as two fused depthwise convolutions, so onnxruntime keeps its NCHWc layout.
  z.strictObject({ op: z.literal('decomposePRelu') }),
]);

const common = {
  id: z.string().regex(/^[a-z0-9_.-]+$/),
  file: z.string().regex(/^[\w.-]+\.onnx$/),
  source: z.string(),
  pathInPackage: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
  input: inputSpec,
  patches: z.array(patchSpec).default([]),
};

const detectorEntry = z.strictObject({
  ...common,
  role: z.literal('detector'),
  architecture: z.literal('ultraface'),
  outputs: z.strictObject({ scores: z.string(), regression: z.string() }),
  priors: z.strictObject({
    strides: z.array(z.number().int().positive()),
    minSizes: z.array(z.array(z.number().positive())),
    centerVariance: z.number().positive(),
    sizeVariance: z.number().positive(),
  }),
});

const landmarkerEntry = z.strictObject({
  ...common,
  role: z.literal('landmarker'),
  architecture: z.literal('pfld68'),
  outputs: z.strictObject({ landmarks: z.string() }),
  points: z.literal(68),
});

const embedderEntry = z.strictObject({
  ...common,
  role: z.literal('embedder'),
  architecture: z.literal('arcface'),
  outputs: z.strictObject({ embedding: z.string() }),
  embeddingSize: z.number().int().positive(),
  alignment: z.strictObject({
    size: z.number().int().positive(),
    template: z.array(z.tuple([z.number(), z.number()])).length(5),
  }),
});

const modelEntry = z.discriminatedUnion('role', [detectorEntry, landmarkerEntry, embedderEntry]);

const manifestSchema = z.strictObject({
  $comment: z.string().optional(),
  version: z.literal(1),
  sources: z.record(
    z.string(),
    z.strictObject({
      package: z.string(),
      version: z.string(),
      integrity: z.string().regex(/^sha512-/),
      licence: z.string(),
    }),
  ),
  models: z.array(modelEntry).min(1),
});

export type ModelManifest = z.infer<typeof manifestSchema>;
export type ModelEntry = z.infer<typeof modelEntry>;
export type DetectorEntry = z.infer<typeof detectorEntry>;
export type LandmarkerEntry = z.infer<typeof landmarkerEntry>;
export type EmbedderEntry = z.infer<typeof embedderEntry>;
export type ModelPatch = z.infer<typeof patchSpec>;

export function defaultManifestPath(): string {
  return path.join(packageRoot(), 'models', 'manifest.json');
}

/** Where weights live: ARGUS_MODELS_DIR, else models/ beside the manifest. */
export function defaultModelsDir(): string {
  return process.env.ARGUS_MODELS_DIR ?? path.join(packageRoot(), 'models');
}

export function parseManifest(json: unknown): ModelManifest {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new ArgusError('ARGUS_E_MANIFEST_INVALID', { problems });
  }
  const manifest = parsed.data;
  for (const m of manifest.models) {
    if (!manifest.sources[m.source]) {
      throw new ArgusError('ARGUS_E_MANIFEST_INVALID', {
        problems: `model ${m.id}: unknown source ${m.source}`,
      });
    }
  }
  return manifest;
}

export function loadManifest(file = defaultManifestPath()): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ArgusError('ARGUS_E_MANIFEST_INVALID', { problems: (err as Error).message }, { cause: err });
  }
  return parseManifest(json);
}

/** The model the pipeline uses for a role: the first entry with that role. */
export function modelForRole<R extends ModelEntry['role']>(
  manifest: ModelManifest,
  role: R,
): Extract<ModelEntry, { role: R }> {
  const entry = manifest.models.find((m) => m.role === role);
  if (!entry) throw new ArgusError('ARGUS_E_MANIFEST_INVALID', { problems: `no model with role ${role}` });
  return entry as Extract<ModelEntry, { role: R }>;
}
