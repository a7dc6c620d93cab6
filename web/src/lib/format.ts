/**
 * Number and time formatting for the dashboard. Pure and locale-independent (en-GB style digits
 * with thousands commas) so the same alert reads the same on every operator's machine.
 */

/** 1234567 -> "1,234,567" (integers only; rounds). */
export function groupThousands(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.round(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Rounds to `digits` significant digits (n > 0). */
function significant(n: number, digits: number): number {
  const scale = 10 ** (Math.floor(Math.log10(n)) - digits + 1);
  return Math.round(n / scale) * scale;
}

/** The rarest rate the dashboard states as a number; below it says "fewer than". */
const RAREST = 1e-9;

/**
 * Estimated false-match rate as a person reads it: 8.3e-6 -> "1 in 120,000". Two significant
 * digits: the estimate comes from a finite impostor table, so more digits would be false precision.
 */
export function formatFmr(fmr: number): string {
  if (!Number.isFinite(fmr) || fmr >= 1) return '1 in 1';
  if (fmr < RAREST) return `fewer than 1 in ${groupThousands(1 / RAREST)}`;
  const n = 1 / fmr;
  return `1 in ${groupThousands(n < 100 ? Math.round(n) : significant(n, 2))}`;
}

/** Cosine similarity with two decimals. */
export function formatSimilarity(s: number): string {
  return Number.isFinite(s) ? s.toFixed(2) : '–';
}

/** Milliseconds: "12 ms", "1.25 s"; null/NaN -> "–". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatPercent(p: number): string {
  return Number.isFinite(p) ? `${p.toFixed(p < 10 ? 1 : 0)} %` : '–';
}

export function formatFps(fps: number): string {
  return Number.isFinite(fps) ? fps.toFixed(1) : '–';
}

/** How long ago `iso` was, relative to `nowMs`: "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function formatAgo(iso: string | undefined, nowMs: number): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '–';
  const s = Math.max(0, Math.round((nowMs - t) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** "2026-11-29 05:12:03" in UTC: unambiguous across operators in different time zones. */
export function formatUtc(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Splits "a, b ,,c" into ["a", "b", "c"]. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
