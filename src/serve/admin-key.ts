import type { ApiKeyStore } from '../auth/api-key-store';

/**
 * First start: without any active admin key nobody could manage the server, so one is created.
 * The caller prints the key once (to stdout) and logs only that one was created.
 */
export async function ensureAdminKey(keys: ApiKeyStore): Promise<{ id: string; key: string } | undefined> {
  if (keys.list().some((k) => k.role === 'admin' && !k.revokedAt)) return undefined;
  const created = await keys.create({ role: 'admin', label: 'created by argus serve at first start' });
  return { id: created.id, key: created.key };
}
