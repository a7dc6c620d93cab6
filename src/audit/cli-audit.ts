import os from 'node:os';
import type { AuditAction } from './audit-actions';
import { validateAuditEntry } from './audit-entry-check';
import { type AuditEntryInput, AuditLog } from './audit-log';

/** `cli:<OS user>`: who ran a CLI command, as the audit log names them. */
export function cliActor(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username || user;
  } catch {
    // No passwd entry (some containers): the uid still says something.
    user = `uid${process.getuid?.() ?? ''}`;
  }
  return `cli:${user.replace(/[\s\p{Cc}]/gu, '_').slice(0, 64)}`;
}

/**
 * Runs a CLI action that must leave an audit record. The log is opened and the known parts of the
 * entry validated before the action, so an unwritable log or a bad reason stops it before it
 * changes anything; `fn` returns the exit code and the entry to append (or none when nothing
 * happened).
 */
export async function withCliAudit(
  dataDir: string,
  planned: { action: AuditAction; reason?: string; details?: AuditEntryInput['details'] },
  fn: () => Promise<{ code: number; entry?: Omit<AuditEntryInput, 'actor'> }>,
): Promise<number> {
  const actor = cliActor();
  validateAuditEntry({ actor, ...planned });
  const audit = AuditLog.open(dataDir);
  try {
    const r = await fn();
    if (r.entry) audit.append({ actor, ...r.entry });
    return r.code;
  } finally {
    audit.close();
  }
}

/** A copy of a CLI context whose output lines are also kept, to read back what a command did. */
export function capturingOut<C extends { out: (line: string) => void }>(ctx: C): { ctx: C; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    ctx: {
      ...ctx,
      out: (line: string) => {
        lines.push(line);
        ctx.out(line);
      },
    },
  };
}
