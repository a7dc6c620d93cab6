import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { galleryPaths } from '../../../src/gallery/open-gallery';
import { fixture } from '../../helpers/fixtures';
import { runCliAs } from '../../helpers/gallery-cli';
import { tempDir } from '../../helpers/gallery-fixtures';
import { runCli } from '../../helpers/run-cli';

const knn = (...p: string[]) => fixture('face_recognition', 'knn_examples', ...p);
const TIMEOUT = 180_000;

type Match = {
  identity: { id: string; name: string };
  similarity: number;
  margin: number;
  fmr: number;
  match: boolean;
};

describe('argus gallery (real CLI, real models)', () => {
  describe('import of knn_examples/train, then search', () => {
    const tmp = tempDir('cli-knn');
    const data = ['--data', tmp.dir];
    afterAll(() => tmp.cleanup());

    it(
      'imports one identity per folder, with a summary, and is resumable',
      async () => {
        const r = await runCli([
          'gallery',
          'import',
          knn('train'),
          ...data,
          '--reason',
          'fixture watchlist',
          '--json',
        ]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const out = r.lines[0] as {
          enrolled: Array<{ person: string; identity: { id: string; name: string }; templates: number }>;
          rejected: unknown[];
          summary: Record<string, number>;
        };
        expect(out.enrolled.map((e) => [e.person, e.identity.name, e.templates])).toEqual([
          ['alex_lacamoire', 'alex_lacamoire', 1],
          ['biden', 'biden', 2],
          ['kit_harington', 'kit_harington', 2],
          ['obama', 'obama', 2],
          ['rose_leslie', 'rose_leslie', 2],
        ]);
        expect(out.rejected).toEqual([]);
        expect(out.summary).toEqual({ people: 5, images: 9, added: 9, skipped: 0, rejected: 0 });

        const again = await runCli([
          'gallery',
          'import',
          knn('train'),
          ...data,
          '--reason',
          'fixture watchlist',
          '--json',
        ]);
        expect(again.code).toBe(0);
        const second = again.lines[0] as { enrolled: typeof out.enrolled; summary: Record<string, number> };
        expect(second.summary).toEqual({ people: 5, images: 9, added: 0, skipped: 9, rejected: 0 });
        expect(second.enrolled.map((e) => e.identity.id)).toEqual(out.enrolled.map((e) => e.identity.id));
      },
      TIMEOUT,
    );

    it.each([
      ['alex_lacamoire1.jpg', 'alex_lacamoire'],
      ['johnsnow_test1.jpg', 'kit_harington'],
      ['obama1.jpg', 'obama'],
    ])(
      'search %s: %s first, with match=true',
      async (file, person) => {
        const r = await runCli(['gallery', 'search', knn('test', file), ...data, '--json']);
        expect(r.code).toBe(0);
        const { matches } = r.lines[0] as { matches: Match[] };
        expect(Object.keys(matches[0]!).sort()).toEqual(['fmr', 'identity', 'margin', 'match', 'similarity']);
        expect(matches[0]!.identity.name).toBe(person);
        expect(matches[0]!.match).toBe(true);
        expect(matches[0]!.similarity).toBeGreaterThanOrEqual(0.4);
        expect(matches[0]!.margin).toBeGreaterThanOrEqual(0.05);
        expect(matches[0]!.fmr).toBeGreaterThan(0);
        expect(matches[0]!.fmr).toBeLessThan(0.01);
        expect(matches.slice(1).every((m) => m.match === false)).toBe(true);
      },
      TIMEOUT,
    );

    it(
      'search lin-manuel-miranda.png (not enrolled): no match',
      async () => {
        const r = await runCli([
          'gallery',
          'search',
          fixture('face_recognition', 'lin-manuel-miranda.png'),
          ...data,
          '--json',
        ]);
        expect(r.code).toBe(0);
        const { matches } = r.lines[0] as { matches: Match[] };
        expect(matches.length).toBeGreaterThan(0);
        expect(matches.every((m) => m.match === false)).toBe(true);
        expect(matches[0]!.similarity).toBeLessThan(0.4);
      },
      TIMEOUT,
    );

    it(
      'lists, reports stats, calibrates, and erases',
      async () => {
        const list = await runCli(['gallery', 'list', ...data, '--limit', '2', '--json']);
        const page = list.lines[0] as {
          identities: Array<{ id: string; name: string }>;
          total: number;
          nextCursor: string;
        };
        expect(page.total).toBe(5);
        expect(page.identities.map((i) => i.name)).toEqual(['alex_lacamoire', 'biden']);
        const rest = await runCli(['gallery', 'list', ...data, '--cursor', page.nextCursor, '--json']);
        expect((rest.lines[0] as typeof page).identities.map((i) => i.name)).toEqual([
          'kit_harington',
          'obama',
          'rose_leslie',
        ]);

        const cal = await runCli(['gallery', 'calibrate', ...data, '--json']);
        expect(cal.code).toBe(0);
        const c = cal.lines[0] as {
          impostorPairs: number;
          resolvable: boolean;
          note: string;
          threshold: number;
        };
        // 9 templates of 5 people: 32 pairs of different people, far too few for 1e-4.
        expect(c.impostorPairs).toBe(32);
        expect(c.resolvable).toBe(false);
        expect(c.note).toContain('FMR < 1/32');

        const stats = await runCli(['gallery', 'stats', ...data, '--json']);
        expect(stats.lines[0]).toMatchObject({
          identities: 5,
          templates: 9,
          modelId: 'fr_feature',
          dim: 512,
          index: { size: 9 },
          fmrTable: { origin: 'calibration', impostorPairs: 32 },
        });

        const obama = (rest.lines[0] as typeof page).identities.find((i) => i.name === 'obama')!;
        const rm = await runCli([
          'gallery',
          'remove',
          obama.id,
          ...data,
          '--reason',
          'erasure request',
          '--json',
        ]);
        expect(rm.lines[0]).toEqual({ deleted: { id: obama.id, templates: 2 } });
        const after = await runCli(['gallery', 'search', knn('test', 'obama1.jpg'), ...data, '--json']);
        const { matches } = after.lines[0] as { matches: Match[] };
        expect(matches.map((m) => m.identity.id)).not.toContain(obama.id);
        expect(matches.every((m) => !m.match)).toBe(true);
        const missing = await runCli(['gallery', 'remove', obama.id, ...data, '--json']);
        expect(missing.code).toBe(1);
        expect(missing.lines[0]).toMatchObject({ error: { code: 'ARGUS_E_GALLERY_IDENTITY_NOT_FOUND' } });
      },
      TIMEOUT,
    );
  });

  describe('add', () => {
    let tmp: ReturnType<typeof tempDir>;
    beforeEach(() => {
      tmp = tempDir('cli-add');
    });
    afterEach(() => tmp.cleanup());

    it(
      'prints {"identity":{"id","name"},"templates":N}',
      async () => {
        const r = await runCli([
          'gallery',
          'add',
          '--data',
          tmp.dir,
          '--name',
          'Barack Obama',
          '--reason',
          'test',
          knn('train', 'obama', 'obama.jpg'),
          knn('train', 'obama', 'obama2.jpg'),
          '--json',
        ]);
        expect(r.code).toBe(0);
        expect(r.lines).toHaveLength(1);
        expect(r.lines[0]).toEqual({
          identity: { id: expect.any(String), name: 'Barack Obama' },
          templates: 2,
        });
      },
      TIMEOUT,
    );

    it(
      'refuses an enrolment without a reason, and an image without a face, with their codes',
      async () => {
        const noReason = await runCli([
          'gallery',
          'add',
          '--data',
          tmp.dir,
          '--name',
          'X',
          knn('train', 'obama', 'obama.jpg'),
          '--json',
        ]);
        expect(noReason.code).toBe(1);
        expect(noReason.lines[0]).toMatchObject({ error: { code: 'ARGUS_E_GALLERY_IDENTITY_INVALID' } });
        const noFace = await runCli([
          'gallery',
          'add',
          '--data',
          tmp.dir,
          '--name',
          'X',
          '--reason',
          'r',
          fixture('bad', 'noface.jpg'),
          '--json',
        ]);
        expect(noFace.code).toBe(1);
        expect(noFace.lines[0]).toMatchObject({ error: { code: 'ARGUS_E_NO_FACE' } });
        const list = await runCli(['gallery', 'list', '--data', tmp.dir, '--json']);
        expect(list.lines[0]).toMatchObject({ total: 0 });
      },
      TIMEOUT,
    );
  });

  describe('damaged or unusable databases', () => {
    let tmp: ReturnType<typeof tempDir>;
    beforeEach(() => {
      tmp = tempDir('cli-db');
    });
    afterEach(() => tmp.cleanup());

    const seed = async (dir: string) => {
      const r = await runCli([
        'gallery',
        'add',
        '--data',
        dir,
        '--name',
        'O',
        '--reason',
        'r',
        knn('train', 'obama', 'obama.jpg'),
        '--json',
      ]);
      expect(r.code).toBe(0);
      return galleryPaths(dir).database;
    };

    it('reports a missing gallery for read commands instead of creating an empty one', async () => {
      const r = await runCli(['gallery', 'search', knn('test', 'obama1.jpg'), '--data', tmp.dir, '--json']);
      expect(r.code).toBe(1);
      expect(r.lines[0]).toMatchObject({ error: { code: 'ARGUS_E_GALLERY_NOT_FOUND' } });
    });

    it(
      'reports a read-only database (no write bit, and as a user without write access)',
      async () => {
        const db = await seed(tmp.dir);
        chmodSync(db, 0o444);
        const r = await runCli(['gallery', 'list', '--data', tmp.dir, '--json']);
        expect(r.code).toBe(1);
        expect(r.lines[0]).toMatchObject({ error: { code: 'ARGUS_E_GALLERY_READONLY' } });

        // As another user: only possible when that user can reach this checkout at all (a clone in
        // a 0700 `mktemp -d` directory is not; then only the no-write-bit case above is checked).
        if (process.getuid?.() === 0 && othersCanReach(path.resolve(__dirname, '../../..'))) {
          chmodSync(db, 0o644);
          for (const d of [tmp.dir, galleryPaths(tmp.dir).dir]) chmodSync(d, 0o755);
          const asNobody = await runCliAs(['gallery', 'list', '--data', tmp.dir, '--json'], {
            uid: 65534,
            gid: 65534,
          });
          expect(asNobody.code).toBe(1);
          expect(asNobody.lines[0]).toMatchObject({ error: { code: 'ARGUS_E_GALLERY_READONLY' } });
        }
      },
      TIMEOUT,
    );

    it(
      'reports a corrupt database and leaves its bytes alone',
      async () => {
        const db = await seed(tmp.dir);
        const garbage = Buffer.alloc(16384, 0x42);
        writeFileSync(db, garbage);
        const r = await runCli([
          'gallery',
          'add',
          '--data',
          tmp.dir,
          '--name',
          'B',
          '--reason',
          'r',
          knn('train', 'biden', 'biden.jpg'),
          '--json',
        ]);
        expect(r.code).toBe(1);
        expect(r.lines[0]).toMatchObject({ error: { code: 'ARGUS_E_GALLERY_CORRUPT' } });
        expect(readFileSync(db).equals(garbage)).toBe(true);
      },
      TIMEOUT,
    );
  });
});

/** Whether every directory from / down to `dir` lets other users through (o+x). */
function othersCanReach(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}
