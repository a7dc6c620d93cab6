import type { ArgusConfig } from '../config/config-schema';
import type { AnalyzedFace } from '../domain/face';
import type { RgbImage } from '../domain/image';
import { ArgusError, toArgusError } from '../errors/argus-error';
import { decodeImage } from '../images/decode-image';
import { pickDominantFace } from './dominant-face';
import { checkEmbedding } from './embedding-check';
import { facePhotoJpeg } from './face-photo';
import { type ImageBytes, readImageInput, sha256Hex } from './gallery-images';
import type { NewTemplate } from './gallery-store';
import type { ImageInput, ImageOutcome, TemplateInput } from './gallery-types';

/** What turns an image into faces with embeddings (FaceAnalyzer, or a stand-in in tests). */
export interface FaceSource {
  analyze(image: RgbImage, opts: { embed: boolean }): Promise<{ faces: AnalyzedFace[] }>;
}

/** A template about to be stored, and where its outcome goes once the commit says new or duplicate. */
export interface Candidate {
  outcomeIndex: number;
  source: string;
  template: NewTemplate;
}

export interface Intake {
  /** One slot per input; accepted inputs' slots stay empty until the commit. */
  outcomes: Array<ImageOutcome | undefined>;
  candidates: Candidate[];
  errors: ArgusError[];
}

export interface IntakeContext {
  config: Readonly<ArgusConfig>;
  dim: number;
  /** The model the faces' embeddings come from. */
  modelId: string;
  faces: () => Promise<FaceSource>;
}

/** Errors that would fail every following image too: stop rather than report each image. */
const FATAL = new Set([
  'ARGUS_E_POOL_CLOSED',
  'ARGUS_E_MODEL_MISSING',
  'ARGUS_E_MODEL_CHECKSUM',
  'ARGUS_E_MODEL_DOWNLOAD',
]);

/**
 * One template per usable image: read, dedupe by sha256 (before any analysis), decode, find the
 * dominant face, check its quality. An unusable image is an outcome, not a failure of the request.
 */
export async function intakeImages(
  images: readonly ImageInput[],
  known: ReadonlySet<string>,
  ctx: IntakeContext,
): Promise<Intake> {
  const v = ctx.config.vision;
  const intake: Intake = { outcomes: [], candidates: [], errors: [] };
  const seen = new Set(known);
  for (const [i, input] of images.entries()) {
    let read: ImageBytes | undefined;
    try {
      read = await readImageInput(input, i, v.maxImageBytes);
      if (seen.has(read.sha256)) {
        intake.outcomes.push({
          source: read.source,
          status: 'duplicate',
          code: 'ARGUS_E_GALLERY_DUPLICATE_IMAGE',
        });
        continue;
      }
      seen.add(read.sha256);
      const rgb = await decodeImage(read.bytes, { maxPixels: v.maxImagePixels, maxBytes: v.maxImageBytes });
      const { faces } = await (await ctx.faces()).analyze(rgb, { embed: true });
      const face = pickDominantFace(faces, ctx.config.gallery, read.source);
      if (!face.embedding) throw new ArgusError('ARGUS_E_NO_FACE', { subject: read.source });
      const photo = await facePhotoJpeg(rgb, face.box).catch(() => undefined);
      intake.candidates.push({
        outcomeIndex: intake.outcomes.length,
        source: read.source,
        template: {
          embedding: checkEmbedding(face.embedding, ctx.dim),
          imageSha256: read.sha256,
          quality: face.quality,
          modelId: ctx.modelId,
          // The identity's reference photo if this is its best image (a photo is optional).
          ...(photo ? { photo } : {}),
        },
      });
      intake.outcomes.push(undefined);
    } catch (err) {
      const e = toArgusError(err);
      if (FATAL.has(e.code)) throw e;
      intake.errors.push(e);
      const source = read?.source ?? (typeof input === 'string' ? input : (input.name ?? `image ${i + 1}`));
      intake.outcomes.push({ source, status: 'rejected', code: e.code, message: e.message });
    }
  }
  return intake;
}

/** Precomputed embeddings: validated, normalised, deduped by image hash (default: the embedding's own). */
export function intakeEmbeddings(
  templates: readonly TemplateInput[],
  dim: number,
  galleryModel: string,
  assertModel: (modelId: string) => void,
): Intake {
  const seen = new Set<string>();
  const intake: Intake = { outcomes: [], candidates: [], errors: [] };
  for (const [i, t] of templates.entries()) {
    assertModel(t.modelId ?? galleryModel);
    const embedding = checkEmbedding(t.embedding, dim);
    const sha = t.imageSha256 ?? sha256Hex(new Uint8Array(embedding.buffer));
    const source = t.source ?? `template ${i + 1}`;
    if (seen.has(sha)) {
      intake.outcomes.push({ source, status: 'duplicate', code: 'ARGUS_E_GALLERY_DUPLICATE_IMAGE' });
      continue;
    }
    seen.add(sha);
    intake.candidates.push({
      outcomeIndex: intake.outcomes.length,
      source,
      template: { embedding, imageSha256: sha, quality: t.quality ?? null, modelId: galleryModel },
    });
    intake.outcomes.push(undefined);
  }
  return intake;
}

/** Fills the accepted inputs' outcomes from the ids the commit gave (null: already stored). */
export function settleOutcomes(
  ids: ReadonlyArray<number | null>,
  outcomes: Array<ImageOutcome | undefined>,
  candidates: readonly Candidate[],
): { added: number; images: ImageOutcome[] } {
  let added = 0;
  ids.forEach((label, i) => {
    const c = candidates[i]!;
    if (label === null) {
      outcomes[c.outcomeIndex] = {
        source: c.source,
        status: 'duplicate',
        code: 'ARGUS_E_GALLERY_DUPLICATE_IMAGE',
      };
    } else {
      added++;
      outcomes[c.outcomeIndex] = {
        source: c.source,
        status: 'enrolled',
        templateId: label,
        quality: c.template.quality,
      };
    }
  });
  return { added, images: outcomes as ImageOutcome[] };
}

/** The error of a request none of whose images could be used: the image's own error when there was one. */
export function noUsableImage(count: number, errors: ArgusError[]): ArgusError {
  if (errors.length === 1 && count === 1) return errors[0]!;
  const reasons = errors.map((e) => `${e.code}: ${e.message}`).join('; ');
  return new ArgusError('ARGUS_E_GALLERY_NO_USABLE_IMAGE', { count, reasons: reasons || 'none given' });
}
