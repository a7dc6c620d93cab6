import Database from 'better-sqlite3';
import { ArgusError } from '../../../src/errors/argus-error';
import type { Gallery } from '../../../src/gallery/gallery';
import { galleryPaths } from '../../../src/gallery/open-gallery';
import { createFaceAnalyzer } from '../../../src/vision/create-face-analyzer';
import type { FaceAnalyzer } from '../../../src/vision/face-analyzer';
import { fixture } from '../../helpers/fixtures';
import { ENROLLER, openTestGallery, tempDir, testConfig } from '../../helpers/gallery-fixtures';

const train = (...p: string[]) => fixture('face_recognition', 'knn_examples', 'train', ...p);
const OBAMA = train('obama', 'obama.jpg');
const OBAMA2 = train('obama', 'obama2.jpg');

async function rejection(p: Promise<unknown>): Promise<ArgusError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ArgusError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('Gallery enrolment from images (real models)', () => {
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
    tmp = tempDir('gallery-img');
    gallery = openTestGallery(tmp.dir, { faces: async () => analyzer });
  });
  afterEach(async () => {
    await gallery.close();
    tmp.cleanup();
  });

  it('enrols one dominant face per image and finds the person with another photo', async () => {
    const r = await gallery.enrol({ name: 'Obama', ...ENROLLER }, [OBAMA, OBAMA2]);
    expect(r.added).toBe(2);
    expect(r.images.map((i) => i.status)).toEqual(['enrolled', 'enrolled']);
    const { matches } = await gallery.searchByImage(
      fixture('face_recognition', 'knn_examples', 'test', 'obama1.jpg'),
    );
    expect(matches[0]).toMatchObject({ identity: { id: r.identity.id, name: 'Obama' }, match: true });
  });

  it.each([
    ['an image with no face', fixture('bad', 'noface.jpg'), 'ARGUS_E_NO_FACE'],
    [
      'an image with two faces of similar size',
      fixture('face_recognition', 'two_people.jpg'),
      'ARGUS_E_GALLERY_MULTIPLE_FACES',
    ],
    ['a truncated image', fixture('bad', 'truncated.jpg'), 'ARGUS_E_IMAGE_CORRUPT'],
    ['a text file named .jpg', fixture('bad', 'text.jpg'), 'ARGUS_E_IMAGE_UNSUPPORTED_FORMAT'],
    ['an empty file', fixture('bad', 'empty.jpg'), 'ARGUS_E_IMAGE_EMPTY'],
    ['a missing file', fixture('bad', 'does-not-exist.jpg'), 'ARGUS_E_FILE_NOT_FOUND'],
  ])('rejects %s with its own code and creates no identity', async (_label, file, code) => {
    const err = await rejection(gallery.enrol({ name: 'x', ...ENROLLER }, [file]));
    expect(err.code).toBe(code);
    expect(gallery.stats()).toMatchObject({ identities: 0, templates: 0 });
  });

  it('enrols the usable images of a request and reports the others', async () => {
    const r = await gallery.enrol({ name: 'Obama', ...ENROLLER }, [
      fixture('bad', 'noface.jpg'),
      OBAMA,
      fixture('face_recognition', 'two_people.jpg'),
      OBAMA,
    ]);
    expect(r.added).toBe(1);
    expect(r.images.map((i) => [i.status, 'code' in i ? i.code : ''])).toEqual([
      ['rejected', 'ARGUS_E_NO_FACE'],
      ['enrolled', ''],
      ['rejected', 'ARGUS_E_GALLERY_MULTIPLE_FACES'],
      ['duplicate', 'ARGUS_E_GALLERY_DUPLICATE_IMAGE'],
    ]);
  });

  it('says why when no image of a request is usable', async () => {
    const err = await rejection(
      gallery.enrol({ name: 'x', ...ENROLLER }, [fixture('bad', 'noface.jpg'), fixture('bad', 'text.jpg')]),
    );
    expect(err.code).toBe('ARGUS_E_GALLERY_NO_USABLE_IMAGE');
    expect(err.message).toContain('ARGUS_E_NO_FACE');
    expect(err.message).toContain('ARGUS_E_IMAGE_UNSUPPORTED_FORMAT');
  });

  it('skips an image the identity already has (duplicate by sha256), without analysing it', async () => {
    const r = await gallery.enrol({ name: 'Obama', ...ENROLLER }, [OBAMA]);
    const again = await gallery.addTemplates(r.identity.id, [OBAMA]);
    expect(again.added).toBe(0);
    expect(again.images).toEqual([
      { source: OBAMA, status: 'duplicate', code: 'ARGUS_E_GALLERY_DUPLICATE_IMAGE' },
    ]);
  });

  it('rejects a face below the quality floor', async () => {
    await gallery.close();
    gallery = openTestGallery(tmp.dir, {
      faces: async () => analyzer,
      config: { gallery: { minQuality: 0.99 } },
    });
    const err = await rejection(gallery.enrol({ name: 'x', ...ENROLLER }, [OBAMA2]));
    expect(err.code).toBe('ARGUS_E_GALLERY_LOW_QUALITY');
    expect(err.message).toMatch(/quality 0\.\d+, below the enrolment floor 0\.99/);
  });

  it('leaves no orphan template or vector when an identity is deleted while images are being added to it', async () => {
    const r = await gallery.enrol({ name: 'Obama', ...ENROLLER }, [OBAMA]);
    const adding = gallery.addTemplates(r.identity.id, [OBAMA2, train('obama', 'obama2.jpg')]);
    // The images are being analysed on worker threads; the deletion commits meanwhile.
    gallery.deleteIdentity(r.identity.id, { by: 'op', reason: 'erasure' });
    expect((await rejection(adding)).code).toBe('ARGUS_E_GALLERY_IDENTITY_NOT_FOUND');
    const db = new Database(galleryPaths(tmp.dir).database, { readonly: true });
    const rows = db.prepare('SELECT count(*) AS n FROM templates').get() as { n: number };
    db.close();
    expect(rows.n).toBe(0);
    expect(gallery.indexLabels()).toEqual([]);
    expect(gallery.searchByEmbedding(new Float32Array(512).fill(1))).toEqual([]);
  });
});
