/**
 * A bounded series of samples for the system page's latency chart, and the geometry to draw it as
 * SVG polylines. Pure, so the chart is tested without a browser.
 */

export interface Sample {
  /** ms since the epoch. */
  t: number;
  /** One value per line; null where there was no value (the line breaks there). */
  values: Record<string, number | null>;
}

/** Appends and keeps the newest `limit` samples. */
export function pushSample(series: readonly Sample[], s: Sample, limit: number): Sample[] {
  const next = [...series, s];
  return next.length > limit ? next.slice(next.length - limit) : next;
}

/** A round upper bound for the y axis: 1, 2 or 5 times a power of ten, at least `floor`. */
export function niceCeiling(max: number, floor = 10): number {
  const m = Math.max(max, floor);
  const p = 10 ** Math.floor(Math.log10(m));
  for (const f of [1, 2, 5, 10]) if (f * p >= m) return f * p;
  return 10 * p;
}

export interface ChartBox {
  width: number;
  height: number;
  /** Time window shown, ending at `endT`. */
  windowMs: number;
  endT: number;
  yMax: number;
}

/**
 * SVG `points` strings for one line: one string per unbroken run of values (a null or a
 * missing key splits the line), in chart coordinates (y grows downwards).
 */
export function linePoints(series: readonly Sample[], key: string, box: ChartBox): string[] {
  const runs: string[] = [];
  let run: string[] = [];
  const startT = box.endT - box.windowMs;
  for (const s of series) {
    const v = s.values[key];
    if (v === null || v === undefined || !Number.isFinite(v) || s.t < startT) {
      if (run.length > 0) runs.push(run.join(' '));
      run = [];
      continue;
    }
    const x = ((s.t - startT) / box.windowMs) * box.width;
    const y = box.height - (Math.min(v, box.yMax) / box.yMax) * box.height;
    run.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  }
  if (run.length > 0) runs.push(run.join(' '));
  return runs;
}

/** The largest finite value of `keys` over the series (0 when none). */
export function seriesMax(series: readonly Sample[], keys: readonly string[]): number {
  let max = 0;
  for (const s of series) {
    for (const k of keys) {
      const v = s.values[k];
      if (typeof v === 'number' && Number.isFinite(v) && v > max) max = v;
    }
  }
  return max;
}
