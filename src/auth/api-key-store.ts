import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ArgusError } from '../errors/argus-error';
import { TtlCache } from './ttl-cache';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** What a verified key grants. */
export interface Principal {
  id: string;
  role: Role;
}

/** A key as `list()` shows it: never the secret, never the hash. */
export interface ApiKeyInfo {
  id: string;
  role: Role;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface CreatedApiKey {
  id: string;
  /** The only time the secret exists outside the caller's hands: it is not stored. */
  key: string;
  role: Role;
}

export interface ApiKeyStoreOptions {
  /** Successful verifications remembered, so a message flood does not run scrypt each time. Default 1000. */
  cacheSize?: number;
  /** How long a cached verification stands, in ms. Default 30 000. */
  cacheTtlMs?: number;
  /** scrypt cost N (a power of 2). Default 16384: ~50 ms per verification on a small machine. */
  scryptCost?: number;
}

const KEY_RE = /^argus_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const HASH_BYTES = 32;
const SALT_BYTES = 16;
const SCRYPT_R = 8;
const SCRYPT_P = 1;

const SCHEMA = `CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  label TEXT,
  salt BLOB NOT NULL,
  hash BLOB NOT NULL,
  scrypt_n INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
)`;

interface KeyRow {
  id: string;
  role: Role;
  label: string | null;
  salt: Buffer;
  hash: Buffer;
  scrypt_n: number;
  created_at: string;
  revoked_at: string | null;
}

/** Where a data directory keeps its API keys. */
export function apiKeysPath(dataDir: string): string {
  return path.join(dataDir, 'auth', 'keys.db');
}

/**
 * API keys in SQLite. A key is `argus_<id>_<secret>`; only a per-key-salted scrypt hash of the
 * secret is stored, so a copy of the database does not let anyone in.
 */
export class ApiKeyStore {
  private readonly db: Database.Database;
  private readonly cache: TtlCache<string, Principal>;
  private readonly cost: number;
  private readonly revokedListeners = new Set<(id: string) => void>();
  private readonly stopWatching = new Set<NodeJS.Timeout>();
  /** A hash to compare against for unknown ids, so they cost the same time as known ones. */
  private readonly dummy = { salt: randomBytes(SALT_BYTES), hash: randomBytes(HASH_BYTES) };

  private constructor(db: Database.Database, o: ApiKeyStoreOptions) {
    this.db = db;
    this.cost = o.scryptCost ?? 16384;
    this.cache = new TtlCache(o.cacheSize ?? 1000, o.cacheTtlMs ?? 30_000);
  }

  /** Opens (creating when missing) the key database of a data directory. */
  static open(dataDir: string, o: ApiKeyStoreOptions = {}): ApiKeyStore {
    return ApiKeyStore.openFile(apiKeysPath(dataDir), o);
  }

  static openFile(file: string, o: ApiKeyStoreOptions = {}): ApiKeyStore {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const db = new Database(file, { timeout: 5000 });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('secure_delete = ON');
      db.exec(SCHEMA);
    } catch (err) {
      db.close();
      throw err;
    }
    return new ApiKeyStore(db, o);
  }

  async create(o: { role: Role; label?: string }): Promise<CreatedApiKey> {
    if (!isRole(o.role)) {
      throw new ArgusError('ARGUS_E_USAGE', { reason: `role must be one of ${ROLES.join(', ')}` });
    }
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const salt = randomBytes(SALT_BYTES);
    const hash = await this.hash(secret, salt, this.cost);
    this.db
      .prepare(
        'INSERT INTO api_keys (id, role, label, salt, hash, scrypt_n, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(id, o.role, o.label ?? null, salt, hash, this.cost, new Date().toISOString());
    return { id, key: `argus_${id}_${secret}`, role: o.role };
  }

  /** The key's id and role, or undefined when it is malformed, unknown or revoked. */
  async verify(key: string): Promise<Principal | undefined> {
    const cacheKey = createHash('sha256').update(key).digest('base64');
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const m = KEY_RE.exec(key);
    const row = m ? this.row(m[1]!) : undefined;
    const salt = row?.salt ?? this.dummy.salt;
    const expected = row?.hash ?? this.dummy.hash;
    const actual = await this.hash(m?.[2] ?? key, salt, row?.scrypt_n ?? this.cost);
    const equal = actual.length === expected.length && timingSafeEqual(actual, expected);
    if (!equal || !row || row.revoked_at !== null) return undefined;
    // Re-read: the key may have been revoked while scrypt ran.
    if (this.row(row.id)?.revoked_at !== null) return undefined;
    const principal = { id: row.id, role: row.role };
    this.cache.set(cacheKey, principal);
    return principal;
  }

  /** Revokes a key and tells listeners (live connections drop). False when it was already revoked. */
  revoke(id: string): boolean {
    const row = this.row(id);
    if (!row) throw new ArgusError('ARGUS_E_AUTH_KEY_NOT_FOUND', { id });
    this.cache.deleteWhere((p) => p.id === id);
    if (row.revoked_at !== null) return false;
    this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(new Date().toISOString(), id);
    for (const listener of this.revokedListeners) listener(id);
    return true;
  }

  list(): ApiKeyInfo[] {
    const rows = this.db
      .prepare('SELECT id, role, label, created_at, revoked_at FROM api_keys ORDER BY created_at, id')
      .all() as KeyRow[];
    return rows.map((r) => ({
      id: r.id,
      role: r.role,
      label: r.label,
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
    }));
  }

  /** Calls `listener(id)` after each revocation through this store; returns an unsubscribe function. */
  onRevoked(listener: (id: string) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /**
   * Polls the database for keys revoked by another process (e.g. `argus keys revoke` while the
   * server runs), so their cached verifications end and their connections drop. Returns a stop function.
   */
  watchRevocations(intervalMs = 2000): () => void {
    const seen = new Set(this.revokedIds());
    const timer = setInterval(() => {
      for (const id of this.revokedIds()) {
        if (seen.has(id)) continue;
        seen.add(id);
        this.cache.deleteWhere((p) => p.id === id);
        for (const listener of this.revokedListeners) listener(id);
      }
    }, intervalMs);
    timer.unref();
    this.stopWatching.add(timer);
    return () => {
      clearInterval(timer);
      this.stopWatching.delete(timer);
    };
  }

  close(): void {
    for (const t of this.stopWatching) clearInterval(t);
    this.stopWatching.clear();
    this.revokedListeners.clear();
    this.cache.clear();
    this.db.close();
  }

  private revokedIds(): string[] {
    return (
      this.db.prepare('SELECT id FROM api_keys WHERE revoked_at IS NOT NULL').all() as { id: string }[]
    ).map((r) => r.id);
  }

  private row(id: string): KeyRow | undefined {
    return this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as KeyRow | undefined;
  }

  private hash(secret: string, salt: Buffer, cost: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      scrypt(
        secret,
        salt,
        HASH_BYTES,
        { N: cost, r: SCRYPT_R, p: SCRYPT_P, maxmem: 256 * cost * SCRYPT_R },
        (err, derived) => (err ? reject(err) : resolve(derived)),
      );
    });
  }
}
