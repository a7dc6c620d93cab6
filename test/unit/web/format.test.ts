import {
  formatAgo,
  formatFmr,
  formatMs,
  formatSimilarity,
  formatUtc,
  groupThousands,
  splitList,
} from '../../../web/src/lib/format';

describe('dashboard formatting', () => {
  test('false-match rates read as "1 in N" with two significant digits and commas', () => {
    expect(formatFmr(1 / 120_000)).toBe('1 in 120,000');
    expect(formatFmr(8.3e-6)).toBe('1 in 120,000');
    expect(formatFmr(1 / 1234)).toBe('1 in 1,200');
    expect(formatFmr(0.02)).toBe('1 in 50');
    expect(formatFmr(1 / 37)).toBe('1 in 37');
    expect(formatFmr(0.5)).toBe('1 in 2');
    expect(formatFmr(1e-7)).toBe('1 in 10,000,000');
    expect(formatFmr(1 / 3_456_789)).toBe('1 in 3,500,000');
  });

  test('false-match rate edge cases say something true', () => {
    expect(formatFmr(1)).toBe('1 in 1');
    expect(formatFmr(Number.NaN)).toBe('1 in 1');
    expect(formatFmr(0)).toBe('fewer than 1 in 1,000,000,000');
    expect(formatFmr(1e-12)).toBe('fewer than 1 in 1,000,000,000');
  });

  test('thousands grouping', () => {
    expect(groupThousands(0)).toBe('0');
    expect(groupThousands(999)).toBe('999');
    expect(groupThousands(1000)).toBe('1,000');
    expect(groupThousands(1234567.4)).toBe('1,234,567');
    expect(groupThousands(-45000)).toBe('-45,000');
  });

  test('milliseconds, similarity, times and lists', () => {
    expect(formatMs(null)).toBe('–');
    expect(formatMs(3.14)).toBe('3.1 ms');
    expect(formatMs(123.6)).toBe('124 ms');
    expect(formatMs(1250)).toBe('1.25 s');
    expect(formatSimilarity(0.6789)).toBe('0.68');
    expect(formatUtc('2026-11-29T05:12:03.456Z')).toBe('2026-11-29 05:12:03 UTC');
    const now = Date.parse('2026-11-29T05:00:00Z');
    expect(formatAgo(undefined, now)).toBe('never');
    expect(formatAgo('2026-11-29T04:59:58Z', now)).toBe('just now');
    expect(formatAgo('2026-11-29T04:59:18Z', now)).toBe('42 s ago');
    expect(formatAgo('2026-11-29T04:55:00Z', now)).toBe('5 min ago');
    expect(formatAgo('2026-11-29T02:00:00Z', now)).toBe('3 h ago');
    expect(splitList(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
  });
});
