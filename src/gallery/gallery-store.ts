import type Database from 'better-sqlite3';
import { ArgusError } from '../errors/argus-error';
import { PreparedStatements } from '../util/prepared-statements';
import { embeddingFromBytes, embeddingToBytes } from './embedding-check';
import type { Identity, IdentityRef, TemplateInfo } from './gallery-types';
import type { NormalisedIdentity } from './identity-input';
import { mapSqliteError } from './store-errors';
import { keepBestPhoto } from './store-photos';
import {
  IDENTITY_COLUMNS,
  type IdentityRow,
  type TemplateRow,
  toIdentity,
  toTemplateInfo,
} from './store-rows';
import { openGalleryDatabase } from './store-setup';
import type { IndexStamp } from './vector-index';

export interface StoreOpenOptions {
  /** Create the database when the file does not exist (else ARGUS_E_GALLERY_NOT_FOUND). */
  create: boolean;
  busyTimeoutMs: number;
  /** Recorded when the gallery is created; the gallery's model from then on. */
  modelId: string;
  dim: number;
}

export interface NewTemplate {
  embedding: Float32Array;
  imageSha256: string;
  quality: number | null;
  modelId: string;
  /** JPEG face crop of the enrolment image (identity photo candidate); absent for bare embeddings. */
  photo?: Buffer;
}

/** A write and the database state just before and after it (for the index to follow). */
export interface Written<T> {
  result: T;
  /** Generation before this transaction: equal to the index's stamp means the index was in step. */
  generationBefore: number;
  after: IndexStamp;
}

export interface InsertedTemplates {
  identityId: string;
  /** For each input template, in order: its new id, or null when it was a duplicate. */
  ids: Array<number | null>;
}

/**
 * The gallery's SQLite store (better-sqlite3): WAL journal with synchronous=FULL, so a transaction
 * that returned is on disk and survives kill -9 or power loss; foreign keys on (templates go with
 * their identity); secure_delete on, and the WAL truncated after erasures, so deleted embeddings
 * do not linger in the files. Every write bumps a generation counter the vector index is checked
 * against.
 */
