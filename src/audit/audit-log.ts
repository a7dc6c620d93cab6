import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ArgusError } from '../errors/argus-error';
import { AUDIT_ACTIONS, type AuditAction } from './audit-actions';
import { type AuditChainRow, chainHash, GENESIS_HASH, verifyChain } from './audit-chain';
import { validateAuditEntry } from './audit-entry-check';

export { AUDIT_ACTIONS, type AuditAction } from './audit-actions';

export interface AuditEntryInput {
  /** Who: 'key:<keyId>' | 'cli:<user>' | 'system'. */
  actor: string;
  action: AuditAction;
  /** What it acted on (an identity id, key id, stream id, alert id...). */
  target?: string;
  /** Why, as the person gave it. */
  reason?: string;
  /** Flat, small, never biometric: counts, names, flags. */
  details?: Record<string, string | number | boolean | null>;
}

export interface AuditEntry extends AuditEntryInput {
  seq: number;
  time: string;
  prevHash: string;
  hash: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  entries: number;
  firstBadSeq?: number;
  reason?: string;
}

export interface AuditListOptions {
  /** 1..1000, default 100. */
  limit?: number;
  /** Only entries with a smaller seq (pagination, newest first). */
  beforeSeq?: number;
  action?: AuditAction;
}

// The triggers refuse edits through SQLite itself; the hash chain catches edits made around it.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_log (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  reason TEXT,
  details TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_action ON audit_log (action, seq);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

interface Row {
  seq: number;
  time: string;
  actor: string;
  action: string;
  target: string | null;
  reason: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

/** Where a data directory keeps its audit log. */
export function auditLogPath(dataDir: string): string {
  return path.join(dataDir, 'audit', 'audit.db');
}

/**
 * The append-only, hash-chained record of who did what and why. Several processes (the CLI and the
 * server) may append to the same file: each append reads the chain head and inserts in one
 * IMMEDIATE transaction, so the chain never forks.
 */
export class AuditLog {
  private readonly db: Database.Database;
  private readonly file: string;
  private readonly appendTx: (e: AuditEntryInput) => AuditEntry;

  private constructor(db: Database.Database, file: string) {
    this.db = db;
    this.file = file;
    const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    const insert = db.prepare(
      `INSERT INTO audit_log (seq, time, actor, action, target, reason, details, prev_hash, hash)
       VALUES (@seq, @time, @actor, @action, @target, @reason, @details, @prev_hash, @hash)`,
    );
    const tx = db.transaction((e: AuditEntryInput): AuditEntry => {
      const head = last.get() as { seq: number; hash: string } | undefined;
      const row: AuditChainRow = {
        seq: (head?.seq ?? 0) + 1,
        time: new Date().toISOString(),
        actor: e.actor,
        action: e.action,
        target: e.target ?? null,
        reason: e.reason ?? null,
        details: e.details ?? null,
      };
      const prevHash = head?.hash ?? GENESIS_HASH;
      const hash = chainHash(prevHash, row);
      insert.run({
        ...row,
        details: row.details === null ? null : JSON.stringify(row.details),
        prev_hash: prevHash,
        hash,
      });
      return toEntry({ ...row, prevHash, hash });
    });
    this.appendTx = (e) => tx.immediate(e);
  }

  /**
   * Opens the audit log of a data directory, creating it when missing unless `mustExist` (for
   * verify and export: a missing log is reported, not silently created empty).
   */
  static open(dataDir: string, o: { mustExist?: boolean } = {}): AuditLog {
    return AuditLog.openFile(auditLogPath(dataDir), o);
  }

