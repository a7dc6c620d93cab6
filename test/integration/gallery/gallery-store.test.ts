import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ArgusError } from '../../../src/errors/argus-error';
import { GalleryStore } from '../../../src/gallery/gallery-store';
import { galleryPaths } from '../../../src/gallery/open-gallery';
import { ENROLLER, openTestGallery, TEST_MODEL, tempDir } from '../../helpers/gallery-fixtures';

const OPEN = { create: true, busyTimeoutMs: 1000, ...TEST_MODEL };

function errorOf(fn: () => unknown): ArgusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ArgusError) return err;
    throw err;
  }
  throw new Error('expected an ArgusError');
}

describe('GalleryStore (real SQLite)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    tmp = tempDir('store');
    file = galleryPaths(tmp.dir).database;
  });
  afterEach(() => tmp.cleanup());

  it('creates the schema once, records its migrations, and uses WAL', () => {
    GalleryStore.open(file, OPEN).close();
    GalleryStore.open(file, OPEN).close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual([
        { version: 1, name: 'identities, templates, deletions, meta' },
        { version: 2, name: 'identity photos' },
      ]);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const meta = Object.fromEntries(
        (db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: unknown }>).map(
          (r) => [r.key, r.value],
        ),
      );
      expect(meta).toMatchObject({ model_id: 'fr_feature', dim: 512, generation: 0, template_count: 0 });
    } finally {
      db.close();
    }
  });

  it('upgrades a gallery of schema version 1 (session 1) by adding the photos table', () => {
    GalleryStore.open(file, OPEN).close();
    const w = new Database(file);
    w.exec('DROP TABLE identity_photos; DELETE FROM schema_migrations WHERE version = 2;');
    w.close();
    const store = GalleryStore.open(file, OPEN);
    expect(store.photo('nobody')).toBeUndefined();
    store.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: 2 });
    } finally {
      db.close();
    }
  });

  it('does not create a gallery for a read command (ARGUS_E_GALLERY_NOT_FOUND)', () => {
    expect(errorOf(() => GalleryStore.open(file, { ...OPEN, create: false })).code).toBe(
      'ARGUS_E_GALLERY_NOT_FOUND',
    );
  });

  it('refuses a read-only database file with ARGUS_E_GALLERY_READONLY and leaves it as it was', async () => {
    const g = openTestGallery(tmp.dir);
    g.enrolTemplates({ name: 'Ann', ...ENROLLER }, [{ embedding: new Float32Array(512).fill(1) }]);
    await g.close();
    chmodSync(file, 0o444);
    const before = readFileSync(file);
    const err = errorOf(() => GalleryStore.open(file, OPEN));
    expect(err.code).toBe('ARGUS_E_GALLERY_READONLY');
    expect(err.message).toContain(file);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it.each([
    ['random bytes', () => Buffer.alloc(8192, 0x5a)],
    [
      'a database with a damaged header',
      (f: string) => {
        const bytes = readFileSync(f);
        bytes.write('not sqlite format', 0);
        return bytes;
      },
    ],
  ])(
    'refuses a corrupt database file (%s) with ARGUS_E_GALLERY_CORRUPT, never starting empty',
    (_l, content) => {
      GalleryStore.open(file, OPEN).close();
      const bytes = content(file);
      writeFileSync(file, bytes);
      const err = errorOf(() => GalleryStore.open(file, OPEN));
      expect(err.code).toBe('ARGUS_E_GALLERY_CORRUPT');
      expect(readFileSync(file).equals(bytes)).toBe(true);
    },
  );

  it('refuses a SQLite database that is not a gallery', () => {
    mkdirSync(path.dirname(file), { recursive: true });
    const other = new Database(file);
    other.exec('CREATE TABLE invoices (id INTEGER)');
    other.close();
    const err = errorOf(() => GalleryStore.open(file, OPEN));
    expect(err.code).toBe('ARGUS_E_GALLERY_CORRUPT');
    expect(err.message).toContain('invoices');
  });

  it('refuses a gallery written by a newer schema', () => {
    GalleryStore.open(file, OPEN).close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_migrations VALUES (99, 'future', 'now')").run();
    db.close();
    expect(errorOf(() => GalleryStore.open(file, OPEN)).message).toContain('schema version 99');
  });
});
