import { type ChartBox, linePoints, niceCeiling, type Sample, seriesMax } from '../lib/time-series';

export interface ChartLine {
  key: string;
  label: string;
  /** A CSS class that sets the stroke (and the legend swatch). */
  className: string;
}

interface Props {
  title: string;
  series: readonly Sample[];
  lines: readonly ChartLine[];
  windowMs: number;
  nowMs: number;
}

const W = 900;
const H = 240;
const PAD = { left: 48, right: 8, top: 20, bottom: 24 };

/** A hand-drawn SVG line chart of milliseconds over the last `windowMs`. */
export function LatencyChart({ title, series, lines, windowMs, nowMs }: Props) {
  const yMax = niceCeiling(
    seriesMax(
      series,
      lines.map((l) => l.key),
    ),
  );
  const box: ChartBox = {
    width: W - PAD.left - PAD.right,
    height: H - PAD.top - PAD.bottom,
    windowMs,
    endT: nowMs,
    yMax,
  };
  // yMax is 1, 2 or 5 x 10^k, so fifths are round numbers (10, 20, ... for 50).
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1].map((f) => f * yMax);
  const seconds = Math.round(windowMs / 1000);
  const span = seconds >= 120 ? `${Math.round(seconds / 60)} min` : `${seconds} s`;
  const desc = lines
    .map((l) => {
      const last = [...series].reverse().find((s) => typeof s.values[l.key] === 'number');
      const v = last?.values[l.key];
      return `${l.label}: ${typeof v === 'number' ? `${v.toFixed(1)} ms` : 'no data'}`;
    })
    .join('; ');
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}. Latest: ${desc}`}>
        <g transform={`translate(${PAD.left},${PAD.top})`}>
          {ticks.map((t) => {
            const y = box.height - (t / yMax) * box.height;
            return (
              <g key={t}>
                <line class="grid" x1={0} x2={box.width} y1={y} y2={y} />
                <text class="axis" x={-6} y={y + 4} text-anchor="end">
                  {t < 10 ? Number(t.toFixed(1)) : Math.round(t)}
                </text>
              </g>
            );
          })}
          <text class="axis" x={0} y={box.height + 18}>
            −{span}
          </text>
          <text class="axis" x={box.width} y={box.height + 18} text-anchor="end">
            now
          </text>
          <text class="axis" x={-6} y={-10} text-anchor="end">
            ms
          </text>
          {lines.flatMap((l) =>
            linePoints(series, l.key, box).map((pts, i) => (
              <polyline key={`${l.key}-${i}`} class={`line ${l.className}`} points={pts} />
            )),
          )}
        </g>
      </svg>
      <ul class="legend">
        {lines.map((l) => (
          <li key={l.key}>
            <span class={`swatch ${l.className}`} aria-hidden="true" />
            {l.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}
