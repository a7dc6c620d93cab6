/**
 * Score distributions of the synthetic data next to the real fixture faces, so the benchmark can
 * show its queries are as separated as real faces are (not harder, not easier).
 */
import { BUILTIN_FMR_TABLE } from '../../src/gallery/builtin-fmr-table';
import { round } from '../bench-report';
import { DIM, dotRows, FaceLikeGenerator, type SyntheticParams } from './synthetic';

export interface Distribution {
  pairs: number;
  mean: number;
  std: number;
  min: number;
  p1: number;
  p99: number;
  p99_9: number;
  max: number;
}

function describe(xs: number[]): Distribution {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const std = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length);
  return {
    pairs: s.length,
    mean: round(mean, 3),
    std: round(std, 3),
    min: round(s[0]!, 3),
    p1: round(q(0.01), 3),
    p99: round(q(0.99), 3),
    p99_9: round(q(0.999), 3),
    max: round(s[s.length - 1]!, 3),
  };
}

/** Genuine = enrolled sample vs a fresh sample of the same identity; impostor = different identities. */
export function syntheticStats(
  params: SyntheticParams,
  seed: number,
  identities = 2000,
): { genuine: Distribution; impostor: Distribution } {
  const gen = new FaceLikeGenerator(seed, params);
  const enrolled = new Float32Array(identities * DIM);
  const probes = new Float32Array(identities * DIM);
  for (let i = 0; i < identities; i++) {
    gen.write(i, 0, enrolled, i * DIM);
    gen.write(i, 1, probes, i * DIM);
  }
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < identities; i++) {
    genuine.push(dotRows(enrolled, i * DIM, probes, i * DIM));
    for (let j = 0; j < identities; j += 7) {
      if (j !== i) impostor.push(dotRows(enrolled, j * DIM, probes, i * DIM));
    }
  }
  return { genuine: describe(genuine), impostor: describe(impostor) };
}

/** The real impostor distribution, recovered from the built-in table's counts (bins of 0.01). */
export function fixtureImpostorStats(): Distribution & { source: string } {
  const pts = BUILTIN_FMR_TABLE.points;
  const xs: number[] = [];
  for (let i = 0; i < pts.length; i++) {
    const [score, atLeast] = pts[i]!;
    const next = pts[i + 1]?.[1] ?? 0;
    for (let k = 0; k < atLeast - next; k++) xs.push(score);
  }
  return {
    ...describe(xs),
    source: `src/gallery/builtin-fmr-table.ts: ${BUILTIN_FMR_TABLE.impostorPairs} impostor pairs of real fixture faces (${BUILTIN_FMR_TABLE.source}), binned at 0.01`,
  };
}
