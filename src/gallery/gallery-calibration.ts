import { ArgusError, toArgusError } from '../errors/argus-error';
import { buildFmrTable, impostorScores, proposeThreshold } from './calibration';
import { type CalibrationRecord, writeCalibration } from './calibration-file';
import type { Gallery } from './gallery';

/** Above this many templates, calibration draws a random subset (2e8 pairs is already far past maxPairs). */
export const CALIBRATION_MAX_TEMPLATES = 20_000;

export interface CalibrateOptions {
  targetFmr: number;
  maxPairs: number;
  configuredThreshold: number;
  /** Photos of people who are not enrolled; their largest face is compared with every template. */
  impostorImages?: string[];
  /** Called for each impostor image that yields no face (it is left out). */
  onSkipped?: (file: string, code: string) => void;
}

/**
 * `argus gallery calibrate`: impostor scores from the gallery (and optional strangers' photos),
 * the score -> FMR table written beside the database, and the proposed threshold.
 */
export async function calibrateGallery(
  gallery: Gallery,
  galleryDir: string,
  o: CalibrateOptions,
): Promise<{ record: CalibrationRecord; file: string }> {
  const templates = gallery.calibrationTemplates(CALIBRATION_MAX_TEMPLATES);
  const extra: Float32Array[] = [];
  for (const file of o.impostorImages ?? []) {
    try {
      extra.push((await gallery.largestFace(file)).embedding!);
    } catch (err) {
      o.onSkipped?.(file, toArgusError(err).code);
    }
  }
  const identities = new Set(templates.map((t) => t.group)).size;
  const scores = impostorScores(templates, templates.length > 0 ? extra : [], { maxPairs: o.maxPairs });
  if (scores.scores.length === 0) {
    throw new ArgusError('ARGUS_E_GALLERY_CALIBRATION_TOO_FEW', {
      reason: `${identities} identit${identities === 1 ? 'y' : 'ies'} with templates and ${extra.length} usable impostor image(s) give no pair of different people`,
    });
  }
  const table = buildFmrTable(scores, {
    modelId: gallery.modelId,
    source: `gallery calibration: ${templates.length} templates of ${identities} identities, ${extra.length} impostor images`,
  });
  const record: CalibrationRecord = {
    version: 1,
    table,
    proposal: proposeThreshold(scores.scores, o.targetFmr),
    configuredThreshold: o.configuredThreshold,
    inputs: { identities, templates: templates.length, impostorImages: extra.length },
  };
  const file = writeCalibration(galleryDir, record);
  gallery.reloadCalibration();
  return { record, file };
}
