/**
 * The default HNSW parameters (src/config/gallery-schema.ts) against exact search, on 512-D
 * vectors like the embedder's: guards the defaults the benchmark chose (bench/results/gallery.json)
 * from a change that would quietly lose nearest neighbours. Real hnswlib.
 */
import { gallerySchema } from '../../../src/config/gallery-schema';
import { ExactVectorIndex } from '../../../src/gallery/exact-vector-index';
import { type HnswParams, HnswVectorIndex } from '../../../src/gallery/hnsw-vector-index';
import { nearby, seeded, unitVector } from '../../helpers/gallery-fixtures';

const DIM = 512;
const N = 3000;
const QUERIES = 200;

/** Share of queries whose HNSW top hit is the exact top hit. */
function recallAt1(params: HnswParams): number {
  const rand = seeded(29);
  const hnsw = HnswVectorIndex.create('m1', DIM, params, N);
  const exact = new ExactVectorIndex('m1', DIM);
  const vectors = Array.from({ length: N }, () => unitVector(DIM, rand));
  vectors.forEach((v, i) => {
    hnsw.add(i + 1, v);
    exact.add(i + 1, v);
  });
  let hits = 0;
  for (let j = 0; j < QUERIES; j++) {
    // A new capture of an enrolled face: similar to its template, not equal to it.
    const q = nearby(vectors[Math.floor(rand() * N)]!, 0.5, rand);
    if (hnsw.search(q, 5)[0]?.label === exact.search(q, 1)[0]!.label) hits++;
  }
  return hits / QUERIES;
}

describe('HnswVectorIndex with the default parameters', () => {
  const defaults = gallerySchema.parse({}).hnsw;

  it('finds the exact nearest neighbour of noisy 512-D queries', () => {
    expect(recallAt1(defaults)).toBeGreaterThanOrEqual(0.99);
  });

  it('is a test that a sparse graph searched narrowly fails', () => {
    expect(recallAt1({ ...defaults, m: 4, efConstruction: 10, ef: 10 })).toBeLessThan(0.99);
  });
});
