import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/util/package-root';

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export async function timeRuns(warmup: number, runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

export const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;

export function machineInfo(): Record<string, unknown> {
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    loadAverage1m: round(os.loadavg()[0] ?? 0),
    date: new Date().toISOString(),
  };
}

export interface TableRow {
  metric: string;
  value: string | number;
  target?: string;
  ok?: boolean;
}

/** Writes bench/results/NAME.json and prints a table a person can read. */
export function report(name: string, json: Record<string, unknown>, rows: TableRow[]): void {
  const dir = path.join(packageRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  const w0 = Math.max(...rows.map((r) => r.metric.length), 6);
  const w1 = Math.max(...rows.map((r) => String(r.value).length), 5);
  const w2 = Math.max(...rows.map((r) => (r.target ?? '').length), 6);
  const line = (a: string, b: string, c: string, d: string) =>
    `| ${a.padEnd(w0)} | ${b.padStart(w1)} | ${c.padEnd(w2)} | ${d.padEnd(4)} |`;
  const out = [
    line('metric', 'value', 'target', 'met'),
    `|${'-'.repeat(w0 + 2)}|${'-'.repeat(w1 + 2)}|${'-'.repeat(w2 + 2)}|------|`,
  ];
  for (const r of rows) {
    out.push(line(r.metric, String(r.value), r.target ?? '', r.ok === undefined ? '' : r.ok ? 'yes' : 'NO'));
  }
  process.stdout.write(`\n${name} benchmark (bench/results/${name}.json)\n${out.join('\n')}\n`);
}
