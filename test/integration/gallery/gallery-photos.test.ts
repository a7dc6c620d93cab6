/** Identity reference photos (real models, real SQLite, sharp): made at enrolment, erased with the identity. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import type { Gallery } from '../../../src/gallery/gallery';
import { INDEX_FILE, SIDECAR_FILE } from '../../../src/gallery/hnsw-vector-index';
import { galleryPaths } from '../../../src/gallery/open-gallery';
import { createFaceAnalyzer } from '../../../src/vision/create-face-analyzer';
import type { FaceAnalyzer } from '../../../src/vision/face-analyzer';
import { fixture } from '../../helpers/fixtures';
import {
  ENROLLER,
  openTestGallery,
  seeded,
  tempDir,
  testConfig,
  unitVector,
} from '../../helpers/gallery-fixtures';

jest.setTimeout(120_000);

const train = (...p: string[]) => fixture('face_recognition', 'knn_examples', 'train', ...p);

/** 48-byte pieces of `buf` every 256 bytes: a BLOB spread over SQLite pages still contains most of them. */
function pieces(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let o = 0; o + 48 <= buf.length; o += 256) out.push(buf.subarray(o, o + 48));
  return out;
}

describe('identity photos (real models)', () => {
  let analyzer: FaceAnalyzer;
  let tmp: ReturnType<typeof tempDir>;
  let gallery: Gallery;

  beforeAll(async () => {
    analyzer = await createFaceAnalyzer(testConfig('/nonexistent'), { workers: 2 });
  });
  afterAll(async () => {
    await analyzer.close();
  });
  beforeEach(() => {
    tmp = tempDir('gallery-photo');
    gallery = openTestGallery(tmp.dir, { faces: async () => analyzer });
  });
  afterEach(async () => {
    await gallery.close();
    tmp.cleanup();
  });

  const dbRows = <T>(sql: string, ...args: unknown[]): T[] => {
    const db = new Database(galleryPaths(tmp.dir).database, { readonly: true });
    try {
      return db.prepare(sql).all(...args) as T[];
    } finally {
      db.close();
    }
  };

  it('keeps one small JPEG face crop per identity, from its best-quality enrolment image', async () => {
    const r = await gallery.enrol({ name: 'Obama', ...ENROLLER }, [
      train('obama', 'obama.jpg'),
      train('obama', 'obama2.jpg'),
    ]);
    const photo = gallery.photo(r.identity.id);
    expect(photo).toBeInstanceOf(Buffer);
    expect([...photo!.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const meta = await sharp(photo!).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(160);
    expect(Math.max(meta.width!, meta.height!)).toBeGreaterThanOrEqual(100);
    expect(photo!.length).toBeLessThan(20_000);
    const best = dbRows<{ id: number }>(
      'SELECT id FROM templates WHERE identity_id = ? ORDER BY quality DESC LIMIT 1',
      r.identity.id,
    )[0]!.id;
    expect(dbRows<{ template_id: number }>('SELECT template_id FROM identity_photos')).toEqual([
      { template_id: best },
    ]);
    // The photo is a face: the analyzer finds exactly one in it.
    const decoded = await sharp(photo!).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const { faces } = await analyzer.analyze(
      { width: decoded.info.width, height: decoded.info.height, data: new Uint8Array(decoded.data) },
      { embed: false },
    );
    expect(faces.length).toBe(1);
  });

  it('has no photo for an identity enrolled from bare embeddings, or an unknown id', () => {
    const r = gallery.enrolTemplates({ name: 'vector only', ...ENROLLER }, [
      { embedding: unitVector(512, seeded(1)) },
    ]);
    expect(gallery.photo(r.identity.id)).toBeUndefined();
    expect(gallery.photo('no-such-id')).toBeUndefined();
  });

  it('erases the photo with its template', async () => {
    const r = await gallery.enrol({ name: 'Biden', ...ENROLLER }, [train('biden', 'biden.jpg')]);
    expect(gallery.photo(r.identity.id)).toBeDefined();
    await gallery.addTemplates(r.identity.id, [train('biden', 'biden2.jpg')]);
    const holder = dbRows<{ template_id: number }>('SELECT template_id FROM identity_photos')[0]!.template_id;
    gallery.removeTemplate(holder, { by: 'dpo', reason: 'bad photo' });
    // The photo was that template's face: it goes with it (the identity has none until a new image).
    expect(dbRows('SELECT * FROM identity_photos')).toEqual([]);
    expect(gallery.photo(r.identity.id)).toBeUndefined();
    expect(gallery.get(r.identity.id).templateList).toHaveLength(1);
  });

  it('erasure removes the photo and leaves none of its bytes in the database, WAL or index files', async () => {
    const keep = await gallery.enrol({ name: 'Keep', ...ENROLLER }, [train('rose_leslie', 'img1.jpg')]);
    const gone = await gallery.enrol({ name: 'Erase Me', ...ENROLLER }, [
      train('kit_harington', 'john1.jpeg'),
    ]);
    const photo = gallery.photo(gone.identity.id)!;
    const { dir, database } = galleryPaths(tmp.dir);
    const files = [
      database,
      `${database}-wal`,
      path.join(dir, 'index', INDEX_FILE),
      path.join(dir, 'index', SIDECAR_FILE),
    ];
    const read = () =>
      files.map((f) => {
        try {
          return readFileSync(f);
        } catch {
          return Buffer.alloc(0);
        }
      });
    // Pieces of this photo only: the JPEG headers (quantisation and Huffman tables) are the same in
    // every photo, so pieces that the kept photo also contains prove nothing.
    const other = gallery.photo(keep.identity.id)!;
    const own = pieces(photo).filter((p) => !other.includes(p));
    expect(own.length).toBeGreaterThan(5);
    const found = (contents: Buffer[]) => own.filter((p) => contents.some((c) => c.includes(p))).length;
    // Positive control: before the erasure the photo's bytes are on disk.
    expect(found(read())).toBeGreaterThan(own.length / 2);

    gallery.deleteIdentity(gone.identity.id, { by: 'dpo', reason: 'erasure request' });
    expect(gallery.photo(gone.identity.id)).toBeUndefined();
    expect(gallery.photo(keep.identity.id)).toBeDefined();
    expect(found(read())).toBe(0);
    await gallery.close();
    gallery = openTestGallery(tmp.dir, { faces: async () => analyzer });
    expect(found(read())).toBe(0);
  });
});
