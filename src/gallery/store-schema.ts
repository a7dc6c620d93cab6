/**
 * The gallery database schema, as an ordered list of migrations. A migration is never edited once
 * released: changes are new entries. Each runs in the transaction that records it in
 * schema_migrations, so a crash leaves a database either before or after it.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'identities, templates, deletions, meta',
    sql: `
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value ANY NOT NULL
      );
      -- seq orders listings and cursors; id is the stable public identifier (a UUID).
      CREATE TABLE identities (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        watchlists TEXT NOT NULL DEFAULT '[]',
        metadata TEXT NOT NULL DEFAULT '{}',
        enrolled_by TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        created_at TEXT NOT NULL
      );
      CREATE INDEX identities_by_name ON identities (name);
      -- id is the vector-index label; AUTOINCREMENT so a label is never reused after a deletion.
      CREATE TABLE templates (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
        model_id TEXT NOT NULL,
        embedding BLOB NOT NULL,
        image_sha256 TEXT NOT NULL,
        quality REAL,
        created_at TEXT NOT NULL,
        UNIQUE (identity_id, image_sha256)
      );
      -- The record of an erasure: who, when, why, how much. Nothing biometric, no name.
      CREATE TABLE deletions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('identity', 'template')),
        identity_id TEXT NOT NULL,
        template_id INTEGER,
        deleted_at TEXT NOT NULL,
        deleted_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        template_count INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'identity photos',
    sql: `
      -- One small JPEG face crop per identity (its reference photo for the dashboard), from the
      -- best-quality enrolment image. Tied to that template: erasing the template or the identity
      -- erases the photo in the same transaction.
      CREATE TABLE identity_photos (
        identity_id TEXT PRIMARY KEY REFERENCES identities (id) ON DELETE CASCADE,
        template_id INTEGER NOT NULL UNIQUE REFERENCES templates (id) ON DELETE CASCADE,
        quality REAL,
        jpeg BLOB NOT NULL,
        created_at TEXT NOT NULL
      );
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
