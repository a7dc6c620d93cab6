/**
 * Why HnswVectorIndex does not re-score candidates through getPoint: the CPU cost of one
 * hnswlib-node getPoint (a 512-number JS array built over N-API) against a whole graph search for
 * 44 candidates (the gallery's default k'). Run: npm run build && node dist/bench/gallery/getpoint-cost.js
 */
import { HierarchicalNSW } from 'hnswlib-node';

const DIM = 512;
const N = 3000;
const h = new HierarchicalNSW('cosine', DIM);
h.initIndex({ maxElements: N, m: 16, efConstruction: 64, randomSeed: 1 });
const random = () => Array.from({ length: DIM }, () => Math.random() - 0.5);
for (let i = 0; i < N; i++) h.addPoint(random(), i);
const q = random();
h.setEf(64);
const cpuUs = (runs: number, fn: (i: number) => void) => {
  const c0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) fn(i);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / runs;
};
const search = cpuUs(300, () => h.searchKnn(q, 44));
const getPoint = cpuUs(3000, (i) => h.getPoint(i % N));
process.stdout.write(
  `${JSON.stringify({ searchKnn44_cpu_us: Math.round(search), getPoint_cpu_us: Math.round(getPoint), rescore44_cpu_us: Math.round(44 * getPoint) })}\n`,
);
