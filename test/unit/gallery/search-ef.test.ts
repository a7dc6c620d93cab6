import { gallerySchema } from '../../../src/config/gallery-schema';
import { searchEf } from '../../../src/gallery/search-ef';

describe('searchEf', () => {
  it("'auto' is the measured 192 up to 100k templates and the measured 512 at 1M", () => {
    expect(searchEf('auto', 0)).toBe(192);
    expect(searchEf('auto', 100_000)).toBe(192);
    expect(searchEf('auto', 1_000_000)).toBe(512);
  });

  it("'auto' grows monotonically between and beyond the measured sizes, capped at 5000", () => {
    const sizes = [100_001, 200_000, 500_000, 999_999, 2_000_000, 10_000_000];
    const efs = sizes.map((n) => searchEf('auto', n));
    expect(efs).toEqual([...efs].sort((a, b) => a - b));
    expect(efs[0]).toBeGreaterThan(192);
    expect(efs[3]).toBeLessThanOrEqual(512);
    expect(searchEf('auto', 1e12)).toBe(5000);
  });

  it('a configured number is used as it is', () => {
    expect(searchEf(64, 1_000_000)).toBe(64);
  });

  it("the gallery's default is 'auto', and the setting accepts only 'auto' or 10..5000", () => {
    expect(gallerySchema.parse({}).hnsw.ef).toBe('auto');
    expect(gallerySchema.parse({ hnsw: { ef: 300 } }).hnsw.ef).toBe(300);
    expect(gallerySchema.safeParse({ hnsw: { ef: 'fast' } }).success).toBe(false);
    expect(gallerySchema.safeParse({ hnsw: { ef: 5 } }).success).toBe(false);
  });
});
