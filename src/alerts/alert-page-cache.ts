import type { AlertPage } from '../serve/service-ports';
import { freezeAlert } from './stored-alert-cache';

/**
 * The alert pages AlertStore.list() answered since the data last changed. GET /v1/alerts is
 * polled (the dashboard, integrations) far more often than alerts are written, and a kept page
 * also keeps its JSON (the HTTP layer's, by identity). The store empties it on any change: a write
 * through the store, or a commit by another connection (SQLite's data_version moves). Bounded by
 * the number of alerts held, oldest page out first. Pages are frozen: every caller shares them.
 */
export class AlertPageCache {
  private readonly pages = new Map<string, AlertPage>();
  private items = 0;

  constructor(private readonly maxItems: number) {}

  get(key: string): AlertPage | undefined {
    return this.pages.get(key);
  }

  set(key: string, page: AlertPage): AlertPage {
    if (page.items.length > this.maxItems) return page;
    for (const a of page.items) freezeAlert(a);
    Object.freeze(page.items);
    Object.freeze(page);
    const before = this.pages.get(key);
    if (before) {
      this.pages.delete(key);
      this.items -= before.items.length;
    }
    this.pages.set(key, page);
    this.items += page.items.length;
    for (const [oldest, p] of this.pages) {
      if (this.items <= this.maxItems) break;
      this.pages.delete(oldest);
      this.items -= p.items.length;
    }
    return page;
  }

  clear(): void {
    this.pages.clear();
    this.items = 0;
  }
}