  static openFile(file: string, o: { mustExist?: boolean } = {}): AuditLog {
    if (o.mustExist && !existsSync(file)) throw new ArgusError('ARGUS_E_FILE_NOT_FOUND', { path: file });
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    let db: Database.Database | undefined;
    try {
      // A writer waits this long for another process's append (they take milliseconds).
      db = new Database(file, { timeout: 10_000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(SCHEMA);
      return new AuditLog(db, file);
    } catch (err) {
      db?.close();
      if (err instanceof ArgusError) throw err;
      throw new ArgusError(
        'ARGUS_E_AUDIT_CORRUPT',
        { path: file, reason: err instanceof Error ? err.message : String(err) },
        { cause: err },
      );
    }
  }

  /** Validates and appends one entry; returns it with its seq, time and hashes. */
  append(e: AuditEntryInput): AuditEntry {
    validateAuditEntry(e);
    return this.appendTx(e);
  }

  /** Recomputes the whole chain; reports the first entry that was edited, removed or moved. */
  verify(): AuditVerifyResult {
    const rows = this.db
      .prepare('SELECT * FROM audit_log ORDER BY seq ASC')
      .iterate() as IterableIterator<Row>;
    try {
      return verifyChain(mapRows(rows));
    } catch (err) {
      throw this.corrupt(err);
    }
  }

  /** Newest first. */
  list(o: AuditListOptions = {}): AuditEntry[] {
    const limit = o.limit ?? 100;
    const bad = (reason: string) => new ArgusError('ARGUS_E_HTTP_BAD_REQUEST', { reason });
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw bad('limit must be a whole number from 1 to 1000');
    }
    if (o.beforeSeq !== undefined && (!Number.isSafeInteger(o.beforeSeq) || o.beforeSeq < 1)) {
      throw bad('beforeSeq must be a whole number >= 1');
    }
    if (o.action !== undefined && !(AUDIT_ACTIONS as readonly string[]).includes(o.action)) {
      throw bad(`unknown audit action "${String(o.action)}"`);
    }
    const where: string[] = [];
    const params: Record<string, unknown> = { limit };
    if (o.beforeSeq !== undefined) {
      where.push('seq < @beforeSeq');
      params.beforeSeq = o.beforeSeq;
    }
    if (o.action !== undefined) {
      where.push('action = @action');
      params.action = o.action;
    }
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY seq DESC LIMIT @limit`;
    const rows = this.db.prepare(sql).all(params) as Row[];
    return rows.map((r) => toEntry(fromRow(r)));
  }

  /**
   * Oldest first, from `fromSeq` (default 1); streams rows, for export. The connection is busy
   * while the iterator is open: finish (or break out of) it before appending through this instance.
   */
  *entries(fromSeq = 1): IterableIterator<AuditEntry> {
    const rows = this.db
      .prepare('SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq ASC')
      .iterate(fromSeq) as IterableIterator<Row>;
    for (const r of mapRows(rows)) yield toEntry(r);
  }

  private corrupt(err: unknown): ArgusError {
    const reason = err instanceof Error ? err.message : String(err);
    return new ArgusError('ARGUS_E_AUDIT_CORRUPT', { path: this.file, reason }, { cause: err });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

type StoredRow = AuditChainRow & { prevHash: string; hash: string; unreadable?: string };

function* mapRows(rows: IterableIterator<Row>): IterableIterator<StoredRow> {
  for (const r of rows) yield fromRow(r);
}

function fromRow(r: Row): StoredRow {
  const row: StoredRow = {
    seq: r.seq,
    time: r.time,
    actor: r.actor,
    action: r.action,
    target: r.target,
    reason: r.reason,
    details: null,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
  if (r.details !== null) {
    try {
      row.details = JSON.parse(r.details) as AuditChainRow['details'];
    } catch {
      // Only an edit outside AuditLog produces this; verify() reports it as that entry's fault.
      row.unreadable = `entry ${r.seq} has unreadable details (not JSON)`;
    }
  }
  return row;
}

function toEntry(r: StoredRow): AuditEntry {
  const e: AuditEntry = {
    seq: r.seq,
    time: r.time,
    actor: r.actor,
    action: r.action as AuditAction,
    prevHash: r.prevHash,
    hash: r.hash,
  };
  if (r.target !== null) e.target = r.target;
  if (r.reason !== null) e.reason = r.reason;
  if (r.details !== null) e.details = r.details;
  return e;
}
