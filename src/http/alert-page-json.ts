import type { AlertPage, StoredAlert } from '../serve/service-ports';

/** A compiled fast-json-stringify serialiser, as Fastify's reply hands it out. */
export type Serialize = (value: object) => string;

/**
 * GET /v1/alerts's body, built from per-alert JSON. Serialising 50 alerts per request was a large
 * part of that route's cost, and the store hands out the same frozen alert (and page) objects
 * until their rows change (it makes new ones then), so each alert's JSON is kept against its
 * object and a page is its alerts' JSON joined. Only frozen objects are kept (a mutable one
 * could change after its JSON was taken); WeakMaps, so nothing outlives the store's caches.
 *
 * Both serialisers are Fastify's, compiled from the route's own response schemas (`alertPage`
 * and its items' `storedAlert`), and the page's frame is the page serialiser's own output with
 * the items spliced in: the bytes are those Fastify would send for the page.
 */
export class AlertPageJson {
  private readonly alerts = new WeakMap<StoredAlert, string>();
  private readonly pages = new WeakMap<AlertPage, string>();
  /** The page serialiser's output for no items starts with this; the alerts go after it. */
  private readonly itemsAt: number;

  constructor(
    private readonly serializeAlert: Serialize,
    private readonly serializePage: Serialize,
  ) {
    const empty = serializePage({ items: [] });
    const prefix = '{"items":[';
    if (!empty.startsWith(`${prefix}]`)) {
      throw new Error(`the alert page schema no longer starts with items: ${empty}`);
    }
    this.itemsAt = prefix.length;
  }

  of(page: AlertPage): string {
    const kept = this.pages.get(page);
    if (kept !== undefined) return kept;
    let keep = Object.isFrozen(page) && Object.isFrozen(page.items);
    const parts = new Array<string>(page.items.length);
    for (let i = 0; i < parts.length; i++) {
      const a = page.items[i]!;
      let json = this.alerts.get(a);
      if (json === undefined) {
        json = this.serializeAlert(a);
        if (isDeepFrozen(a)) this.alerts.set(a, json);
        else keep = false;
      }
      parts[i] = json;
    }
    const frame = this.serializePage(
      page.nextCursor === undefined ? { items: [] } : { items: [], nextCursor: page.nextCursor },
    );
    const json = frame.slice(0, this.itemsAt) + parts.join(',') + frame.slice(this.itemsAt);
    if (keep) this.pages.set(page, json);
    return json;
  }
}

function isDeepFrozen(a: StoredAlert): boolean {
  return (
    Object.isFrozen(a) &&
    Object.isFrozen(a.identity) &&
    Object.isFrozen(a.identity.watchlists) &&
    Object.isFrozen(a.box) &&
    Object.isFrozen(a.review)
  );
}
