/**
 * `argus serve` builds the gallery index in a worker thread (dist/src/gallery/index-build-worker.js:
 * run `npm run build` first). Real SQLite, real hnswlib, real worker thread.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ArgusError } from '../../../src/errors/argus-error';
import type { Gallery } from '../../../src/gallery/gallery';
import { VECTORS_FILE } from '../../../src/gallery/hnsw-vector-index';
import { galleryPaths, openGallery } from '../../../src/gallery/open-gallery';
import {
  ENROLLER,
  exactUnitVector,
  nearby,
  openTestGallery,
  seeded,
  TEST_MODEL,
  tempDir,
  testConfig,
  unitVector,
} from '../../helpers/gallery-fixtures';

jest.setTimeout(120_000);

const rand = seeded(11);
const PEOPLE = 1500;
const people = Array.from({ length: PEOPLE }, () => unitVector(512, rand));

function dbTemplateIds(dataDir: string): number[] {
  const db = new Database(galleryPaths(dataDir).database, { readonly: true });
  try {
    return (db.prepare('SELECT id FROM templates ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  } finally {
    db.close();
  }
}

describe('gallery index built in a worker thread (indexInBackground)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let ids: string[];
  let gallery: Gallery | undefined;

  beforeAll(async () => {
    tmp = tempDir('gallery-bg');
    const g = openTestGallery(tmp.dir);
    ids = people.map(
      (p, i) => g.enrolTemplates({ name: `p${i}`, ...ENROLLER }, [{ embedding: p }]).identity.id,
    );
    await g.close();
  });
  afterEach(async () => {
    await gallery?.close();
    gallery = undefined;
  });
  afterAll(() => tmp.cleanup());

  const open = (extra: { exactWhileBuilding?: number } = {}) =>
    openGallery({
      config: testConfig(tmp.dir),
      create: false,
      embedder: { ...TEST_MODEL },
      indexInBackground: true,
      ...extra,
    });
  const dropIndex = () =>
    rmSync(path.join(galleryPaths(tmp.dir).dir, 'index'), { recursive: true, force: true });

  it('searches exactly while the worker rebuilds a missing index, keeps the event loop free, then swaps the index in', async () => {
    dropIndex();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      gallery = open();
      expect(gallery.indexState.state).toBe('exact');
      // Exact search meanwhile: the right person, at once.
      expect(gallery.searchByEmbedding(nearby(people[7]!, 0.7, rand), 1)[0]?.identity.id).toBe(ids[7]);
      // An enrolment during the build is searchable now and after the swap (caught up).
      const late = unitVector(512, rand);
      const lateId = gallery.enrolTemplates({ name: 'late', ...ENROLLER }, [{ embedding: late }]).identity.id;
      expect(gallery.searchByEmbedding(nearby(late, 0.7, rand), 1)[0]?.identity.id).toBe(lateId);
      const ticksBefore = ticks;
      await gallery.indexReady;
      // The timer kept firing while the worker built the graph of 1500 vectors.
      expect(ticks - ticksBefore).toBeGreaterThan(3);
      expect(gallery.indexState.state).toBe('rebuilt');
      expect(gallery.searchByEmbedding(nearby(people[42]!, 0.7, rand), 1)[0]?.identity.id).toBe(ids[42]);
      expect(gallery.searchByEmbedding(nearby(late, 0.7, rand), 1)[0]?.identity.id).toBe(lateId);
      expect(gallery.indexLabels()).toEqual(dbTemplateIds(tmp.dir));
      gallery.deleteIdentity(lateId, { by: 'jest', reason: 'cleanup' });
    } finally {
      clearInterval(timer);
    }
  });

  it('loads an index that is in step in the worker too (state loaded)', async () => {
    gallery = open();
    await gallery.indexReady;
    expect(gallery.indexState.state).toBe('loaded');
    expect(gallery.searchByEmbedding(nearby(people[3]!, 0.7, rand), 1)[0]?.identity.id).toBe(ids[3]);
  });

  it('refuses searches with ARGUS_E_GALLERY_INDEX_BUILDING when the gallery is too big to search exactly meanwhile', async () => {
    dropIndex();
    gallery = open({ exactWhileBuilding: 100 });
    expect(gallery.indexState.state).toBe('building');
    let err: unknown;
    try {
      gallery.searchByEmbedding(people[0]!, 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ArgusError);
    expect((err as ArgusError).code).toBe('ARGUS_E_GALLERY_INDEX_BUILDING');
    expect((err as ArgusError).status).toBe(503);
    await gallery.indexReady;
    expect(gallery.indexState.state).toBe('rebuilt');
    expect(gallery.searchByEmbedding(nearby(people[9]!, 0.7, rand), 1)[0]?.identity.id).toBe(ids[9]);
  });

  it('an erasure during the build leaves no trace of the erased face in the swapped-in index or its file', async () => {
    // A vector whose bytes survive hnswlib's normalisation, so the file can be searched for it.
    const face = exactUnitVector(512, 64, rand);
    const g = open({ exactWhileBuilding: 100_000 });
    const gone = g.enrolTemplates({ name: 'erase me', ...ENROLLER }, [{ embedding: face }]).identity.id;
    await g.indexReady;
    await g.close();
    dropIndex();
    gallery = open();
    expect(gallery.indexState.state).toBe('exact');
    gallery.deleteIdentity(gone, { by: 'dpo', reason: 'erasure during build' });
    await gallery.indexReady;
    expect(gallery.indexState.state).toBe('rebuilt');
    expect(gallery.searchByEmbedding(face, 1)[0]?.identity.id).not.toBe(gone);
    expect(gallery.indexLabels()).toEqual(dbTemplateIds(tmp.dir));
    await gallery.close();
    gallery = undefined;
    const indexDir = path.join(galleryPaths(tmp.dir).dir, 'index');
    expect(readdirSync(indexDir)).toContain(VECTORS_FILE);
    for (const f of readdirSync(indexDir)) {
      expect(readFileSync(path.join(indexDir, f)).includes(Buffer.from(face.buffer))).toBe(false);
    }
  });
});
