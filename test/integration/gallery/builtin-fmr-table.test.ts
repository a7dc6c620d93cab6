import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../../src/config/load-config';
import { BUILTIN_FMR_TABLE } from '../../../src/gallery/builtin-fmr-table';
import {
  buildFmrTable,
  type FmrTable,
  impostorScores,
  type TemplateVector,
} from '../../../src/gallery/calibration';
import { decodeImage } from '../../../src/images/decode-image';
import { createFaceAnalyzer } from '../../../src/vision/create-face-analyzer';
import { fixture, IDENTITY_IMAGES } from '../../helpers/fixtures';

/**
 * The built-in score -> FMR table (used until a gallery is calibrated) is measured here, on the
 * fixture faces: the 12 single-person knn_examples photos (5 people), lin-manuel-miranda.png, and
 * every face found in the 4 dlib group photos (each a different person). An impostor pair is a
 * probe against a template of another person, and templates pass the enrolment quality floor: so
 * pairs of two faces below the floor (tiny dlib faces, 25-36 px, which score up to 0.49 against
 * each other) are left out, while a poor probe against a good face counts.
 * Regenerate with ARGUS_UPDATE_FMR_TABLE=1.
 */
const TABLE_FILE = path.resolve(__dirname, '../../../src/gallery/builtin-fmr-table.ts');
const SOURCE =
  'built-in: fixture faces (12 knn_examples photos of 5 people, lin-manuel-miranda.png, every face of the 4 dlib group photos, each a different person); every pair of different people in which at least one face reaches gallery.minQuality';

function render(table: FmrTable): string {
  const points = table.points.map(([s, c]) => `    [${s}, ${c}],`).join('\n');
  return `import type { FmrTable } from './calibration';

/**
 * Score -> impostor count for the fr_feature model, measured on the fixture faces by
 * test/integration/gallery/builtin-fmr-table.test.ts (regenerate: ARGUS_UPDATE_FMR_TABLE=1 npx jest
 * test/integration/gallery/builtin-fmr-table). Used for every match's \`fmr\` until
 * \`argus gallery calibrate\` measures the gallery itself. ${table.impostorPairs} impostor pairs resolve FMR
 * only down to 1/${table.impostorPairs}: every estimate is floored there.
 */
export const BUILTIN_FMR_TABLE: FmrTable = {
  version: 1,
  modelId: '${table.modelId}',
  source:
    '${table.source}',
  createdAt: '${table.createdAt}',
  impostorPairs: ${table.impostorPairs},
  sampled: ${table.sampled},
  totalPairs: ${table.totalPairs},
  step: ${table.step},
  points: [
${points}
  ],
};
`;
}

describe('built-in FMR table (real models, fixture faces)', () => {
  it('matches what the fixture faces measure', async () => {
    const config = parseConfig({ log: { level: 'silent' } });
    const analyzer = await createFaceAnalyzer(config, { workers: 2 });
    const vectors: Array<TemplateVector & { quality: number }> = [];
    const limits = { maxPixels: 5e7, maxBytes: 5e7 };
    try {
      const largestOf = async (file: string) => {
        const { faces } = await analyzer.analyze(await decodeImage(readFileSync(file), limits), {
          embed: true,
        });
        return faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));
      };
      for (const { file, identity } of IDENTITY_IMAGES) {
        const f = await largestOf(file);
        vectors.push({ group: identity, v: f.embedding!, quality: f.quality });
      }
      const lin = fixture('face_recognition', 'lin-manuel-miranda.png');
      const f = await largestOf(lin);
      vectors.push({ group: 'lin-manuel-miranda', v: f.embedding!, quality: f.quality });
      const dlib = fixture('dlib_faces');
      for (const name of readdirSync(dlib)
        .filter((f) => f.endsWith('.jpg'))
        .sort()) {
        const image = await decodeImage(readFileSync(path.join(dlib, name)), limits);
        const { faces } = await analyzer.analyze(image, { embed: true });
        faces.forEach((f, i) => {
          vectors.push({ group: `dlib:${name}:${i}`, v: f.embedding!, quality: f.quality });
        });
      }
    } finally {
      await analyzer.close();
    }
    expect(vectors.length).toBeGreaterThanOrEqual(25);
    // Faces above the floor pair with each other; faces below it only with faces above it (as
    // "extra" faces, each of a person not among the others).
    const floor = config.gallery.minQuality;
    const good = vectors.filter((x) => x.quality >= floor);
    const poor = vectors.filter((x) => x.quality < floor);
    expect(poor.every((x) => x.group.startsWith('dlib:'))).toBe(true);
    const scores = impostorScores(
      good,
      poor.map((x) => x.v),
      { maxPairs: 1e7 },
    );
    const measured = buildFmrTable(scores, {
      modelId: 'fr_feature',
      source: SOURCE,
      createdAt: BUILTIN_FMR_TABLE.createdAt,
    });
    if (process.env.ARGUS_UPDATE_FMR_TABLE === '1') {
      writeFileSync(TABLE_FILE, render({ ...measured, createdAt: new Date().toISOString() }));
      return;
    }
    expect(BUILTIN_FMR_TABLE.impostorPairs).toBe(measured.impostorPairs);
    expect(BUILTIN_FMR_TABLE.source).toBe(SOURCE);
    // Same counts on the grid, give or take a pair whose score sits on a grid line.
    const committed = new Map(BUILTIN_FMR_TABLE.points);
    for (const [score, count] of measured.points) {
      const c =
        committed.get(score) ?? (score < BUILTIN_FMR_TABLE.points[0]![0] ? measured.impostorPairs : 0);
      expect({ score, diff: Math.abs(c - count) <= 2 }).toEqual({ score, diff: true });
    }
    // The default threshold sits above every impostor the fixtures have.
    expect(measured.points.find(([s]) => s >= config.match.threshold)?.[1] ?? 0).toBe(0);
  });
});
