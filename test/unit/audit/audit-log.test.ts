import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { canonicalJson, chainHash, GENESIS_HASH } from '../../../src/audit/audit-chain';
import { type AuditEntryInput, AuditLog, auditLogPath } from '../../../src/audit/audit-log';
import { isArgusError } from '../../../src/errors/argus-error';
import { tempDir } from '../../helpers/gallery-fixtures';

const tmp = tempDir('audit-unit');
afterAll(() => tmp.cleanup());
let n = 0;

/** A fresh data dir with `count` entries. */
function filledLog(count: number): { dir: string; log: AuditLog } {
  const dir = `${tmp.dir}/d${++n}`;
  const log = AuditLog.open(dir);
  for (let i = 0; i < count; i++) {
    log.append({
      actor: i % 2 ? 'key:0123456789abcdef' : 'cli:alice',
      action: i % 3 ? 'identity.enrol' : 'alert.review',
      target: `t${i}`,
      reason: `because ${i}`,
      details: { i, ok: i % 2 === 0, note: null, label: `x${i}` },
    });
  }
  return { dir, log };
}

/** Raw SQL on the file, past the append-only triggers, as an attacker with file access would. */
function tamper(dir: string, sql: string): void {
  const db = new Database(auditLogPath(dir));
  try {
    db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
    db.exec(sql);
  } finally {
    db.close();
  }
}

function reopen(dir: string): AuditLog {
  return AuditLog.open(dir);
}

