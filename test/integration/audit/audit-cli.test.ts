import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type AuditEntry, AuditLog, auditLogPath } from '../../../src/audit/audit-log';
import { FIXTURES } from '../../helpers/fixtures';
import { tempDir } from '../../helpers/gallery-fixtures';
import { spawnTsChild } from '../../helpers/gallery-ts-child';
import { runCli } from '../../helpers/run-cli';

const USER = `cli:${os.userInfo().username}`;
const KNN = path.join(FIXTURES, 'face_recognition', 'knn_examples', 'train');

function readLog(dir: string): AuditEntry[] {
  const log = AuditLog.open(dir, { mustExist: true });
  try {
    return [...log.entries()];
  } finally {
    log.close();
  }
}

describe('argus audit + audited CLI actions (real CLI, real SQLite)', () => {
  const tmp = tempDir('audit-cli');
  afterAll(() => tmp.cleanup());
  const data = path.join(tmp.dir, 'data');

  it('keys create/revoke append key.create/key.revoke by cli:<user>, never the key itself', async () => {
    const created = await runCli([
      'keys',
      'create',
      '--data',
      data,
      '--role',
      'operator',
      '--label',
      'ops',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const { key, id } = created.lines[0] as { key: string; id: string };
    const revoked = await runCli(['keys', 'revoke', id, '--data', data, '--json']);
    expect(revoked.code).toBe(0);

    const entries = readLog(data);
    expect(entries.map((e) => [e.seq, e.action, e.actor, e.target])).toEqual([
      [1, 'key.create', USER, id],
      [2, 'key.revoke', USER, id],
    ]);
    expect(entries[0]!.details).toEqual({ role: 'operator', label: 'ops' });
    expect(entries[1]!.details).toEqual({ wasActive: true });
    const file = auditLogPath(data);
    const bytes = Buffer.concat(
      [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)),
    );
    // The base64url secret may contain '_': take everything after the id.
    const secret = /^argus_[0-9a-f]{16}_(.{43})$/.exec(key)![1]!;
    expect(bytes.includes(Buffer.from(secret))).toBe(false);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it('gallery add / search / import / remove append identity.enrol, gallery.search, gallery.import, identity.delete with the reason', async () => {
    const add = await runCli([
      'gallery',
      'add',
      '--data',
      data,
      '--name',
      'Obama',
      '--reason',
      'case 17 warrant',
      path.join(KNN, 'obama', 'obama.jpg'),
      '--json',
    ]);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const identityId = (add.lines[0] as { identity: { id: string } }).identity.id;

    const probe = path.join(KNN, '..', 'test', 'obama1.jpg');
    const search = await runCli([
      'gallery',
      'search',
      probe,
      '--data',
      data,
      '--reason',
      'case 17 lookup',
      '--json',
    ]);
    expect(search.code).toBe(0);

    const people = path.join(tmp.dir, 'people');
    for (const p of ['biden', 'alex_lacamoire']) {
      mkdirSync(path.join(people, p), { recursive: true });
      const src = path.join(KNN, p);
      const first = readdirSync(src).sort()[0]!;
      copyFileSync(path.join(src, first), path.join(people, p, first));
    }
    // Text output this time: the audit entry must not depend on --json.
    const imp = await runCli(['gallery', 'import', people, '--data', data, '--reason', 'bulk list 3']);
    expect(imp.code).toBe(0);

    const rm = await runCli(['gallery', 'remove', identityId, '--data', data, '--reason', 'erasure request']);
    expect(rm.code).toBe(0);

    const entries = readLog(data).slice(2);
    expect(entries.map((e) => [e.action, e.actor, e.target, e.reason])).toEqual([
      ['identity.enrol', USER, identityId, 'case 17 warrant'],
      ['gallery.search', USER, 'obama1.jpg', 'case 17 lookup'],
      ['gallery.import', USER, 'people', 'bulk list 3'],
      ['identity.delete', USER, identityId, 'erasure request'],
    ]);
    expect(entries[0]!.details).toEqual({ templates: 1 });
    expect(entries[1]!.details).toEqual({ candidates: 1 });
    expect(entries[2]!.details).toEqual({ people: 2, images: 2, added: 2, skipped: 0, rejected: 0 });
  });

  it('a failed action leaves no entry (removing an unknown identity)', async () => {
    const before = readLog(data).length;
    const rm = await runCli(['gallery', 'remove', 'no_such_identity', '--data', data, '--reason', 'x']);
    expect(rm.code).not.toBe(0);
    expect(readLog(data)).toHaveLength(before);
  });

  it('verify exits 0 on the intact log; export writes JSONL to stdout, --from and --out', async () => {
    const total = readLog(data).length;
    const v = await runCli(['audit', 'verify', '--data', data, '--json']);
    expect(v.code).toBe(0);
    expect(v.lines).toEqual([{ ok: true, entries: total }]);
    const text = await runCli(['audit', 'verify', '--data', data]);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(`audit log intact: ${total} entries\n`);

    const ex = await runCli(['audit', 'export', '--data', data]);
    expect(ex.code).toBe(0);
    expect(ex.lines).toEqual(readLog(data));
    const from = await runCli(['audit', 'export', '--data', data, '--from', '3']);
    expect(from.lines.map((e) => e.seq)).toEqual(
      readLog(data)
        .slice(2)
        .map((e) => e.seq),
    );

    const out = path.join(tmp.dir, 'audit.jsonl');
    const file = await runCli(['audit', 'export', '--data', data, '--out', out]);
    expect(file.code).toBe(0);
    expect(file.stdout).toBe('');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const lines = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(readLog(data));
  });

  it('verify exits 1 naming the first bad entry after a row is edited with raw SQL', async () => {
    const copy = path.join(tmp.dir, 'tampered');
    mkdirSync(path.join(copy, 'audit'), { recursive: true });
    const log = AuditLog.open(copy);
    for (let i = 0; i < 5; i++)
      log.append({ actor: 'system', action: 'retention.purge', details: { crops: i } });
    log.close();
    const db = new Database(auditLogPath(copy));
    db.exec('DROP TRIGGER audit_log_no_update');
    db.exec(`UPDATE audit_log SET details = '{"crops":0}' WHERE seq = 4`);
    db.close();

    const v = await runCli(['audit', 'verify', '--data', copy, '--json']);
    expect(v.code).toBe(1);
    expect(v.lines[0]).toMatchObject({ ok: false, entries: 4, firstBadSeq: 4 });
    expect(v.stderr).toMatch(/ARGUS_E_AUDIT_CHAIN_BROKEN.*entry 4/);
  });

  it('verify on a data dir without an audit log is an error, not "intact"', async () => {
    const v = await runCli(['audit', 'verify', '--data', path.join(tmp.dir, 'empty')]);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/ARGUS_E_FILE_NOT_FOUND.*audit\.db/);
  });

  it('two processes appending at once keep one valid chain', async () => {
    const dir = path.join(tmp.dir, 'concurrent');
    const children = ['p1', 'p2'].map((name) =>
      spawnTsChild(path.join(__dirname, 'audit-append-child.ts'), [dir, '150', name]),
    );
    try {
      // Both compile and open first, then start appending together on "go".
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve, reject) => {
              c.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
              c.on('close', (code) => reject(new Error(`child exited ${code} before ready`)));
            }),
        ),
      );
      for (const c of children) c.stdin.end('go\n');
      const spans = await Promise.all(
        children.map(
          (c) =>
            new Promise<{ start: number; end: number }>((resolve, reject) => {
              let out = '';
              let err = '';
              c.stdout.on('data', (d: Buffer) => (out += d.toString()));
              c.stderr.on('data', (d: Buffer) => (err += d.toString()));
              c.on('close', (code) => {
                const m = /done (\{.*\})/.exec(out);
                if (code === 0 && m) resolve(JSON.parse(m[1]!) as { start: number; end: number });
                else reject(new Error(`child exited ${code}: ${err}`));
              });
            }),
        ),
      );
      // The two append runs overlapped in time: each started before the other finished.
      expect(spans[0]!.start).toBeLessThan(spans[1]!.end);
      expect(spans[1]!.start).toBeLessThan(spans[0]!.end);
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    }
    const entries = readLog(dir);
    expect(entries).toHaveLength(300);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    for (const name of ['p1', 'p2']) {
      const mine = entries.filter((e) => e.actor === `cli:${name}`).map((e) => e.details?.i);
      expect(mine).toEqual(Array.from({ length: 150 }, (_, i) => i));
    }
    const v = await runCli(['audit', 'verify', '--data', dir, '--json']);
    expect(v.code).toBe(0);
    expect(v.lines).toEqual([{ ok: true, entries: 300 }]);
  });
});
