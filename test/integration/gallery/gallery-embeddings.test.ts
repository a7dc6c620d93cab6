import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ArgusError } from '../../../src/errors/argus-error';
import type { Gallery } from '../../../src/gallery/gallery';
import { INDEX_FILE, SIDECAR_FILE, VECTORS_FILE } from '../../../src/gallery/hnsw-vector-index';
import { galleryPaths, openGallery } from '../../../src/gallery/open-gallery';
import {
  ENROLLER,
  nearby,
  openTestGallery,
  seeded,
  tempDir,
  testConfig,
  unitVector,
} from '../../helpers/gallery-fixtures';

async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ArgusError) return err.code;
    throw err;
  }
  return 'no error';
}

const rand = seeded(7);
const people = Array.from({ length: 20 }, () => unitVector(512, rand));

function enrolPeople(g: Gallery, n = people.length): string[] {
  return people
    .slice(0, n)
    .map(
      (p, i) =>
        g.enrolTemplates({ name: `person ${i}`, ...ENROLLER }, [
          { embedding: nearby(p, 0.8, rand) },
          { embedding: nearby(p, 0.8, rand) },
        ]).identity.id,
    );
}

function dbTemplateIds(dataDir: string): number[] {
  const db = new Database(galleryPaths(dataDir).database, { readonly: true });
  try {
    return (db.prepare('SELECT id FROM templates ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  } finally {
    db.close();
  }
}

describe('Gallery with precomputed embeddings (real SQLite and HNSW)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let gallery: Gallery;

  beforeEach(() => {
    tmp = tempDir('gallery-emb');
    gallery = openTestGallery(tmp.dir);
  });
  afterEach(async () => {
    await gallery.close();
    tmp.cleanup();
  });

  it('enrols, finds the right identity first with a match, and applies the margin', () => {
    const ids = enrolPeople(gallery);
    const matches = gallery.searchByEmbedding(nearby(people[3]!, 0.8, rand), 5);
    expect(matches).toHaveLength(5);
    expect(matches[0]!.identity).toEqual({ id: ids[3], name: 'person 3' });
    expect(matches[0]!.match).toBe(true);
    expect(matches[0]!.margin).toBeGreaterThan(0.3);
    expect(matches[0]!.fmr).toBeGreaterThan(0);
    expect(matches[0]!.fmr).toBeLessThan(0.01);
    expect(matches.slice(1).every((m) => !m.match && m.margin < 0)).toBe(true);
    const sims = matches.map((m) => m.similarity);
    expect(sims).toEqual([...sims].sort((a, b) => b - a));
    // A stranger matches no one.
    expect(gallery.searchByEmbedding(unitVector(512, rand), 3).some((m) => m.match)).toBe(false);
  });

  it('refuses a match when two identities are look-alikes (margin)', () => {
    const twin = nearby(people[0]!, 0.95, rand);
    gallery.enrolTemplates({ name: 'a', ...ENROLLER }, [{ embedding: people[0]! }]);
    gallery.enrolTemplates({ name: 'b', ...ENROLLER }, [{ embedding: twin }]);
    const [first, second] = gallery.searchByEmbedding(nearby(people[0]!, 0.9, rand), 2);
    expect(first!.similarity).toBeGreaterThan(0.4);
    expect(first!.margin).toBeLessThan(0.05);
    expect([first!.match, second!.match]).toEqual([false, false]);
  });

  it('returns no matches from an empty gallery', () => {
    expect(gallery.searchByEmbedding(people[0]!, 5)).toEqual([]);
  });

  it('skips and reports duplicate templates (same image hash) instead of storing them twice', () => {
    const e = people[1]!;
    const r = gallery.enrolTemplates({ name: 'dup', ...ENROLLER }, [
      { embedding: e, imageSha256: 'a'.repeat(64) },
      { embedding: nearby(e, 0.9, rand), imageSha256: 'a'.repeat(64) },
    ]);
    expect(r.added).toBe(1);
    expect(r.images.map((i) => i.status)).toEqual(['enrolled', 'duplicate']);
    const again = gallery.addTemplateEmbeddings(r.identity.id, [
      { embedding: e, imageSha256: 'a'.repeat(64) },
    ]);
    expect(again.added).toBe(0);
    expect(again.images[0]).toMatchObject({ status: 'duplicate', code: 'ARGUS_E_GALLERY_DUPLICATE_IMAGE' });
    expect(gallery.get(r.identity.id).templates).toBe(1);
  });

  it.each([
    [
      'an embedding of the wrong length',
      (g: Gallery) => g.searchByEmbedding(new Float32Array(128)),
      'ARGUS_E_EMBEDDING_INVALID',
    ],
    [
      'enrolling an embedding of the wrong length',
      (g: Gallery) =>
        g.enrolTemplates({ name: 'x', ...ENROLLER }, [{ embedding: new Float32Array(511).fill(1) }]),
      'ARGUS_E_EMBEDDING_INVALID',
    ],
    [
      'an embedding with NaN',
      (g: Gallery) => g.searchByEmbedding(new Float32Array(512).fill(Number.NaN)),
      'ARGUS_E_EMBEDDING_INVALID',
    ],
    [
      'an embedding of another model',
      (g: Gallery) =>
        g.enrolTemplates({ name: 'x', ...ENROLLER }, [{ embedding: people[0]!, modelId: 'arcface_r100' }]),
      'ARGUS_E_GALLERY_MODEL_MISMATCH',
    ],
    [
      'searching with another model',
      (g: Gallery) => g.searchByEmbedding(people[0]!, 5, 'other'),
      'ARGUS_E_GALLERY_MODEL_MISMATCH',
    ],
    [
      'an unknown identity id (get)',
      (g: Gallery) => g.get('no-such-id'),
      'ARGUS_E_GALLERY_IDENTITY_NOT_FOUND',
    ],
    [
      'an unknown identity id (delete)',
      (g: Gallery) => g.deleteIdentity('no-such-id', { by: 't', reason: 'r' }),
      'ARGUS_E_GALLERY_IDENTITY_NOT_FOUND',
    ],
    [
      'an unknown identity id (add templates)',
      (g: Gallery) => g.addTemplateEmbeddings('no-such-id', [{ embedding: people[0]! }]),
      'ARGUS_E_GALLERY_IDENTITY_NOT_FOUND',
    ],
    [
      'an unknown template id',
      (g: Gallery) => g.removeTemplate(999, { by: 't', reason: 'r' }),
      'ARGUS_E_GALLERY_TEMPLATE_NOT_FOUND',
    ],
    [
      'a name over the size limit',
      (g: Gallery) => g.enrolTemplates({ name: 'n'.repeat(201), ...ENROLLER }, [{ embedding: people[0]! }]),
      'ARGUS_E_GALLERY_IDENTITY_INVALID',
    ],
    [
      'metadata over the size limit',
      (g: Gallery) =>
        g.enrolTemplates({ name: 'x', ...ENROLLER, metadata: { blob: 'm'.repeat(5000) } }, [
          { embedding: people[0]! },
        ]),
      'ARGUS_E_GALLERY_IDENTITY_INVALID',
    ],
    [
      'a missing reason',
      (g: Gallery) =>
        g.enrolTemplates(
          { name: 'x', enrolledBy: 'op' } as unknown as Parameters<Gallery['enrolTemplates']>[0],
          [{ embedding: people[0]! }],
        ),
      'ARGUS_E_GALLERY_IDENTITY_INVALID',
    ],
    [
      'a deletion without a reason',
      (g: Gallery) => g.deleteIdentity('x', { by: 'op', reason: ' ' }),
      'ARGUS_E_GALLERY_IDENTITY_INVALID',
    ],
  ])('rejects %s with its code and stores nothing', async (_label, fn, code) => {
    expect(await codeOf(() => fn(gallery))).toBe(code);
    expect(gallery.stats()).toMatchObject({ identities: 0, templates: 0 });
  });

  it('caps the templates of one identity (gallery.maxTemplatesPerIdentity)', async () => {
    await gallery.close();
    gallery = openTestGallery(tmp.dir, { config: { gallery: { maxTemplatesPerIdentity: 2 } } });
    const id = enrolPeople(gallery, 1)[0]!;
    expect(await codeOf(() => gallery.addTemplateEmbeddings(id, [{ embedding: people[5]! }]))).toBe(
      'ARGUS_E_GALLERY_TOO_MANY_TEMPLATES',
    );
  });

  it('lists identities by offset and by cursor, the cursor stable across deletions', () => {
    const ids = enrolPeople(gallery, 7);
    const first = gallery.list({ limit: 3 });
    expect(first.total).toBe(7);
    expect(first.identities.map((i) => i.id)).toEqual(ids.slice(0, 3));
    expect(first.identities[0]).toMatchObject({ name: 'person 0', templates: 2, reason: ENROLLER.reason });
    expect(gallery.list({ limit: 3, offset: 3 }).identities.map((i) => i.id)).toEqual(ids.slice(3, 6));
    gallery.deleteIdentity(ids[1]!, { by: 'op', reason: 'erasure request' });
    const second = gallery.list({ limit: 3, cursor: first.nextCursor! });
    expect(second.identities.map((i) => i.id)).toEqual(ids.slice(3, 6));
    const last = gallery.list({ limit: 3, cursor: second.nextCursor! });
    expect(last.identities.map((i) => i.id)).toEqual([ids[6]]);
    expect(last.nextCursor).toBeNull();
  });

  it('erases an identity: rows, vectors and every stored byte of its embeddings; logs the deletion without biometrics', async () => {
    const exact = (seed: number) => {
      const r = seeded(seed);
      return Float32Array.from({ length: 512 }, (_, i) => (i < 256 ? (r() < 0.5 ? -1 : 1) / 16 : 0));
    };
    const keep = gallery.enrolTemplates({ name: 'Keep', ...ENROLLER }, [{ embedding: exact(1) }]).identity;
    const gone = gallery.enrolTemplates({ name: 'Erase Me', ...ENROLLER }, [
      { embedding: exact(2) },
      { embedding: exact(3) },
    ]).identity;
    await gallery.close();
    gallery = openTestGallery(tmp.dir);
    const del = gallery.deleteIdentity(gone.id, { by: 'dpo', reason: 'erasure request #7' });
    expect(del).toMatchObject({ identityId: gone.id, templates: 2, walTruncated: true });
    expect(gallery.searchByEmbedding(exact(2), 5).map((m) => m.identity.id)).toEqual([keep.id]);

    const bytesOf = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    const { dir, database } = galleryPaths(tmp.dir);
    // Every file the index writes (graph, full vectors, sidecar), not a list that could miss one.
    const indexFiles = readdirSync(path.join(dir, 'index')).map((f) => path.join(dir, 'index', f));
    expect(indexFiles.map((f) => path.basename(f)).sort()).toEqual(
      [INDEX_FILE, SIDECAR_FILE, VECTORS_FILE].sort(),
    );
    const files = [database, `${database}-wal`, ...indexFiles];
    const contents = files.map((f) => {
      try {
        return readFileSync(f);
      } catch {
        return Buffer.alloc(0);
      }
    });
    for (const seed of [2, 3]) {
      expect(contents.map((c) => c.includes(bytesOf(exact(seed))))).toEqual(files.map(() => false));
    }
    // The kept identity's template is still there (so the search above is a fair test).
    expect(contents[0]!.includes(bytesOf(exact(1))) || contents[1]!.includes(bytesOf(exact(1)))).toBe(true);
    expect(contents.some((c) => c.includes(Buffer.from('Erase Me')))).toBe(false);

    const db = new Database(database, { readonly: true });
    const log = db.prepare('SELECT * FROM deletions').all();
    db.close();
    expect(log).toEqual([
      expect.objectContaining({
        kind: 'identity',
        identity_id: gone.id,
        deleted_by: 'dpo',
        reason: 'erasure request #7',
        template_count: 2,
      }),
    ]);
    expect(Object.keys(log[0] as object).sort()).toEqual(
      [
        'deleted_at',
        'deleted_by',
        'id',
        'identity_id',
        'kind',
        'reason',
        'template_count',
        'template_id',
      ].sort(),
    );
  });

  it('removes a single template from its identity and the index', () => {
    const r = gallery.enrolTemplates({ name: 'two', ...ENROLLER }, [
      { embedding: people[0]! },
      { embedding: people[1]! },
    ]);
    const [t1] = gallery.get(r.identity.id).templateList;
    gallery.removeTemplate(t1!.id, { by: 'op', reason: 'bad photo' });
    expect(gallery.get(r.identity.id).templates).toBe(1);
    expect(gallery.indexLabels()).toEqual(dbTemplateIds(tmp.dir));
    expect(gallery.searchByEmbedding(people[0]!, 1)[0]!.templateId).not.toBe(t1!.id);
  });

  describe('the index is derived data', () => {
    it('loads the saved index when it is in step, and rebuilds it when missing, damaged or of another model', async () => {
      enrolPeople(gallery, 10);
      const labels = gallery.indexLabels();
      await gallery.close();
      const indexDir = path.join(galleryPaths(tmp.dir).dir, 'index');

      gallery = openTestGallery(tmp.dir);
      expect(gallery.indexState.state).toBe('loaded');
      await gallery.close();

      rmSync(path.join(indexDir, INDEX_FILE));
      const progress: number[] = [];
      gallery = openGallery({
        config: testConfig(tmp.dir),
        create: false,
        embedder: { modelId: 'fr_feature', dim: 512 },
        onIndexProgress: (done) => progress.push(done),
      });
      expect(gallery.indexState.state).toBe('rebuilt');
      expect(progress[progress.length - 1]).toBe(20);
      expect(gallery.indexLabels()).toEqual(labels);
      await gallery.close();

      const f = path.join(indexDir, INDEX_FILE);
      const bytes = readFileSync(f);
      bytes.writeUInt8(bytes.readUInt8(100) ^ 0xff, 100);
      writeFileSync(f, bytes);
      gallery = openTestGallery(tmp.dir);
      expect(gallery.indexState).toMatchObject({
        state: 'rebuilt',
        reason: expect.stringContaining('checksum'),
      });
      await gallery.close();

      const sidecarPath = path.join(indexDir, SIDECAR_FILE);
      const sidecar = JSON.parse(readFileSync(sidecarPath, 'utf8')) as { modelId: string };
      writeFileSync(sidecarPath, JSON.stringify({ ...sidecar, modelId: 'other_model' }));
      gallery = openTestGallery(tmp.dir);
      expect(gallery.indexState).toMatchObject({
        state: 'rebuilt',
        reason: expect.stringContaining('other_model'),
      });
      expect(gallery.indexLabels()).toEqual(labels);
    });

    it('catches up with enrolments and rebuilds after deletions made by another process', async () => {
      const ids = enrolPeople(gallery, 4);
      const other = openTestGallery(tmp.dir);
      try {
        const added = other.enrolTemplates({ name: 'late', ...ENROLLER }, [{ embedding: people[10]! }]);
        expect(gallery.searchByEmbedding(people[10]!, 1)[0]!.identity.id).toBe(added.identity.id);
        expect(gallery.indexState.state).toBe('caught-up');
        other.deleteIdentity(ids[0]!, { by: 'op', reason: 'r' });
        const hits = gallery.searchByEmbedding(people[0]!, 5).map((m) => m.identity.id);
        expect(hits).not.toContain(ids[0]);
        expect(gallery.indexState.state).toBe('rebuilt');
        expect(gallery.indexLabels()).toEqual(dbTemplateIds(tmp.dir));
      } finally {
        await other.close();
      }
    });
  });

  it('keeps a gallery of another model readable and erasable, but refuses to mix embeddings', async () => {
    const id = enrolPeople(gallery, 1)[0]!;
    await gallery.close();
    gallery = openGallery({
      config: testConfig(tmp.dir),
      create: false,
      embedder: { modelId: 'newer_model', dim: 512 },
    });
    expect(await codeOf(() => gallery.searchByEmbedding(people[0]!))).toBe('ARGUS_E_GALLERY_MODEL_MISMATCH');
    expect(
      await codeOf(() => gallery.enrolTemplates({ name: 'x', ...ENROLLER }, [{ embedding: people[1]! }])),
    ).toBe('ARGUS_E_GALLERY_MODEL_MISMATCH');
    expect(gallery.list().total).toBe(1);
    gallery.deleteIdentity(id, { by: 'op', reason: 'erasure' });
    expect(gallery.stats()).toMatchObject({ identities: 0, templates: 0, deletions: 1 });
  });
});
