import { createHash } from 'node:crypto';

/** The prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hashed fields of one entry; absent optional fields are null so the hash is unambiguous. */
export interface AuditChainRow {
  seq: number;
  time: string;
  actor: string;
  action: string;
  target: string | null;
  reason: string | null;
  details: Record<string, string | number | boolean | null> | null;
}

/** JSON with object keys sorted at every depth, so equal content always hashes equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** sha256(prevHash + canonical JSON of {seq,time,actor,action,target,reason,details}), hex. */
export function chainHash(prevHash: string, row: AuditChainRow): string {
  const { seq, time, actor, action, target, reason, details } = row;
  return createHash('sha256')
    .update(prevHash)
    .update(canonicalJson({ seq, time, actor, action, target, reason, details }))
    .digest('hex');
}

export interface ChainVerdict {
  ok: boolean;
  entries: number;
  firstBadSeq?: number;
  reason?: string;
}

/**
 * Walks stored rows in seq order and reports the first that breaks the chain: a gap in seq (a
 * deleted row), a prevHash that is not the previous hash (moved or deleted rows), or a hash that
 * does not match the content (an edited row). Removing rows from the tail is not detectable from
 * the log alone; compare `entries` or the last hash with a copy kept elsewhere.
 */
export function verifyChain(
  rows: Iterable<AuditChainRow & { prevHash: string; hash: string; unreadable?: string }>,
): ChainVerdict {
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let entries = 0;
  for (const r of rows) {
    entries++;
    if (r.seq !== expectedSeq) {
      const reason =
        r.seq > expectedSeq
          ? `entries ${expectedSeq}..${r.seq - 1} are missing`
          : `entry ${r.seq} is out of order`;
      return { ok: false, entries, firstBadSeq: expectedSeq, reason };
    }
    if (r.unreadable !== undefined) {
      return { ok: false, entries, firstBadSeq: r.seq, reason: r.unreadable };
    }
    if (r.prevHash !== prev) {
      return {
        ok: false,
        entries,
        firstBadSeq: r.seq,
        reason: `entry ${r.seq} does not link to entry ${r.seq - 1} (prevHash mismatch)`,
      };
    }
    if (chainHash(prev, r) !== r.hash) {
      return {
        ok: false,
        entries,
        firstBadSeq: r.seq,
        reason: `entry ${r.seq} was modified (its hash does not match its content)`,
      };
    }
    prev = r.hash;
    expectedSeq++;
  }
  return { ok: true, entries };
}