export class GalleryStore {
  readonly modelId: string;
  readonly dim: number;
  /** Prepared once per SQL text: hot paths (each match looks up its identities) run per frame. */
  private readonly statements: PreparedStatements;

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    private readonly busyTimeoutMs: number,
  ) {
    this.statements = new PreparedStatements(db);
    this.modelId = String(this.meta('model_id'));
    this.dim = Number(this.meta('dim'));
  }

  private stmt(sql: string): Database.Statement {
    return this.statements.get(sql);
  }

  static open(file: string, o: StoreOpenOptions): GalleryStore {
    return new GalleryStore(openGalleryDatabase(file, o), file, o.busyTimeoutMs);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** The database state the vector index must reflect (meta counters and max(id): cheap). */
  stamp(): IndexStamp {
    return this.read(() => this.stampInTx());
  }

  /** Runs `fn` in one read transaction: all its reads see the same database state (WAL snapshot). */
  snapshot<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    this.read(() => this.db.exec('BEGIN'));
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw mapSqliteError(err, this.file, this.busyTimeoutMs);
    }
  }

  generation(): number {
    return this.read(() => Number(this.meta('generation')));
  }

  insertIdentity(
    id: string,
    identity: NormalisedIdentity,
    templates: readonly NewTemplate[],
    createdAt: string,
  ): Written<InsertedTemplates> {
    return this.write(0, () => {
      this.stmt(
        `INSERT INTO identities (id, name, watchlists, metadata, enrolled_by, reason, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        identity.name,
        JSON.stringify(identity.watchlists),
        identity.metadataJson,
        identity.enrolledBy,
        identity.reason,
        createdAt,
      );
      const ids = this.insertTemplatesIn(id, templates, createdAt);
      return { value: { identityId: id, ids }, delta: countInserted(ids) };
    });
  }

  /** Adds templates to an identity; at most `limit` templates per identity in all. */
  insertTemplates(
    identityId: string,
    templates: readonly NewTemplate[],
    createdAt: string,
    limit: number,
  ): Written<InsertedTemplates> {
    return this.write(0, () => {
      if (!this.identityExists(identityId)) {
        throw new ArgusError('ARGUS_E_GALLERY_IDENTITY_NOT_FOUND', { id: identityId });
      }
      const count = this.templateCountOf(identityId);
      if (count + templates.length > limit) {
        throw new ArgusError('ARGUS_E_GALLERY_TOO_MANY_TEMPLATES', { id: identityId, count });
      }
      const ids = this.insertTemplatesIn(identityId, templates, createdAt);
      return { value: { identityId, ids }, delta: countInserted(ids) };
    });
  }

  deleteIdentity(
    id: string,
    by: string,
    reason: string,
    deletedAt: string,
  ): Written<{ labels: number[]; walTruncated: boolean }> {
    const written = this.write(1, () => {
      const labels = this.templateIdsOf(id);
      if (!this.identityExists(id)) throw new ArgusError('ARGUS_E_GALLERY_IDENTITY_NOT_FOUND', { id });
      this.stmt('DELETE FROM identities WHERE id = ?').run(id);
      this.logDeletion('identity', id, null, deletedAt, by, reason, labels.length);
      return { value: { labels, walTruncated: false }, delta: -labels.length };
    });
    written.result.walTruncated = this.truncateWal();
    return written;
  }

  deleteTemplate(
    templateId: number,
    by: string,
    reason: string,
    deletedAt: string,
  ): Written<{ identityId: string; walTruncated: boolean }> {
    const written = this.write(1, () => {
      const row = this.stmt('SELECT identity_id FROM templates WHERE id = ?').get(templateId) as
        | { identity_id: string }
        | undefined;
      if (!row) throw new ArgusError('ARGUS_E_GALLERY_TEMPLATE_NOT_FOUND', { id: templateId });
      this.stmt('DELETE FROM templates WHERE id = ?').run(templateId);
      this.logDeletion('template', row.identity_id, templateId, deletedAt, by, reason, 1);
      return { value: { identityId: row.identity_id, walTruncated: false }, delta: -1 };
    });
    written.result.walTruncated = this.truncateWal();
    return written;
  }

  getIdentity(id: string): Identity | undefined {
    return this.read(() => {
      const row = this.stmt(`SELECT ${IDENTITY_COLUMNS} FROM identities i WHERE i.id = ?`).get(id) as
        | IdentityRow
        | undefined;
      return row && toIdentity(row);
    });
  }

  templatesOf(identityId: string): TemplateInfo[] {
    return this.read(() =>
      (
        this.stmt(
          `SELECT id, identity_id, model_id, image_sha256, quality, created_at
             FROM templates WHERE identity_id = ? ORDER BY id`,
        ).all(identityId) as TemplateRow[]
      ).map(toTemplateInfo),
    );
  }

  /** One page of identities in enrolment order, after a cursor (a seq) or from an offset. */
  listIdentities(
    limit: number,
    from: { afterSeq: number } | { offset: number },
  ): {
    rows: Identity[];
    lastSeq: number | null;
    more: boolean;
  } {
    return this.read(() => {
      const rows = (
        'afterSeq' in from
          ? this.stmt(
              `SELECT ${IDENTITY_COLUMNS} FROM identities i WHERE i.seq > ? ORDER BY i.seq LIMIT ?`,
            ).all(from.afterSeq, limit + 1)
          : this.stmt(`SELECT ${IDENTITY_COLUMNS} FROM identities i ORDER BY i.seq LIMIT ? OFFSET ?`).all(
              limit + 1,
              from.offset,
            )
      ) as IdentityRow[];
      const page = rows.slice(0, limit);
      return {
        rows: page.map(toIdentity),
        lastSeq: page.length > 0 ? page[page.length - 1]!.seq : null,
        more: rows.length > limit,
      };
    });
  }

  counts(): { identities: number; templates: number; deletions: number } {
    return this.read(() => {
      const c = this.stmt(
        `SELECT (SELECT count(*) FROM identities) AS identities, (SELECT count(*) FROM templates) AS templates,
                  (SELECT count(*) FROM deletions) AS deletions`,
      ).get() as { identities: number; templates: number; deletions: number };
      return c;
    });
  }

  identityIdsByName(name: string): string[] {
    return this.read(() =>
      (this.stmt('SELECT id FROM identities WHERE name = ? ORDER BY seq').all(name) as { id: string }[]).map(
        (r) => r.id,
      ),
    );
  }

  imageShasOf(identityId: string): Set<string> {
    return this.read(
      () =>
        new Set(
          (
            this.stmt('SELECT image_sha256 FROM templates WHERE identity_id = ?').all(identityId) as {
              image_sha256: string;
            }[]
          ).map((r) => r.image_sha256),
        ),
    );
  }

  /** Identity of each template label (labels deleted meanwhile are absent from the map). */
  identitiesOfLabels(labels: readonly number[]): Map<number, IdentityRef> {
    return this.read(() => {
      const rows = this.stmt(
        `SELECT t.id AS label, i.id AS id, i.name AS name FROM templates t
           JOIN identities i ON i.id = t.identity_id
           WHERE t.id IN (SELECT value FROM json_each(?))`,
      ).all(JSON.stringify(labels)) as Array<{ label: number; id: string; name: string }>;
      return new Map(rows.map((r) => [r.label, { id: r.id, name: r.name }]));
    });
  }

  /** The identity's reference photo (JPEG), if an enrolment image gave one. */
  photo(identityId: string): Buffer | undefined {
    return this.read(() => {
      const row = this.stmt('SELECT jpeg FROM identity_photos WHERE identity_id = ?').get(identityId) as
        | { jpeg: Buffer }
        | undefined;
      return row?.jpeg;
    });
  }

  /** Labels of the templates whose identity is on at least one of these watchlists. */
  labelsOnWatchlists(names: readonly string[]): Set<number> {
    return this.read(
      () =>
        new Set(
          (
            this.stmt(
              `SELECT t.id AS label FROM templates t JOIN identities i ON i.id = t.identity_id
                 WHERE EXISTS (SELECT 1 FROM json_each(i.watchlists) w WHERE w.value IN (SELECT value FROM json_each(?)))`,
            ).all(JSON.stringify(names)) as Array<{ label: number }>
          ).map((r) => r.label),
        ),
    );
  }

  /** Template vectors with id > afterId, in id order, a batch at a time (rebuilds, catch-up). */
  *templateVectors(afterId = 0, batch = 2000): Generator<{ id: number; v: Float32Array }> {
    let last = afterId;
    const stmt = this.stmt('SELECT id, embedding FROM templates WHERE id > ? ORDER BY id LIMIT ?');
    for (;;) {
      const rows = this.read(() => stmt.all(last, batch) as Array<{ id: number; embedding: Buffer }>);
      for (const r of rows) yield { id: r.id, v: embeddingFromBytes(r.embedding, this.dim) };
      if (rows.length < batch) return;
      last = rows[rows.length - 1]!.id;
    }
  }

  /** Up to `limit` templates with their identity, drawn at random when there are more (calibration). */
  templatesForCalibration(limit: number): Array<{ group: string; v: Float32Array }> {
    return this.read(() =>
      (
        this.stmt(
          `SELECT identity_id, embedding FROM templates
             ${Number(this.meta('template_count')) > limit ? 'ORDER BY random()' : ''} LIMIT ?`,
        ).all(limit) as Array<{ identity_id: string; embedding: Buffer }>
      ).map((r) => ({ group: r.identity_id, v: embeddingFromBytes(r.embedding, this.dim) })),
    );
  }

  // ---- internals ----

  private meta(key: string): unknown {
    const row = this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: unknown } | undefined;
    return row?.value;
  }

  private identityExists(id: string): boolean {
    return this.stmt('SELECT 1 FROM identities WHERE id = ?').get(id) !== undefined;
  }

  private templateCountOf(id: string): number {
    return (this.stmt('SELECT count(*) AS n FROM templates WHERE identity_id = ?').get(id) as { n: number })
      .n;
  }

  private templateIdsOf(id: string): number[] {
    return (
      this.stmt('SELECT id FROM templates WHERE identity_id = ? ORDER BY id').all(id) as {
        id: number;
      }[]
    ).map((r) => r.id);
  }

  private insertTemplatesIn(
    identityId: string,
    templates: readonly NewTemplate[],
    createdAt: string,
  ): Array<number | null> {
    const insert = this.stmt(
      `INSERT INTO templates (identity_id, model_id, embedding, image_sha256, quality, created_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (identity_id, image_sha256) DO NOTHING RETURNING id`,
    );
    const ids = templates.map((t) => {
      if (t.modelId !== this.modelId || t.embedding.length !== this.dim) {
        throw new ArgusError('ARGUS_E_GALLERY_MODEL_MISMATCH', {
          galleryModel: this.modelId,
          galleryDim: this.dim,
          model: t.modelId,
          dim: t.embedding.length,
        });
      }
      const row = insert.get(
        identityId,
        t.modelId,
        embeddingToBytes(t.embedding),
        t.imageSha256,
        t.quality,
        createdAt,
      ) as { id: number } | undefined;
      return row ? row.id : null;
    });
    keepBestPhoto(this.db, identityId, templates, ids, createdAt);
    return ids;
  }

  private logDeletion(
    kind: 'identity' | 'template',
    identityId: string,
    templateId: number | null,
    at: string,
    by: string,
    reason: string,
    count: number,
  ): void {
    this.stmt(
      `INSERT INTO deletions (kind, identity_id, template_id, deleted_at, deleted_by, reason, template_count)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(kind, identityId, templateId, at, by, reason, count);
  }

  /**
   * Runs `fn` in an IMMEDIATE transaction (the write lock is taken up front, so two writers queue
   * rather than deadlock) and bumps the generation counters with it.
   */
  private write<T>(deletes: 0 | 1, fn: () => { value: T; delta: number }): Written<T> {
    try {
      return this.db
        .transaction((): Written<T> => {
          const generationBefore = Number(this.meta('generation'));
          const { value, delta } = fn();
          this.stmt("UPDATE meta SET value = value + 1 WHERE key = 'generation'").run();
          if (deletes) this.stmt("UPDATE meta SET value = value + 1 WHERE key = 'delete_generation'").run();
          // Kept as a counter: count(*) over a million templates costs tens of milliseconds.
          this.stmt("UPDATE meta SET value = value + ? WHERE key = 'template_count'").run(delta);
          return { result: value, generationBefore, after: this.stampInTx() };
        })
        .immediate();
    } catch (err) {
      throw mapSqliteError(err, this.file, this.busyTimeoutMs);
    }
  }

  private stampInTx(): IndexStamp {
    return {
      generation: Number(this.meta('generation')),
      deleteGeneration: Number(this.meta('delete_generation')),
      maxLabel: (this.stmt('SELECT coalesce(max(id), 0) AS m FROM templates').get() as { m: number }).m,
      count: Number(this.meta('template_count')),
    };
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw mapSqliteError(err, this.file, this.busyTimeoutMs);
    }
  }

  /** Checkpoints the WAL into the database and truncates it to zero bytes. */
  private truncateWal(): boolean {
    try {
      const [r] = this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      return r?.busy === 0;
    } catch {
      return false;
    }
  }
}

const countInserted = (ids: Array<number | null>) => ids.filter((id) => id !== null).length;
