import { existsSync, readFileSync } from 'node:fs';
import { ApiKeyStore, apiKeysPath } from '../../../src/auth/api-key-store';
import { TtlCache } from '../../../src/auth/ttl-cache';
import { isArgusError } from '../../../src/errors/argus-error';
import { tempDir } from '../../helpers/gallery-fixtures';

describe('ApiKeyStore', () => {
  const tmp = tempDir('keys');
  let store: ApiKeyStore;
  beforeAll(() => {
    store = ApiKeyStore.open(tmp.dir);
  });
  afterAll(() => {
    store.close();
    tmp.cleanup();
  });

  it('creates a key shown once, in the argus_<id>_<secret> format, and verifies it', async () => {
    const k = await store.create({ role: 'operator', label: 'ci' });
    expect(k.role).toBe('operator');
    expect(k.key).toMatch(new RegExp(`^argus_${k.id}_[A-Za-z0-9_-]{43}$`));
    await expect(store.verify(k.key)).resolves.toEqual({ id: k.id, role: 'operator' });
    expect(store.list().find((i) => i.id === k.id)).toEqual({
      id: k.id,
      role: 'operator',
      label: 'ci',
      createdAt: expect.any(String),
      revokedAt: null,
    });
  });

  it('rejects wrong secrets, other ids, malformed and empty keys', async () => {
    const k = await store.create({ role: 'viewer' });
    const secret = k.key.split('_').slice(2).join('_');
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [
      `argus_${k.id}_${flipped}`,
      `argus_0123456789abcdef_${secret}`,
      'argus_x',
      '',
      secret,
      `${k.key} `,
    ]) {
      await expect(store.verify(bad)).resolves.toBeUndefined();
    }
  });

  it('stores a salted scrypt hash, never the key: the database files do not contain it', async () => {
    const a = await store.create({ role: 'admin' });
    const b = await store.create({ role: 'admin' });
    const file = apiKeysPath(tmp.dir);
    const bytes = Buffer.concat(
      [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)),
    );
    for (const k of [a, b]) {
      const secret = k.key.split('_').slice(2).join('_');
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'base64url'))).toBe(false);
      expect(bytes.includes(Buffer.from(k.id))).toBe(true);
    }
  });

  it('revokes: verify fails even right after a cached success, and listeners hear it', async () => {
    const k = await store.create({ role: 'viewer' });
    await expect(store.verify(k.key)).resolves.toBeDefined();
    const heard: string[] = [];
    const off = store.onRevoked((id) => heard.push(id));
    expect(store.revoke(k.id)).toBe(true);
    expect(store.revoke(k.id)).toBe(false);
    off();
    expect(heard).toEqual([k.id]);
    await expect(store.verify(k.key)).resolves.toBeUndefined();
    expect(store.list().find((i) => i.id === k.id)?.revokedAt).toEqual(expect.any(String));
    let thrown: unknown;
    try {
      store.revoke('ffffffffffffffff');
    } catch (err) {
      thrown = err;
    }
    expect(isArgusError(thrown, 'ARGUS_E_AUTH_KEY_NOT_FOUND')).toBe(true);
  });

  it('answers a repeated verification from the cache, without scrypt', async () => {
    const k = await store.create({ role: 'viewer' });
    await store.verify(k.key);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 200; i++) await store.verify(k.key);
    const perCallMs = Number(process.hrtime.bigint() - t0) / 1e6 / 200;
    // One scrypt at N=16384 takes tens of ms; a cache hit takes microseconds.
    expect(perCallMs).toBeLessThan(2);
  });

  it('hears revocations made by another process (another store on the same file)', async () => {
    const k = await store.create({ role: 'viewer' });
    await expect(store.verify(k.key)).resolves.toBeDefined();
    const heard: string[] = [];
    const off = store.onRevoked((id) => heard.push(id));
    const stop = store.watchRevocations(50);
    const cli = ApiKeyStore.open(tmp.dir);
    try {
      cli.revoke(k.id);
      const deadline = Date.now() + 10_000;
      while (!heard.includes(k.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(heard).toEqual([k.id]);
      await expect(store.verify(k.key)).resolves.toBeUndefined();
    } finally {
      stop();
      off();
      cli.close();
    }
  });

  it('keeps keys across reopen, and rejects unknown roles', async () => {
    const k = await store.create({ role: 'admin' });
    const again = ApiKeyStore.open(tmp.dir);
    try {
      await expect(again.verify(k.key)).resolves.toEqual({ id: k.id, role: 'admin' });
      await expect(again.create({ role: 'root' as never })).rejects.toMatchObject({ code: 'ARGUS_E_USAGE' });
    } finally {
      again.close();
    }
  });
});

describe('TtlCache', () => {
  it('bounds its size (oldest out first) and expires entries', () => {
    let now = 0;
    const c = new TtlCache<string, number>(2, 100, () => now);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c'), c.size]).toEqual([undefined, 2, 3, 2]);
    now = 100;
    expect(c.get('b')).toBeUndefined();
    c.set('d', 4);
    c.deleteWhere((v) => v === 4);
    expect(c.get('d')).toBeUndefined();
  });
});