describe('AuditLog hash chain', () => {
  it('chains entries from 64 zeros: hash = sha256(prevHash + canonical JSON)', () => {
    const { log } = filledLog(3);
    try {
      const all = [...log.entries()];
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(all[0]!.prevHash).toBe(GENESIS_HASH);
      expect(all[1]!.prevHash).toBe(all[0]!.hash);
      expect(all[2]!.prevHash).toBe(all[1]!.hash);
      for (const e of all) {
        const row = {
          seq: e.seq,
          time: e.time,
          actor: e.actor,
          action: e.action,
          target: e.target ?? null,
          reason: e.reason ?? null,
          details: e.details ?? null,
        };
        expect(chainHash(e.prevHash, row)).toBe(e.hash);
      }
      expect(log.verify()).toEqual({ ok: true, entries: 3 });
    } finally {
      log.close();
    }
  });

  it('canonical JSON sorts keys at every depth and is independent of insertion order', () => {
    expect(canonicalJson({ b: 1, a: { d: true, c: null } })).toBe('{"a":{"c":null,"d":true},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('returns what it appended and lists newest first with filters and pagination', () => {
    const { log } = filledLog(10);
    try {
      const e = log.append({ actor: 'system', action: 'retention.purge', details: { crops: 4, records: 1 } });
      expect(e).toMatchObject({ seq: 11, actor: 'system', action: 'retention.purge' });
      expect(e.target).toBeUndefined();
      expect(new Date(e.time).toISOString()).toBe(e.time);
      expect(log.list({ limit: 3 }).map((x) => x.seq)).toEqual([11, 10, 9]);
      expect(log.list({ limit: 3, beforeSeq: 9 }).map((x) => x.seq)).toEqual([8, 7, 6]);
      expect(log.list({ action: 'alert.review' }).map((x) => x.seq)).toEqual([10, 7, 4, 1]);
      expect([...log.entries(9)].map((x) => x.seq)).toEqual([9, 10, 11]);
      expect(() => log.list({ limit: 0 })).toThrow(/limit/);
    } finally {
      log.close();
    }
  });

  it('refuses UPDATE and DELETE through SQLite (append-only triggers)', () => {
    const { dir, log } = filledLog(2);
    log.close();
    const db = new Database(auditLogPath(dir));
    try {
      expect(() => db.exec("UPDATE audit_log SET reason = 'x' WHERE seq = 1")).toThrow(/append-only/);
      expect(() => db.exec('DELETE FROM audit_log WHERE seq = 1')).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });
});

describe('AuditLog.verify finds tampering', () => {
  it.each([
    [
      'edited details',
      `UPDATE audit_log SET details = '{"i":5,"label":"x5","note":null,"ok":false}' WHERE seq = 5`,
      5,
      /modified/,
    ],
    ['edited reason', "UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 7", 7, /modified/],
    ['edited actor and rehashed row', '', 0, /./],
    ['deleted row', 'DELETE FROM audit_log WHERE seq = 4', 4, /missing/],
    ['deleted first row', 'DELETE FROM audit_log WHERE seq = 1', 1, /missing/],
    ['details made unreadable', "UPDATE audit_log SET details = '{not json' WHERE seq = 3", 3, /unreadable/],
  ])('%s', (_name, sql, badSeq, reason) => {
    const { dir, log } = filledLog(8);
    log.close();
    if (sql === '') {
      // An attacker who also recomputes the edited row's own hash still breaks the next link.
      const target = [...reopenEntries(dir)][5]!;
      const row = { ...rowOf(target), actor: 'cli:mallory' };
      tamper(
        dir,
        `UPDATE audit_log SET actor = 'cli:mallory', hash = '${chainHash(target.prevHash, row)}' WHERE seq = 6`,
      );
      badSeq = 7;
      reason = /does not link/;
    } else {
      tamper(dir, sql);
    }
    const v = reopen(dir);
    try {
      const r = v.verify();
      expect(r.ok).toBe(false);
      expect(r.firstBadSeq).toBe(badSeq);
      expect(r.reason).toMatch(reason);
    } finally {
      v.close();
    }
  });

  it('swapped rows (contents exchanged between two seqs)', () => {
    const { dir, log } = filledLog(6);
    log.close();
    tamper(
      dir,
      `UPDATE audit_log SET seq = -1 WHERE seq = 3;
       UPDATE audit_log SET seq = 3 WHERE seq = 4;
       UPDATE audit_log SET seq = 4 WHERE seq = -1;`,
    );
    const v = reopen(dir);
    try {
      expect(v.verify()).toMatchObject({ ok: false, firstBadSeq: 3 });
    } finally {
      v.close();
    }
  });

  it('an intact log of 500 entries verifies', () => {
    const { log } = filledLog(500);
    try {
      expect(log.verify()).toEqual({ ok: true, entries: 500 });
    } finally {
      log.close();
    }
  });
});

function reopenEntries(dir: string) {
  const l = reopen(dir);
  try {
    return [...l.entries()];
  } finally {
    l.close();
  }
}

function rowOf(e: ReturnType<AuditLog['append']>) {
  return {
    seq: e.seq,
    time: e.time,
    actor: e.actor,
    action: e.action,
    target: e.target ?? null,
    reason: e.reason ?? null,
    details: e.details ?? null,
  };
}

describe('AuditLog input validation', () => {
  const { log } = filledLog(0);
  afterAll(() => log.close());
  const ok: AuditEntryInput = {
    actor: 'cli:bob',
    action: 'identity.delete',
    target: 'id_1',
    reason: 'request',
  };

  it.each<[string, Partial<AuditEntryInput> | Record<string, unknown>]>([
    ['unknown action', { action: 'identity.steal' }],
    ['bad actor', { actor: 'bob' }],
    ['actor with spaces', { actor: 'cli:bob smith' }],
    ['empty reason', { reason: '' }],
    ['over-long reason', { reason: 'r'.repeat(1001) }],
    ['control characters', { target: 'a\u001b[2Jb' }],
    ['nested details', { details: { a: { b: 1 } } }],
    ['array details', { details: { v: [0.1, 0.2] } }],
    ['serialized embedding', { details: { v: JSON.stringify(Array.from({ length: 8 }, (_, i) => i / 7)) } }],
    ['number list', { details: { v: Array.from({ length: 20 }, (_, i) => (i / 3).toFixed(4)).join(' ') } }],
    ['pixel bytes as integers', { details: { px: Array.from({ length: 70 }, (_, i) => i * 3).join(',') } }],
    ['base64 blob', { details: { crop: Buffer.alloc(200, 7).toString('base64') } }],
    [
      'base64 of random bytes',
      {
        details: {
          crop: Buffer.from(Array.from({ length: 250 }, (_, i) => (i * 97) % 256)).toString('base64'),
        },
      },
    ],
    ['base64 in reason', { reason: `see ${Buffer.alloc(120, 1).toString('base64')}` }],
    ['non-finite number', { details: { x: Number.NaN } }],
    ['bad key', { details: { 'a b': 1 } }],
    ['too many keys', { details: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i])) }],
    ['unknown field', { embedding: 'x' }],
  ])('refuses %s with ARGUS_E_AUDIT_INVALID_ENTRY and appends nothing', (_n, patch) => {
    const before = log.list({ limit: 1 })[0]?.seq ?? 0;
    let caught: unknown;
    try {
      log.append({ ...ok, ...patch } as AuditEntryInput);
    } catch (err) {
      caught = err;
    }
    expect(isArgusError(caught, 'ARGUS_E_AUDIT_INVALID_ENTRY')).toBe(true);
    expect(log.list({ limit: 1 })[0]?.seq ?? 0).toBe(before);
  });

  it('accepts the ordinary shapes (ids, sha-like short ids, counts, flags, multi-line reasons)', () => {
    log.append(ok);
    log.append({
      actor: 'key:0123456789abcdef',
      action: 'key.create',
      target: '89ab01cd',
      details: { role: 'admin' },
    });
    log.append({
      actor: 'system',
      action: 'retention.purge',
      details: { crops: 3, records: 0, ok: true, n: null },
    });
    log.append({ actor: 'cli:root', action: 'alert.review', target: '42', reason: 'line one\nline two' });
    // Ordinary text that merely resembles the refused shapes.
    log.append({
      actor: 'cli:root',
      action: 'gallery.import',
      target: '/srv/argus/imports/2024/batch-07_from_the_regional_office_of_the_northern_district_archive',
      reason:
        '[urgent] request dated 2024-01-02, 2024-01-03, 2024-01-04, 2024-01-05, 2024-01-06 and 2024-01-07',
      details: { note: '[draft]', sha256: 'a'.repeat(64), score: '0.61', ids: '1, 2, 3, 4, 5, 6, 7, 8' },
    });
    expect(log.verify().ok).toBe(true);
  });
});

describe('AuditLog.open', () => {
  it('reports a file that is not a database as ARGUS_E_AUDIT_CORRUPT', () => {
    const dir = `${tmp.dir}/corrupt`;
    AuditLog.open(dir).close();
    writeFileSync(auditLogPath(dir), Buffer.alloc(4096, 0x41));
    for (const suffix of ['-wal', '-shm']) writeFileSync(`${auditLogPath(dir)}${suffix}`, '');
    let caught: unknown;
    try {
      AuditLog.open(dir).close();
    } catch (err) {
      caught = err;
    }
    expect(isArgusError(caught, 'ARGUS_E_AUDIT_CORRUPT')).toBe(true);
    expect(String((caught as Error).message)).toContain('audit.db');
  });

  it('with mustExist, a missing log is ARGUS_E_FILE_NOT_FOUND, not a fresh empty one', () => {
    expect(() => AuditLog.open(`${tmp.dir}/none`, { mustExist: true })).toThrow(/File not found/);
  });
});
