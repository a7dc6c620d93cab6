import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ArgusError } from '../errors/argus-error';
import type {
  AlertPage,
  AlertQuery,
  RejectionPattern,
  ReviewStatus,
  StoredAlert,
} from '../serve/service-ports';
import { PreparedStatements } from '../util/prepared-statements';
import type { AlertEvent, FaceBox } from './alert-messages';
import { AlertPageReader } from './alert-page-reader';
import { ALERT_COLUMNS, type AlertRow, toAlert } from './alert-rows';
import { CropFiles } from './crop-files';
import { findRejectionPatterns } from './rejection-patterns';

/** The fields an `alert-update` event changes. */
export interface AlertPatch {
  similarity: number;
  margin: number;
  fmr: number;
  evidenceCount: number;
  box: FaceBox;
  quality: number;
  updatedTime: string;
  /** The update event's own id, so maxEventId() covers it after a restart. */
  eventId?: number;
}

export interface ReviewInput {
  status: ReviewStatus;
  by?: string;
  comment?: string;
  at: string;
}

export interface PurgeResult {
  crops: number;
  records: number;
}

const DAY_MS = 86_400_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY,
  stream_id TEXT NOT NULL,
  track_id TEXT NOT NULL,
  identity_id TEXT NOT NULL,
  identity_name TEXT NOT NULL,
  watchlists TEXT NOT NULL,
  similarity REAL NOT NULL,
  margin REAL NOT NULL,
  fmr REAL NOT NULL,
  evidence_count INTEGER NOT NULL,
  box TEXT NOT NULL,
  quality REAL NOT NULL,
  model_id TEXT NOT NULL,
  capture_time TEXT NOT NULL,
  capture_ms INTEGER NOT NULL,
  emit_time TEXT NOT NULL,
  updated_time TEXT NOT NULL,
  has_crop INTEGER NOT NULL DEFAULT 0,
  review_status TEXT NOT NULL DEFAULT 'pending',
  review_by TEXT,
  review_at TEXT,
  review_comment TEXT
);
CREATE INDEX IF NOT EXISTS alerts_capture ON alerts (capture_ms);
CREATE INDEX IF NOT EXISTS alerts_stream ON alerts (stream_id, id);
CREATE INDEX IF NOT EXISTS alerts_identity ON alerts (identity_id, id);
CREATE INDEX IF NOT EXISTS alerts_review ON alerts (review_status, id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

/** Where a data directory keeps alert records and crops. */
export function alertStorePaths(dataDir: string): { db: string; crops: string } {
  const dir = path.join(dataDir, 'alerts');
  return { db: path.join(dir, 'alerts.db'), crops: path.join(dir, 'crops') };
}

/**
 * Alert history (SQLite) and the one JPEG crop each matched alert keeps. Only matched faces reach
 * here; records and crops expire through purge() (crops first: they are the face images).
 */
export class AlertStore {
  private readonly statements: PreparedStatements;
  private readonly byId: Database.Statement;
  /** list(), and its caches: every write to the alerts table below tells it first. */
  private readonly pages: AlertPageReader;

  private constructor(
    private readonly db: Database.Database,
    private readonly crops: CropFiles,
  ) {
    this.statements = new PreparedStatements(db);
    this.byId = db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = ?`).raw();
    this.pages = new AlertPageReader(db, (id) => this.get(id));
  }

  static open(dataDir: string): AlertStore {
    const paths = alertStorePaths(dataDir);
    mkdirSync(path.dirname(paths.db), { recursive: true, mode: 0o700 });
    let db: Database.Database | undefined;
    try {
      db = new Database(paths.db, { timeout: 5000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Deleted records are overwritten on disk, not just unlinked from the b-tree.
      db.pragma('secure_delete = ON');
      db.exec(SCHEMA);
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`integrity check: ${String(check)}`);
    } catch (err) {
      db?.close();
      throw new ArgusError(
        'ARGUS_E_ALERT_STORE_CORRUPT',
        { path: paths.db, reason: err instanceof Error ? err.message : String(err) },
        { cause: err },
      );
    }
    return new AlertStore(db, new CropFiles(paths.crops));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Records the first event of an alert (review pending, no crop yet). */
  insert(e: AlertEvent): StoredAlert {
    this.pages.changed(e.eventId);
    const captureMs = Date.parse(e.captureTime);
    if (!Number.isFinite(captureMs)) {
      throw new ArgusError('ARGUS_E_HTTP_BAD_REQUEST', {
        reason: `captureTime "${e.captureTime}" is not a time`,
      });
    }
    try {
      this.db.transaction(() => {
        this.db
          .prepare(
            `INSERT INTO alerts (id, stream_id, track_id, identity_id, identity_name, watchlists, similarity,
               margin, fmr, evidence_count, box, quality, model_id, capture_time, capture_ms, emit_time, updated_time)
             VALUES (@id, @streamId, @trackId, @identityId, @identityName, @watchlists, @similarity, @margin, @fmr,
               @evidenceCount, @box, @quality, @modelId, @captureTime, @captureMs, @emitTime, @emitTime)`,
          )
          .run({
            id: e.eventId,
            streamId: e.streamId,
            trackId: String(e.trackId),
            identityId: e.identity.id,
            identityName: e.identity.name,
            watchlists: JSON.stringify(e.identity.watchlists),
            similarity: e.similarity,
            margin: e.margin,
            fmr: e.fmr,
            evidenceCount: e.evidenceCount,
            box: JSON.stringify(boxOf(e.box)),
            quality: e.quality,
            modelId: e.modelId,
            captureTime: e.captureTime,
            captureMs,
            emitTime: e.emitTime,
          });
        this.noteEventId(e.eventId);
      })();
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new ArgusError('ARGUS_E_CONFLICT', { reason: `alert ${e.eventId} is already recorded` });
      }
      throw err;
    }
    return this.get(e.eventId);
  }

  /** Applies an `alert-update` event to its alert. Throws ARGUS_E_NOT_FOUND. */
  update(id: number, p: AlertPatch): StoredAlert {
    this.pages.changed(id);
    this.db.transaction(() => {
      const r = this.db
        .prepare(
          `UPDATE alerts SET similarity = ?, margin = ?, fmr = ?, evidence_count = ?, box = ?, quality = ?,
             updated_time = ? WHERE id = ?`,
        )
        .run(
          p.similarity,
          p.margin,
          p.fmr,
          p.evidenceCount,
          JSON.stringify(boxOf(p.box)),
          p.quality,
          p.updatedTime,
          id,
        );
      if (r.changes === 0) throw notFound(id);
      if (p.eventId !== undefined) this.noteEventId(p.eventId);
    })();
    return this.get(id);
  }

  /**
   * Keeps `jpeg` as the alert's crop, replacing an older one. Throws ARGUS_E_NOT_FOUND. Waits for
   * an fsync on this thread: the server stages crops (stageCrop) and commits them instead.
   */
  saveCrop(id: number, jpeg: Buffer): void {
    this.pages.changed(id);
    this.get(id);
    this.crops.write(id, jpeg);
    this.db.prepare('UPDATE alerts SET has_crop = 1 WHERE id = ?').run(id);
  }

  /** Writes a crop to disk (durably, off the event loop) ahead of its alert; see commitCrop. */
  stageCrop(jpeg: Buffer): Promise<string> {
    return this.crops.stage(jpeg);
  }

  /** Makes a staged crop the alert's crop, replacing an older one. Throws ARGUS_E_NOT_FOUND. */
  commitCrop(id: number, staged: string): void {
    this.pages.changed(id);
    try {
      this.get(id);
    } catch (err) {
      rmSync(staged, { force: true });
      throw err;
    }
    this.crops.commit(id, staged);
    this.db.prepare('UPDATE alerts SET has_crop = 1 WHERE id = ?').run(id);
  }

  /** Absolute path of the alert's crop, or undefined when none is kept (or the alert is unknown). */
  cropFile(id: number): string | undefined {
    const row = this.statement('SELECT has_crop FROM alerts WHERE id = ?').get(id) as
      | { has_crop: number }
      | undefined;
    if (!row?.has_crop || !this.crops.exists(id)) return undefined;
    return this.crops.file(id);
  }

  /** Throws ARGUS_E_NOT_FOUND {kind: 'alert'}. */
  get(id: number): StoredAlert {
    const row = this.byId.get(id) as AlertRow | undefined;
    if (!row) throw notFound(id);
    return toAlert(row);
  }

  /**
   * Newest first, filtered; `nextCursor` continues after the last item. The page and its alerts
   * are frozen (shared with other callers).
   */
  list(q: AlertQuery = {}): AlertPage {
    return this.pages.list(q);
  }

  /** Records a verdict (the newest wins). Throws ARGUS_E_NOT_FOUND. */
  setReview(id: number, r: ReviewInput): StoredAlert {
    this.pages.changed(id);
    const res = this.db
      .prepare(
        'UPDATE alerts SET review_status = ?, review_by = ?, review_at = ?, review_comment = ? WHERE id = ?',
      )
      .run(r.status, r.by ?? null, r.at, r.comment ?? null, id);
    if (res.changes === 0) throw notFound(id);
    return this.get(id);
  }

  /** Identities rejected at least `minRejections` times at similarities within `similarityWindow`. */
  rejectionPatterns(minRejections = 3, similarityWindow = 0.05): RejectionPattern[] {
    const rows = this.db
      .prepare(
        `SELECT identity_id, identity_name, watchlists, similarity, review_at FROM alerts
         WHERE review_status = 'rejected'`,
      )
      .all() as Array<{
      identity_id: string;
      identity_name: string;
      watchlists: string;
      similarity: number;
      review_at: string | null;
    }>;
    return findRejectionPatterns(
      rows.map((r) => ({
        identity: {
          id: r.identity_id,
          name: r.identity_name,
          watchlists: JSON.parse(r.watchlists) as string[],
        },
        similarity: r.similarity,
        rejectedAt: r.review_at ?? '',
      })),
      minRejections,
      similarityWindow,
    );
  }

  /** The highest event id ever recorded, even after its record was purged. */
  maxEventId(): number {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'max_event_id'").get() as
      | { value: number }
      | undefined;
    const max = this.db.prepare('SELECT MAX(id) AS id FROM alerts').get() as { id: number | null };
    return Math.max(row?.value ?? 0, max.id ?? 0);
  }

  /**
   * Deletes crops of alerts captured more than `cropDays` before `now` (the record stays, with
   * hasCrop false) and records captured more than `recordDays` before `now` (with their crops),
   * then crop files no record accounts for.
   */
  purge(now: Date, o: { cropDays: number; recordDays: number }): PurgeResult {
    this.pages.clear();
    const t = now.getTime();
    const cropCutoff = t - o.cropDays * DAY_MS;
    const recordCutoff = t - o.recordDays * DAY_MS;
    let crops = 0;
    const expiredCrops = this.db
      .prepare('SELECT id FROM alerts WHERE has_crop = 1 AND (capture_ms < ? OR capture_ms < ?)')
      .pluck()
      .all(cropCutoff, recordCutoff) as number[];
    const clear = this.db.prepare('UPDATE alerts SET has_crop = 0 WHERE id = ?');
    for (const id of expiredCrops) {
      // File first: if the process dies between the two, the record merely claims a missing file.
      if (this.crops.remove(id)) crops++;
      clear.run(id);
    }
    const records = this.db.prepare('DELETE FROM alerts WHERE capture_ms < ?').run(recordCutoff).changes;
    const keep = this.db.prepare('SELECT 1 FROM alerts WHERE id = ? AND has_crop = 1').pluck();
    crops += this.crops.sweep((id) => keep.get(id) !== undefined, t);
    return { crops, records };
  }

  counts(): { total: number; pending: number } {
    return this.db
      .prepare("SELECT COUNT(*) AS total, COALESCE(SUM(review_status = 'pending'), 0) AS pending FROM alerts")
      .get() as { total: number; pending: number };
  }

  /** Prepared once per SQL text (fixed texts only). */
  private statement(sql: string): Database.Statement {
    return this.statements.get(sql);
  }

  /** Raises the high-water mark (the server notes the hub's last id, stream-status events included, on stop). */
  noteEventId(id: number): void {
    this.db
      .prepare(
        `INSERT INTO meta (key, value) VALUES ('max_event_id', ?)
         ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)`,
      )
      .run(id);
  }
}

function boxOf(b: FaceBox): FaceBox {
  return { x: b.x, y: b.y, width: b.width, height: b.height };
}

function notFound(id: number): ArgusError {
  return new ArgusError('ARGUS_E_NOT_FOUND', { kind: 'alert', id: String(id) });
}
