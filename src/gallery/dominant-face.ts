import type { Box } from '../domain/geometry';
import { ArgusError } from '../errors/argus-error';

export interface DominantFaceRules {
  /** Enrolment quality floor; faces below it neither enrol nor compete. */
  minQuality: number;
  /** A competing face larger than this share of the largest face's area makes the image ambiguous. */
  dominantFaceRatio: number;
}

const area = (b: Box) => b.w * b.h;

/**
 * The one face an enrolment image enrols: the largest, provided no other face of enrollable
 * quality comes close to it in size and its own quality reaches the floor.
 */
export function pickDominantFace<F extends { box: Box; quality: number }>(
  faces: readonly F[],
  rules: DominantFaceRules,
  subject: string,
): F {
  if (faces.length === 0) throw new ArgusError('ARGUS_E_NO_FACE', { subject });
  const bySize = [...faces].sort((a, b) => area(b.box) - area(a.box));
  const largest = bySize[0]!;
  const largestArea = area(largest.box);
  const competing = bySize
    .slice(1)
    .filter((f) => f.quality >= rules.minQuality && area(f.box) > rules.dominantFaceRatio * largestArea);
  if (competing.length > 0) {
    throw new ArgusError('ARGUS_E_GALLERY_MULTIPLE_FACES', {
      subject,
      faces: competing.length + 1,
      ratio: Math.round((area(competing[0]!.box) / largestArea) * 100) / 100,
    });
  }
  if (largest.quality < rules.minQuality) {
    throw new ArgusError('ARGUS_E_GALLERY_LOW_QUALITY', {
      subject,
      quality: Math.round(largest.quality * 1000) / 1000,
      floor: rules.minQuality,
    });
  }
  return largest;
}
