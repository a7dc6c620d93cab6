/**
 * Template labels on any of a set of watchlists, cached per database generation (a write may
 * change who is on a list). Bounded: a handful of watchlist combinations are in use at a time.
 */
export class WatchlistLabels {
  private generation = Number.NaN;
  private readonly sets = new Map<string, Set<number>>();

  constructor(
    private readonly query: (names: readonly string[]) => Set<number>,
    private readonly max = 32,
  ) {}

  labels(names: readonly string[], generation: number): ReadonlySet<number> {
    if (generation !== this.generation) {
      this.sets.clear();
      this.generation = generation;
    }
    const key = JSON.stringify([...new Set(names)].sort());
    let set = this.sets.get(key);
    if (!set) {
      set = this.query(names);
      if (this.sets.size >= this.max) this.sets.clear();
      this.sets.set(key, set);
    }
    return set;
  }

  clear(): void {
    this.sets.clear();
    this.generation = Number.NaN;
  }
}
