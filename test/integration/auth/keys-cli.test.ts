import { existsSync, readFileSync } from 'node:fs';
import { ApiKeyStore, apiKeysPath } from '../../../src/auth/api-key-store';
import { tempDir } from '../../helpers/gallery-fixtures';
import { runCli } from '../../helpers/run-cli';

describe('argus keys (real CLI)', () => {
  const tmp = tempDir('keys-cli');
  afterAll(() => tmp.cleanup());

  it('create --json prints {"key","id","role"} once; the key verifies and is not stored in clear', async () => {
    const r = await runCli([
      'keys',
      'create',
      '--data',
      tmp.dir,
      '--role',
      'admin',
      '--label',
      'first',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(1);
    const out = r.lines[0] as { key: string; id: string; role: string };
    expect(Object.keys(out)).toEqual(['key', 'id', 'role']);
    expect(out.role).toBe('admin');
    expect(out.key).toMatch(new RegExp(`^argus_${out.id}_[A-Za-z0-9_-]{43}$`));

    const file = apiKeysPath(tmp.dir);
    const bytes = Buffer.concat(
      [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)),
    );
    expect(bytes.includes(Buffer.from(out.key.slice(`argus_${out.id}_`.length)))).toBe(false);

    const store = ApiKeyStore.open(tmp.dir);
    try {
      await expect(store.verify(out.key)).resolves.toEqual({ id: out.id, role: 'admin' });
    } finally {
      store.close();
    }

    const list = await runCli(['keys', 'list', '--data', tmp.dir, '--json']);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(out.key.slice(-43));
    expect(list.lines[0]).toEqual({
      keys: [{ id: out.id, role: 'admin', label: 'first', createdAt: expect.any(String), revokedAt: null }],
    });
  });

  it('revokes a key (exit 0), then the key no longer verifies; unknown ids fail with a code', async () => {
    const created = (await runCli(['keys', 'create', '--data', tmp.dir, '--role', 'viewer', '--json']))
      .lines[0] as {
      key: string;
      id: string;
    };
    const r = await runCli(['keys', 'revoke', created.id, '--data', tmp.dir, '--json']);
    expect([r.code, r.lines[0]]).toEqual([0, { id: created.id, revoked: true }]);
    const store = ApiKeyStore.open(tmp.dir);
    try {
      await expect(store.verify(created.key)).resolves.toBeUndefined();
    } finally {
      store.close();
    }
    const unknown = await runCli(['keys', 'revoke', 'ffffffffffffffff', '--data', tmp.dir]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('ARGUS_E_AUTH_KEY_NOT_FOUND');
  });

  it('rejects a missing or unknown role with a usage error (exit 2) and prints no key', async () => {
    for (const args of [['--role', 'root'], []]) {
      const r = await runCli(['keys', 'create', '--data', tmp.dir, ...args, '--json']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/role/);
    }
  });
});
