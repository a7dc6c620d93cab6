/** `gallery.hnsw.ef`: a fixed candidate-list size, or 'auto' to grow it with the gallery. */
export type EfSetting = number | 'auto';

/** The ef 'auto' uses up to this many live vectors. */
const BASE_SIZE = 100_000;
const BASE_EF = 192;
/**
 * Growth above BASE_SIZE: ef x (size / 100k)^0.426. Fitted to the two sizes the benchmark measured
 * with the default index (bench/results/gallery.json): ef 192 reaches recall@1 0.998 at 100k and
 * ef 512 reaches 0.986 at 1M (512 / 192 = 10^0.426). Beyond 1M it is an extrapolation.
 */
const GROWTH = Math.log10(512 / 192);
const MAX_EF = 5000;

/** The ef a search of an index holding `size` live vectors uses. */
export function searchEf(setting: EfSetting, size: number): number {
  if (setting !== 'auto') return setting;
  if (size <= BASE_SIZE) return BASE_EF;
  return Math.min(MAX_EF, Math.ceil(BASE_EF * (size / BASE_SIZE) ** GROWTH));
}
