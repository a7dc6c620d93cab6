/** Watchlist filters in search: Gallery.searchByEmbedding (real SQLite + HNSW) and the CLI (real models). */
import type { Gallery } from '../../../src/gallery/gallery';
import { fixture } from '../../helpers/fixtures';
import {
  ENROLLER,
  nearby,
  openTestGallery,
  seeded,
  tempDir,
  unitVector,
} from '../../helpers/gallery-fixtures';
import { runCli } from '../../helpers/run-cli';

const rand = seeded(23);

describe('searchByEmbedding with watchlists (real SQLite and HNSW)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let gallery: Gallery;
  const people = Array.from({ length: 600 }, () => unitVector(512, rand));
  let ids: string[];
  // Every 50th person is on "vip", every 7th on "staff" (some on both).
  const lists = (i: number) => [...(i % 50 === 0 ? ['vip'] : []), ...(i % 7 === 0 ? ['staff'] : [])];

  beforeAll(() => {
    tmp = tempDir('gallery-wl');
    gallery = openTestGallery(tmp.dir);
    ids = people.map(
      (p, i) =>
        gallery.enrolTemplates({ name: `p${i}`, watchlists: lists(i), ...ENROLLER }, [
          { embedding: nearby(p, 0.8, rand) },
          { embedding: nearby(p, 0.8, rand) },
        ]).identity.id,
    );
  });
  afterAll(async () => {
    await gallery.close();
    tmp.cleanup();
  });

  it('finds a person on the watchlist, and only people on it', () => {
    const m = gallery.searchByEmbedding(nearby(people[100]!, 0.7, rand), 5, { watchlists: ['vip'] });
    expect(m[0]).toMatchObject({ identity: { id: ids[100] }, match: true });
    const vip = new Set(ids.filter((_, i) => i % 50 === 0));
    expect(m.length).toBe(5);
    for (const x of m) expect(vip.has(x.identity.id)).toBe(true);
  });

  it('does not return a closer person who is not on the watchlist', () => {
    // Person 101 is on no list: without a filter they are first; with "vip" they are absent.
    const q = nearby(people[101]!, 0.7, rand);
    expect(gallery.searchByEmbedding(q, 1)[0]?.identity.id).toBe(ids[101]);
    const m = gallery.searchByEmbedding(q, 3, { watchlists: ['vip'] });
    expect(m.map((x) => x.identity.id)).not.toContain(ids[101]);
    expect(m.some((x) => x.match)).toBe(false);
  });

  it('takes the union of several watchlists; an unknown one finds nobody; an empty list filters nothing', () => {
    const q = nearby(people[7]!, 0.7, rand);
    expect(gallery.searchByEmbedding(q, 1, { watchlists: ['vip'] })[0]?.identity.id).not.toBe(ids[7]);
    expect(gallery.searchByEmbedding(q, 1, { watchlists: ['vip', 'staff'] })[0]?.identity.id).toBe(ids[7]);
    expect(gallery.searchByEmbedding(q, 3, { watchlists: ['nobody-here'] })).toEqual([]);
    expect(gallery.searchByEmbedding(q, 1, { watchlists: [] })[0]?.identity.id).toBe(ids[7]);
  });

  it('follows enrolments and erasures (the cached label set is per database generation)', () => {
    const fresh = unitVector(512, rand);
    const added = gallery.enrolTemplates({ name: 'new vip', watchlists: ['vip'], ...ENROLLER }, [
      { embedding: fresh },
    ]).identity.id;
    expect(
      gallery.searchByEmbedding(nearby(fresh, 0.7, rand), 1, { watchlists: ['vip'] })[0]?.identity.id,
    ).toBe(added);
    gallery.deleteIdentity(added, { by: 'jest', reason: 'test' });
    expect(
      gallery
        .searchByEmbedding(nearby(fresh, 0.7, rand), 3, { watchlists: ['vip'] })
        .map((m) => m.identity.id),
    ).not.toContain(added);
  });
});

describe('argus gallery search --watchlist (real CLI, real models)', () => {
  const tmp = tempDir('cli-wl');
  const data = ['--data', tmp.dir];
  const train = (...p: string[]) => fixture('face_recognition', 'knn_examples', 'train', ...p);
  afterAll(() => tmp.cleanup());

  it('searches only the named watchlists', async () => {
    const add = (name: string, list: string, ...images: string[]) =>
      runCli([
        'gallery',
        'add',
        ...data,
        '--name',
        name,
        '--reason',
        'test',
        '--watchlist',
        list,
        ...images,
        '--json',
      ]);
    expect((await add('obama', 'vip', train('obama', 'obama.jpg'), train('obama', 'obama2.jpg'))).code).toBe(
      0,
    );
    expect((await add('biden', 'staff', train('biden', 'biden.jpg'))).code).toBe(0);
    const probe = fixture('face_recognition', 'knn_examples', 'test', 'obama1.jpg');
    type Out = { matches: Array<{ identity: { name: string }; match: boolean }> };
    const vip = await runCli(['gallery', 'search', probe, ...data, '--watchlist', 'vip', '--json']);
    expect(vip.code).toBe(0);
    expect((vip.lines[0] as Out).matches).toEqual([
      expect.objectContaining({ identity: expect.objectContaining({ name: 'obama' }), match: true }),
    ]);
    const staff = await runCli(['gallery', 'search', probe, ...data, '--watchlist', 'staff', '--json']);
    expect(staff.code).toBe(0);
    expect((staff.lines[0] as Out).matches.map((m) => [m.identity.name, m.match])).toEqual([
      ['biden', false],
    ]);
    const none = await runCli(['gallery', 'search', probe, ...data, '--watchlist', 'nobody', '--json']);
    expect(none.code).toBe(0);
    expect((none.lines[0] as Out).matches).toEqual([]);
  }, 240_000);
});
