import os from 'node:os';
import { AuditLog } from '../../../src/audit/audit-log';
import { capturingOut, cliActor, withCliAudit } from '../../../src/audit/cli-audit';
import { isArgusError } from '../../../src/errors/argus-error';
import { tempDir } from '../../helpers/gallery-fixtures';

const tmp = tempDir('cli-audit');
afterAll(() => tmp.cleanup());

function entries(dir: string) {
  const log = AuditLog.open(dir);
  try {
    return [...log.entries()];
  } finally {
    log.close();
  }
}

describe('cli audit helpers', () => {
  it('cliActor names the OS user', () => {
    expect(cliActor()).toBe(`cli:${os.userInfo().username}`);
  });

  it('withCliAudit appends what the action reports, with the CLI actor', async () => {
    const dir = `${tmp.dir}/a`;
    const code = await withCliAudit(dir, { action: 'key.revoke' }, async () => ({
      code: 0,
      entry: { action: 'key.revoke', target: 'abc', details: { wasActive: true } },
    }));
    expect(code).toBe(0);
    expect(entries(dir).map((e) => [e.actor, e.action, e.target])).toEqual([
      [cliActor(), 'key.revoke', 'abc'],
    ]);
  });

  it('refuses a bad planned entry before the action runs, and records nothing when the action reports nothing', async () => {
    const dir = `${tmp.dir}/b`;
    let ran = false;
    const err = await withCliAudit(dir, { action: 'identity.enrol', reason: 'x'.repeat(2000) }, async () => {
      ran = true;
      return { code: 0 };
    }).catch((e: unknown) => e);
    expect(isArgusError(err, 'ARGUS_E_AUDIT_INVALID_ENTRY')).toBe(true);
    expect(ran).toBe(false);
    expect(await withCliAudit(dir, { action: 'identity.delete' }, async () => ({ code: 1 }))).toBe(1);
    expect(entries(dir)).toEqual([]);
  });

  it('capturingOut keeps the lines and still prints them', () => {
    const printed: string[] = [];
    const cap = capturingOut({ out: (l: string) => printed.push(l), other: 1 });
    cap.ctx.out('one');
    cap.ctx.out('two');
    expect(cap.lines).toEqual(['one', 'two']);
    expect(printed).toEqual(['one', 'two']);
    expect(cap.ctx.other).toBe(1);
  });
});
