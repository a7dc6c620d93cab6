import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BUILTIN_FMR_TABLE } from './builtin-fmr-table';
import type { FmrTable, ThresholdProposal } from './calibration';
import { writeFileAtomic } from './durable-file';

export const CALIBRATION_FILE = 'calibration.json';

/** What `argus gallery calibrate` writes into the gallery folder. */
export interface CalibrationRecord {
  version: 1;
  table: FmrTable;
  proposal: ThresholdProposal;
  /** match.threshold in force when calibrating, for comparison. */
  configuredThreshold: number;
  inputs: { identities: number; templates: number; impostorImages: number };
}

const tableSchema = z.object({
  version: z.literal(1),
  modelId: z.string(),
  source: z.string(),
  createdAt: z.string(),
  impostorPairs: z.number().int().nonnegative(),
  sampled: z.boolean(),
  totalPairs: z.number().nonnegative(),
  step: z.number().positive(),
  points: z.array(z.tuple([z.number(), z.number().int().nonnegative()])),
});

export interface ActiveTable {
  table: FmrTable;
  origin: 'calibration' | 'builtin' | 'none';
}

/**
 * The FMR table results are estimated from: the gallery's own calibration if there is one for this
 * model, else the built-in table measured on the fixture faces, else (another model) an empty table
 * whose every estimate is 1: nothing is known.
 */
export function activeFmrTable(galleryDir: string, modelId: string): ActiveTable {
  const file = path.join(galleryDir, CALIBRATION_FILE);
  if (existsSync(file)) {
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as { table?: unknown };
      const table = tableSchema.parse(raw.table) as FmrTable;
      if (table.modelId === modelId) return { table, origin: 'calibration' };
    } catch {
      // A damaged calibration file is ignored (the built-in table applies); calibrate again.
    }
  }
  if (BUILTIN_FMR_TABLE.modelId === modelId) return { table: BUILTIN_FMR_TABLE, origin: 'builtin' };
  return {
    table: {
      version: 1,
      modelId,
      source: 'none: no calibration for this model',
      createdAt: new Date(0).toISOString(),
      impostorPairs: 0,
      sampled: false,
      totalPairs: 0,
      step: 0.01,
      points: [],
    },
    origin: 'none',
  };
}

export function writeCalibration(galleryDir: string, record: CalibrationRecord): string {
  const file = path.join(galleryDir, CALIBRATION_FILE);
  writeFileAtomic(file, `${JSON.stringify(record, null, 1)}\n`);
  return file;
}
