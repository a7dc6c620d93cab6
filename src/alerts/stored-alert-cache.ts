import type { StoredAlert } from '../serve/service-ports';

/**
 * Alerts AlertStore.list() already turned from rows into objects, by id. A page is mostly alerts
 * an earlier page held (the newest ones, under any filter), and reading all 21 columns of 50 rows
 * costs ~10x what reading their ids does; so list() reads ids and takes the alerts from here.
 * The store deletes an alert on every write to it and empties the cache when another connection
 * commits, so an entry is always what the row holds now. Bounded, least recently used out first.
 * Entries are frozen: every page shares them (and the HTTP layer keys their JSON on identity).
 */
export class StoredAlertCache {
  private readonly alerts = new Map<number, StoredAlert>();

  constructor(private readonly maxAlerts: number) {}

  get(id: number): StoredAlert | undefined {
    const a = this.alerts.get(id);
    if (a) {
      // Re-inserted, so the Map's insertion order is recency order.
      this.alerts.delete(id);
      this.alerts.set(id, a);
    }
    return a;
  }

  /** Freezes `a` and keeps it; returns it. */
  set(a: StoredAlert): StoredAlert {
    freezeAlert(a);
    this.alerts.delete(a.id);
    this.alerts.set(a.id, a);
    if (this.alerts.size > this.maxAlerts) {
      const oldest = this.alerts.keys().next();
      if (!oldest.done) this.alerts.delete(oldest.value);
    }
    return a;
  }

  delete(id: number): void {
    this.alerts.delete(id);
  }

  clear(): void {
    this.alerts.clear();
  }

  get size(): number {
    return this.alerts.size;
  }
}

/** Freezes an alert and everything in it (shared objects must not change under their readers). */
export function freezeAlert(a: StoredAlert): StoredAlert {
  if (Object.isFrozen(a)) return a;
  Object.freeze(a.identity.watchlists);
  Object.freeze(a.identity);
  Object.freeze(a.box);
  Object.freeze(a.review);
  return Object.freeze(a);
}
