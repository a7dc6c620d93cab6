import type Database from 'better-sqlite3';
import type { AlertPage, AlertQuery, StoredAlert } from '../serve/service-ports';
import { AlertPageCache } from './alert-page-cache';
import { encodeCursor, listQuery, listSql } from './alert-rows';
import { StoredAlertCache } from './stored-alert-cache';

/** Alerts kept in answered pages, and alerts kept as objects (about 1 kB each). */
const CACHED_ALERTS = 2000;

/**
 * AlertStore.list(): a page is the ids its filters select (cheap to read), each alert taken from
 * a cache of alert objects, or read and kept when missing; whole answered pages are kept too.
 * GET /v1/alerts runs this per request, and reading all the columns of every row of every page
 * was most of that route's cost.
 *
 * The caches answer only for the data as it is now. The store calls changed(id) before each
 * write to an alert and clear() before writes to many; a commit by another connection moves
 * SQLite's data_version, which every read checks first.
 */
export class AlertPageReader {
  /** The id statements by filter mask, prepared on first use. */
  private readonly statements: Array<Database.Statement | undefined> = [];
  private readonly dataVersion: Database.Statement;
  private seenDataVersion: number | undefined;
  private readonly pages = new AlertPageCache(CACHED_ALERTS);
  private readonly alerts = new StoredAlertCache(CACHED_ALERTS);
  private readonly readInSnapshot: (mask: number, values: unknown[], limit: number) => AlertPage;

  /** `get` reads one alert (throwing when it does not exist). */
  constructor(
    private readonly db: Database.Database,
    private readonly get: (id: number) => StoredAlert,
  ) {
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.readInSnapshot = db.transaction((mask: number, values: unknown[], limit: number) =>
      this.read(mask, values, limit),
    );
  }

  /** Newest first, filtered; `nextCursor` continues after the last item. Page and alerts are frozen. */
  list(q: AlertQuery): AlertPage {
    const { mask, values, limit } = listQuery(q);
    return this.readInSnapshot(mask, values, limit);
  }

  /** Before a write to alert `id`: no cache may answer with its old row. */
  changed(id: number): void {
    this.pages.clear();
    this.alerts.delete(id);
  }

  /** Before a write that touches many alerts. */
  clear(): void {
    this.pages.clear();
    this.alerts.clear();
  }

  /**
   * Runs inside one read transaction, so the data version checked, the ids selected and the rows
   * read for them are one snapshot: another connection's commit cannot land between the check
   * and the select and pair a cached (older) alert with a list that already reflects it.
   */
  private read(mask: number, values: unknown[], limit: number): AlertPage {
    const version = this.dataVersion.get() as number;
    if (version !== this.seenDataVersion) {
      this.seenDataVersion = version;
      this.clear();
    }
    const key = `${mask}${JSON.stringify(values)}`;
    const cached = this.pages.get(key);
    if (cached) return cached;
    let st = this.statements[mask];
    if (!st) {
      st = this.db.prepare(listSql(mask, 'id')).pluck();
      this.statements[mask] = st;
    }
    const ids = st.all(...values) as number[];
    const n = Math.min(ids.length, limit);
    const items = new Array<StoredAlert>(n);
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      items[i] = this.alerts.get(id) ?? this.alerts.set(this.get(id));
    }
    return this.pages.set(
      key,
      ids.length > limit ? { items, nextCursor: encodeCursor(items[n - 1]!.id) } : { items },
    );
  }
}
