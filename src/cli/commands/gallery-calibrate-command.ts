import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ArgusError } from '../../errors/argus-error';
import { fmrAt } from '../../gallery/calibration';
import { calibrateGallery } from '../../gallery/gallery-calibration';
import { isImageFileName } from '../../gallery/gallery-images';
import type { CliContext } from '../cli-context';
import { withGallery } from './gallery-session';

/**
 * `argus gallery calibrate [--impostors DIR] [--target-fmr 1e-4]`: writes the score -> FMR table
 * (DATA/gallery/calibration.json) that every later match's `fmr` comes from, and proposes the
 * threshold for the target FMR. It does not change match.threshold: that stays the operator's call.
 */
export async function galleryCalibrateCommand(
  ctx: CliContext,
  o: { impostors?: string; targetFmr?: number; json: boolean },
): Promise<number> {
  return withGallery(
    ctx,
    { create: false, faces: o.impostors !== undefined, json: o.json },
    async (gallery, dir) => {
      const impostorImages = o.impostors ? imagesUnder(o.impostors) : [];
      const skipped: Array<{ file: string; code: string }> = [];
      const { record, file } = await calibrateGallery(gallery, dir, {
        targetFmr: o.targetFmr ?? ctx.config.gallery.targetFmr,
        maxPairs: ctx.config.gallery.calibrationMaxPairs,
        configuredThreshold: ctx.config.match.threshold,
        impostorImages,
        onSkipped: (f, code) => skipped.push({ file: f, code }),
      });
      const p = record.proposal;
      if (o.json) {
        ctx.out(
          JSON.stringify({
            impostorPairs: record.table.impostorPairs,
            totalPairs: record.table.totalPairs,
            sampled: record.table.sampled,
            targetFmr: p.targetFmr,
            threshold: p.threshold,
            fmrAtThreshold: p.fmr,
            impostorsAtOrAbove: p.impostorsAtOrAbove,
            fmrResolution: p.fmrResolution,
            resolvable: p.resolvable,
            configuredThreshold: record.configuredThreshold,
            fmrAtConfiguredThreshold: fmrAt(record.table, record.configuredThreshold),
            note: p.note,
            inputs: record.inputs,
            skipped,
            table: file,
          }),
        );
      } else {
        ctx.out(
          `${record.table.impostorPairs} impostor pairs${record.table.sampled ? ` (sampled from ${record.table.totalPairs})` : ''}`,
        );
        ctx.out(
          `proposed threshold for FMR ${p.targetFmr}: ${p.threshold}${p.resolvable ? '' : ' (not resolvable, see note)'}`,
        );
        ctx.out(p.note);
        ctx.out(`configured match.threshold: ${record.configuredThreshold}; table written to ${file}`);
        for (const s of skipped) ctx.out(`  skipped ${s.file}: ${s.code}`);
      }
      return 0;
    },
  );
}

/** Image files in a folder and its subfolders (one folder per person is fine too). */
function imagesUnder(dir: string): string[] {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(dir);
  } catch (err) {
    throw new ArgusError('ARGUS_E_FILE_NOT_FOUND', { path: dir }, { cause: err });
  }
  if (!st.isDirectory()) throw new ArgusError('ARGUS_E_FILE_NOT_FOUND', { path: dir });
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('.')) out.push(...imagesUnder(p));
    else if (entry.isFile() && isImageFileName(entry.name)) out.push(p);
  }
  return out;
}
