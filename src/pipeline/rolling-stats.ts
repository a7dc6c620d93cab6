/**
 * Recent-window numbers for a stream tile: analysed fps over the last `windowMs` and latency
 * percentiles over the last `samples` frames. Bounded memory, O(samples) per read (reads are rare).
 */
export class RollingStats {
  private readonly latencies: number[] = [];
  private readonly times: number[] = [];
  private next = 0;

  constructor(
    private readonly samples = 100,
    private readonly windowMs = 10_000,
  ) {}

  record(atMs: number, latencyMs: number): void {
    if (this.latencies.length < this.samples) {
      this.latencies.push(latencyMs);
    } else {
      this.latencies[this.next] = latencyMs;
      this.next = (this.next + 1) % this.samples;
    }
    this.times.push(atMs);
    const cutoff = atMs - this.windowMs;
    while (this.times.length > 0 && this.times[0]! < cutoff) this.times.shift();
  }

  fps(nowMs: number): number {
    const cutoff = nowMs - this.windowMs;
    const recent = this.times.filter((t) => t >= cutoff);
    if (recent.length < 2) return 0;
    const span = Math.max(nowMs - recent[0]!, 1);
    return Math.round(((recent.length - 1) / span) * 1000 * 10) / 10;
  }

  latency(): { p50: number; p99: number } | null {
    if (this.latencies.length === 0) return null;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return { p50: Math.round(at(0.5)), p99: Math.round(at(0.99)) };
  }

  reset(): void {
    this.latencies.length = 0;
    this.times.length = 0;
    this.next = 0;
  }
}
