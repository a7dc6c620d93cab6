/**
 * Latencies in whole milliseconds, counted in bins: a 30 s burst to 1,000 clients is 3 million
 * samples, too many to keep one by one in the receiving process. Sparse [ms, count] pairs cross
 * process boundaries as JSON.
 */
export type SparseHistogram = Array<[ms: number, count: number]>;

/** Bins 0..MAX_MS; slower samples land in the last bin (reported as ">= MAX_MS"). */
export const MAX_MS = 60_000;

export class LatencyHistogram {
  private readonly bins = new Uint32Array(MAX_MS + 1);
  count = 0;

  add(ms: number): void {
    const i = Math.min(MAX_MS, Math.max(0, Math.round(ms)));
    this.bins[i]!++;
    this.count++;
  }

  addSparse(pairs: SparseHistogram): void {
    for (const [ms, n] of pairs) {
      this.bins[Math.min(MAX_MS, Math.max(0, ms))]! += n;
      this.count += n;
    }
  }

  toSparse(): SparseHistogram {
    const out: SparseHistogram = [];
    for (let i = 0; i <= MAX_MS; i++) if (this.bins[i]! > 0) out.push([i, this.bins[i]!]);
    return out;
  }

  /** Nearest-rank percentile in ms; NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i <= MAX_MS; i++) {
      seen += this.bins[i]!;
      if (seen >= rank) return i;
    }
    return MAX_MS;
  }

  max(): number {
    for (let i = MAX_MS; i >= 0; i--) if (this.bins[i]! > 0) return i;
    return Number.NaN;
  }
}
