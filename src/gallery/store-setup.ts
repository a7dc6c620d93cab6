import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ArgusError } from '../errors/argus-error';
import type { StoreOpenOptions } from './gallery-store';
import { mapSqliteError } from './store-errors';
import { MIGRATIONS, SCHEMA_VERSION } from './store-schema';

/**
 * Opens (or creates) the gallery database with its durability settings, after checking that it is
 * writable and really a gallery, and brings its schema up to date.
 */
export function openGalleryDatabase(file: string, o: StoreOpenOptions): Database.Database {
  const existed = existsSync(file) && statSync(file).size > 0;
  if (!existed && !o.create) throw new ArgusError('ARGUS_E_GALLERY_NOT_FOUND', { path: file });
  if (existed) {
    // Root ignores permissions; a file with no write bit was made read-only on purpose.
    if ((statSync(file).mode & 0o222) === 0) {
      throw new ArgusError('ARGUS_E_GALLERY_READONLY', {
        path: file,
        reason: 'the file has no write permission',
      });
    }
  } else {
    mkdirSync(path.dirname(file), { recursive: true });
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { timeout: o.busyTimeoutMs });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('secure_delete = ON');
    checkIsGallery(db, file, existed);
    probeWritable(db);
    migrate(db, file);
    initMeta(db, o);
    return db;
  } catch (err) {
    db?.close();
    throw mapSqliteError(err, file, o.busyTimeoutMs);
  }
}

/** An existing file must be a gallery: never take over (or start empty on) someone else's database. */
export function checkIsGallery(db: Database.Database, file: string, existed: boolean): void {
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
      name: string;
    }[]
  ).map((r) => r.name);
  if (existed && tables.length > 0 && !tables.includes('schema_migrations')) {
    throw new ArgusError('ARGUS_E_GALLERY_CORRUPT', {
      path: file,
      reason: `a SQLite database without the gallery's tables (has: ${tables.slice(0, 5).join(', ')})`,
    });
  }
}

/** Fails with SQLITE_READONLY now, rather than at the first enrolment, when the file cannot be written. */
export function probeWritable(db: Database.Database): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const v = db.pragma('user_version', { simple: true }) as number;
    db.pragma(`user_version = ${Number(v)}`);
  } finally {
    db.exec('ROLLBACK');
  }
}

export function migrate(db: Database.Database, file: string): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const current = (
      db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_migrations').get() as { v: number }
    ).v;
    if (current > SCHEMA_VERSION) {
      throw new ArgusError('ARGUS_E_GALLERY_CORRUPT', {
        path: file,
        reason: `schema version ${current} is newer than this Argus knows (${SCHEMA_VERSION})`,
      });
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    }
  }).immediate();
}

export function initMeta(db: Database.Database, o: { modelId: string; dim: number }): void {
  db.transaction(() => {
    const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
    insert.run('model_id', o.modelId);
    insert.run('dim', o.dim);
    insert.run('generation', 0);
    insert.run('delete_generation', 0);
    insert.run('template_count', 0);
  }).immediate();
}
