import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExactVectorIndex } from '../../../src/gallery/exact-vector-index';
import {
  HnswVectorIndex,
  INDEX_FILE,
  SIDECAR_FILE,
  VECTORS_FILE,
} from '../../../src/gallery/hnsw-vector-index';
import type { VectorIndex } from '../../../src/gallery/vector-index';
import { exactUnitVector, nearby, seeded, tempDir, unitVector } from '../../helpers/gallery-fixtures';

const DIM = 64;
/** The graph on a 16-D projection (the default layout, scaled down), and on the full vectors. */
const PARAMS = { m: 16, efConstruction: 100, ef: 64, initialCapacity: 16, projectionDim: 16, candidates: 32 };
const FULL = { ...PARAMS, projectionDim: 0 };
const STAMP = { generation: 3, deleteGeneration: 1, maxLabel: 300, count: 300 };

const adapters: Array<[string, () => VectorIndex]> = [
  ['HnswVectorIndex (hnswlib-node, projected graph)', () => HnswVectorIndex.create('m1', DIM, PARAMS)],
  ['HnswVectorIndex (hnswlib-node, full-vector graph)', () => HnswVectorIndex.create('m1', DIM, FULL)],
  ['ExactVectorIndex (reference)', () => new ExactVectorIndex('m1', DIM)],
];

