import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { AuditLog } from '../../audit/audit-log';
import { ArgusError } from '../../errors/argus-error';
import type { CliContext } from '../cli-context';

function seqNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
}

/** `argus audit verify|export` on DATA/audit/audit.db (the global --data picks the directory). */
export function registerAuditCommands(
  program: Command,
  ctx: () => CliContext,
  setCode: (code: number) => void,
): void {
  const audit = program
    .command('audit')
    .description('The hash-chained audit log of who did what and why (DATA/audit)');

  audit
    .command('verify')
    .description('Recompute the hash chain; exit 0 when intact, 1 naming the first bad entry')
    .option('--json', 'JSON output: {"ok","entries","firstBadSeq"?,"reason"?}')
    .action((o: { json?: boolean }) => {
      const c = ctx();
      const log = AuditLog.open(c.config.dataDir, { mustExist: true });
      try {
        const v = log.verify();
        if (o.json) c.out(JSON.stringify(v));
        else if (v.ok) c.out(`audit log intact: ${v.entries} entries`);
        if (!v.ok) {
          const e = new ArgusError('ARGUS_E_AUDIT_CHAIN_BROKEN', {
            seq: v.firstBadSeq,
            reason: v.reason,
          });
          process.stderr.write(`error ${e.code}: ${e.message}\n`);
        }
        setCode(v.ok ? 0 : 1);
      } finally {
        log.close();
      }
    });

  audit
    .command('export')
    .description('Write the entries as JSON lines (with their hashes, so a copy can be checked later)')
    .option('--out <file>', 'write to this file (created 0600) instead of stdout')
    .option('--from <seq>', 'start at this entry', seqNumber, 1)
    .action((o: { out?: string; from: number }) => {
      const c = ctx();
      const log = AuditLog.open(c.config.dataDir, { mustExist: true });
      let fd: number | undefined;
      try {
        fd = o.out === undefined ? undefined : openSync(o.out, 'w', 0o600);
        let n = 0;
        for (const e of log.entries(o.from)) {
          const line = JSON.stringify(e);
          if (fd === undefined) c.out(line);
          else writeSync(fd, `${line}\n`);
          n++;
        }
        if (fd !== undefined) {
          fsyncSync(fd);
          process.stderr.write(`exported ${n} audit entries to ${o.out}\n`);
        }
        setCode(0);
      } finally {
        if (fd !== undefined) closeSync(fd);
        log.close();
      }
    });
}
