import { type Command, InvalidArgumentError } from 'commander';
import { withCliAudit } from '../../audit/cli-audit';
import { ApiKeyStore, isRole, ROLES, type Role } from '../../auth/api-key-store';
import type { CliContext } from '../cli-context';

function role(value: string): Role {
  if (!isRole(value)) throw new InvalidArgumentError(`expected one of ${ROLES.join(', ')}`);
  return value;
}

async function withKeys<T>(ctx: CliContext, fn: (store: ApiKeyStore) => Promise<T> | T): Promise<T> {
  const store = ApiKeyStore.open(ctx.config.dataDir);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** `argus keys create|list|revoke` (keys live in DATA/auth/keys.db, hashed). */
export function registerKeysCommands(
  program: Command,
  ctx: () => CliContext,
  setCode: (code: number) => void,
): void {
  const keys = program.command('keys').description('API keys with roles (stored hashed in DATA/auth)');

  keys
    .command('create')
    .description('Create an API key; the key is printed once and cannot be shown again')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, role)
    .option('--label <text>', 'what the key is for')
    .option('--json', 'JSON output: {"key","id","role"} (the stable contract)')
    .action(async (o: { role: Role; label?: string; json?: boolean }) => {
      const c = ctx();
      const details = { role: o.role, ...(o.label !== undefined ? { label: o.label } : {}) };
      const code = await withCliAudit(c.config.dataDir, { action: 'key.create', details }, async () => {
        const created = await withKeys(c, (s) => s.create(details));
        if (o.json) {
          c.out(JSON.stringify({ key: created.key, id: created.id, role: created.role }));
        } else {
          c.out(`API key ${created.id} (${created.role}):`);
          c.out(created.key);
          c.out('Store it now: it is not saved and cannot be shown again.');
        }
        // The id only: the key itself never reaches the audit log.
        return { code: 0, entry: { action: 'key.create', target: created.id, details } };
      });
      setCode(code);
    });

  keys
    .command('list')
    .description('List API keys (ids, roles, labels; never the keys)')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const c = ctx();
      const list = await withKeys(c, (s) => s.list());
      if (o.json) {
        c.out(JSON.stringify({ keys: list }));
      } else {
        for (const k of list) {
          const state = k.revokedAt ? `revoked ${k.revokedAt}` : 'active';
          c.out(`${k.id}  ${k.role}  ${state}  created ${k.createdAt}${k.label ? `  ${k.label}` : ''}`);
        }
      }
      setCode(0);
    });

  keys
    .command('revoke')
    .description('Revoke an API key; connections using it are dropped')
    .argument('<id>', 'key id (from keys list)')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { json?: boolean }) => {
      const c = ctx();
      const code = await withCliAudit(c.config.dataDir, { action: 'key.revoke' }, async () => {
        const revoked = await withKeys(c, (s) => s.revoke(id));
        if (o.json) c.out(JSON.stringify({ id, revoked }));
        else c.out(revoked ? `revoked ${id}` : `${id} was already revoked`);
        return { code: 0, entry: { action: 'key.revoke', target: id, details: { wasActive: revoked } } };
      });
      setCode(code);
    });
}