describe.each(adapters)('VectorIndex contract: %s', (_name, make) => {
  const rand = seeded(11);
  const vectors = Array.from({ length: 300 }, () => unitVector(DIM, rand));

  function filled(): VectorIndex {
    const index = make();
    vectors.forEach((v, i) => {
      index.add(i + 1, v);
    });
    return index;
  }

  it('reports its model and dimension', () => {
    expect(make()).toMatchObject({ modelId: 'm1', dim: DIM });
  });

  it('finds each stored vector first, with its exact similarity', () => {
    const index = filled();
    expect(index.size()).toBe(300);
    for (const i of [0, 57, 299]) {
      const [hit] = index.search(vectors[i]!, 1);
      expect(hit!.label).toBe(i + 1);
      expect(hit!.similarity).toBeCloseTo(1, 5);
    }
  });

  it('returns k hits best first, the true nearest neighbour among them', () => {
    const index = filled();
    const q = nearby(vectors[10]!, 0.7, rand);
    const hits = index.search(q, 5);
    expect(hits).toHaveLength(5);
    expect(hits[0]!.label).toBe(11);
    const sims = hits.map((h) => h.similarity);
    expect(sims).toEqual([...sims].sort((a, b) => b - a));
  });

  it('grows past its initial capacity', () => {
    const index = filled();
    expect(index.labels()).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('removes labels: gone from search, size and labels; removing twice is a no-op', () => {
    const index = filled();
    expect(index.remove(5)).toBe(true);
    expect(index.remove(5)).toBe(false);
    expect(index.remove(9999)).toBe(false);
    expect(index.has(5)).toBe(false);
    expect(index.has(6)).toBe(true);
    expect(index.size()).toBe(299);
    expect(index.labels()).not.toContain(5);
    expect(index.search(vectors[4]!, 10).map((h) => h.label)).not.toContain(5);
  });

  it('replaces the vector of a label added again', () => {
    const index = filled();
    index.add(1, vectors[200]!);
    expect(index.size()).toBe(300);
    const top = index.search(vectors[200]!, 2).map((h) => h.label);
    expect(top.sort((a, b) => a - b)).toEqual([1, 201]);
  });

  it('returns no hits from an empty index or for k = 0', () => {
    expect(make().search(vectors[0]!, 5)).toEqual([]);
    expect(filled().search(vectors[0]!, 0)).toEqual([]);
  });

  it('rejects a vector of the wrong length', () => {
    expect(() => make().add(1, new Float32Array(DIM + 1))).toThrow(RangeError);
  });
});

describe('HnswVectorIndex persistence', () => {
  const rand = seeded(5);
  const vectors = Array.from({ length: 200 }, () => unitVector(DIM, rand));
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('hnsw');
  });
  afterEach(() => tmp.cleanup());

  function saved(): HnswVectorIndex {
    const index = HnswVectorIndex.create('m1', DIM, PARAMS);
    vectors.forEach((v, i) => {
      index.add(i + 1, v);
    });
    index.remove(7);
    index.save(tmp.dir, STAMP);
    return index;
  }

  it('loads what it saved, with its stamp, removed labels staying removed', () => {
    saved();
    const r = HnswVectorIndex.load(tmp.dir, 'm1', DIM, PARAMS);
    if (!r.ok) throw new Error(r.detail);
    expect(r.stamp).toEqual(STAMP);
    expect(r.index.size()).toBe(199);
    expect(r.index.labels()).not.toContain(7);
    expect(r.index.search(vectors[41]!, 1)[0]!.label).toBe(42);
  });

  it.each([
    ['missing', () => {}, 'missing'],
    [
      'a damaged index file',
      (dir: string) => {
        const f = path.join(dir, INDEX_FILE);
        const bytes = readFileSync(f);
        const at = bytes.length >> 1;
        bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
        writeFileSync(f, bytes);
      },
      'corrupt',
    ],
    ['a truncated index file', (dir: string) => writeFileSync(path.join(dir, INDEX_FILE), 'x'), 'corrupt'],
    [
      'a damaged vector file',
      (dir: string) => {
        const f = path.join(dir, VECTORS_FILE);
        const bytes = readFileSync(f);
        bytes.writeUInt8(bytes.readUInt8(100) ^ 0x01, 100);
        writeFileSync(f, bytes);
      },
      'corrupt',
    ],
    [
      'a sidecar of the previous format',
      (dir: string) => {
        const f = path.join(dir, SIDECAR_FILE);
        writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(f, 'utf8')), format: 1 }));
      },
      'params',
    ],
    [
      'an unreadable sidecar',
      (dir: string) => writeFileSync(path.join(dir, SIDECAR_FILE), '{"format":'),
      'corrupt',
    ],
  ])('refuses %s (so the gallery rebuilds)', (label, damage, problem) => {
    if (label !== 'missing') saved();
    damage(tmp.dir);
    const r = HnswVectorIndex.load(tmp.dir, 'm1', DIM, PARAMS);
    expect(r.ok ? 'loaded' : r.problem).toBe(problem);
  });

  it('refuses an index of another model or dimension, or built with other parameters', () => {
    saved();
    const other = HnswVectorIndex.load(tmp.dir, 'm2', DIM, PARAMS);
    expect(other.ok ? 'loaded' : other.problem).toBe('model');
    const dim = HnswVectorIndex.load(tmp.dir, 'm1', DIM * 2, PARAMS);
    expect(dim.ok ? 'loaded' : dim.problem).toBe('model');
    const params = HnswVectorIndex.load(tmp.dir, 'm1', DIM, { ...PARAMS, m: 32 });
    expect(params.ok ? 'loaded' : params.problem).toBe('params');
    const projection = HnswVectorIndex.load(tmp.dir, 'm1', DIM, { ...PARAMS, projectionDim: 24 });
    expect(projection.ok ? 'loaded' : projection.problem).toBe('params');
    const full = HnswVectorIndex.load(tmp.dir, 'm1', DIM, FULL);
    expect(full.ok ? 'loaded' : full.problem).toBe('params');
  });

  it.each([
    ['projected', PARAMS],
    ['full-vector', FULL],
  ])('keeps no byte of a removed vector in any saved file (%s graph)', (_name, params) => {
    const index = HnswVectorIndex.create('m1', DIM, params);
    const exact = Array.from({ length: 200 }, () => exactUnitVector(DIM, 16, rand));
    exact.forEach((v, i) => {
      index.add(i + 1, v);
    });
    index.save(tmp.dir, STAMP);
    const needle = Buffer.from(exact[99]!.buffer, exact[99]!.byteOffset, exact[99]!.byteLength);
    const holding = () =>
      readdirSync(tmp.dir).filter((f) => readFileSync(path.join(tmp.dir, f)).includes(needle));
    // Both files hold it in the full-vector layout; the projected graph holds only a projection.
    expect(holding()).toEqual(params.projectionDim ? [VECTORS_FILE] : [INDEX_FILE, VECTORS_FILE]);
    index.remove(100);
    index.save(tmp.dir, STAMP);
    expect(holding()).toEqual([]);
    expect(readdirSync(tmp.dir).sort()).toEqual([INDEX_FILE, SIDECAR_FILE, VECTORS_FILE].sort());
  });

  it('compacts removed slots away on save once they pass 10%', () => {
    const index = HnswVectorIndex.create('m1', DIM, PARAMS);
    vectors.forEach((v, i) => {
      index.add(i + 1, v);
    });
    for (let l = 1; l <= 30; l++) index.remove(l);
    index.save(tmp.dir, STAMP);
    const sidecar = JSON.parse(readFileSync(path.join(tmp.dir, SIDECAR_FILE), 'utf8')) as {
      elements: number;
      deleted: number[];
    };
    expect(sidecar).toMatchObject({ elements: 170, deleted: [] });
    const r = HnswVectorIndex.load(tmp.dir, 'm1', DIM, PARAMS);
    expect(r.ok && r.index.labels()).toEqual(Array.from({ length: 170 }, (_, i) => i + 31));
  });
});
