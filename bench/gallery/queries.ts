/**
 * The benchmark's queries: each is a NEW noisy sample (never the enrolled one) of a random
 * enrolled identity, so its true neighbour sits at a realistic genuine similarity (~0.55-0.8).
 * The first `tuning` queries choose ef; the remaining `measure` queries are held out and measured
 * at the chosen ef, so recall is not tuned on the queries it is reported for.
 */
import { DIM, FaceLikeGenerator, type SyntheticParams } from './synthetic';

export interface QuerySet {
  ids: number[];
  vectors: Float32Array;
  buffer: SharedArrayBuffer;
}

export function makeQueries(n: number, count: number, seed: number, params: SyntheticParams): QuerySet {
  const gen = new FaceLikeGenerator(seed, params);
  const buffer = new SharedArrayBuffer(count * DIM * 4);
  const vectors = new Float32Array(buffer);
  const ids: number[] = [];
  let pick = seed >>> 0;
  for (let j = 0; j < count; j++) {
    pick = (Math.imul(pick, 1664525) + 1013904223) >>> 0;
    const id = pick % n;
    ids.push(id);
    // Sample numbers >= 1 are fresh captures; 0 is the enrolled template.
    gen.write(id, 1 + j, vectors, j * DIM);
  }
  return { ids, vectors, buffer };
}
