import { ArgusError } from '../errors/argus-error';
import { AUDIT_ACTIONS } from './audit-actions';
import type { AuditEntryInput } from './audit-log';

/** Bounds on an entry: an audit record says who/what/why in a few words, never carries data. */
export const AUDIT_LIMITS = {
  actorChars: 128,
  targetChars: 256,
  reasonChars: 1000,
  detailKeys: 32,
  detailValueChars: 512,
  detailsJsonBytes: 4096,
  /** An unbroken base64/hex-like run this long is refused: it could be an image or embedding. */
  blobRunChars: 96,
  /** This many decimal fractions in one string look like a serialized vector (4x as many integers). */
  numberListItems: 16,
} as const;

const ACTOR_RE = /^(?:key:[A-Za-z0-9_.-]{1,64}|cli:[^\s\p{Cc}]{1,64}|system)$/u;
const DETAIL_KEY_RE = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;
const BLOB_RUN_RE = new RegExp(`[A-Za-z0-9+=_-]{${AUDIT_LIMITS.blobRunChars},}`);
const FLOAT_RE = /-?\d*\.\d+(?:e[-+]?\d+)?/gi;
const INT_RE = /\d+/g;

/** Control characters other than tab, newline and carriage return (they can fake log lines). */
function hasControlChars(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}

function invalid(reason: string): ArgusError {
  return new ArgusError('ARGUS_E_AUDIT_INVALID_ENTRY', { reason });
}

function checkText(name: string, value: unknown, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  if (value.length === 0 || value.length > max) throw invalid(`${name} must be 1..${max} characters`);
  if (hasControlChars(value)) throw invalid(`${name} contains control characters`);
}

/** Refuses what could smuggle biometric data into the log: blobs, serialized vectors, JSON. */
function checkNotData(name: string, value: string): void {
  if (BLOB_RUN_RE.test(value) || looksEncoded(value)) {
    throw invalid(`${name} holds a long encoded run (base64/hex); the audit log holds no data blobs`);
  }
  const trimmed = value.trim();
  if ((trimmed.startsWith('[') || trimmed.startsWith('{')) && parsesAsJson(trimmed)) {
    throw invalid(`${name} is serialized JSON; details must be flat primitives`);
  }
  if ((value.match(FLOAT_RE)?.length ?? 0) >= AUDIT_LIMITS.numberListItems) {
    throw invalid(`${name} looks like a list of numbers; the audit log holds no vectors`);
  }
  const ints = value.match(INT_RE) ?? [];
  const numericChars = value.replace(/[^\d\s,;.-]/g, '').length;
  if (ints.length >= 4 * AUDIT_LIMITS.numberListItems && numericChars > 0.8 * value.length) {
    throw invalid(`${name} looks like a list of numbers; the audit log holds no pixel or vector data`);
  }
}

/** Long and almost only base64 characters (a blob whose "/" breaks up the plain run). */
function looksEncoded(value: string): boolean {
  if (value.length <= 256 || /\s/.test(value)) return false;
  const b64 = value.replace(/[^A-Za-z0-9+/=_-]/g, '').length;
  return b64 > 0.95 * value.length;
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Throws ARGUS_E_AUDIT_INVALID_ENTRY naming the first problem. */
export function validateAuditEntry(e: AuditEntryInput): void {
  if (typeof e !== 'object' || e === null) throw invalid('the entry must be an object');
  const allowed = new Set(['actor', 'action', 'target', 'reason', 'details']);
  for (const k of Object.keys(e)) if (!allowed.has(k)) throw invalid(`unknown field "${k}"`);
  if (typeof e.actor !== 'string' || e.actor.length > AUDIT_LIMITS.actorChars || !ACTOR_RE.test(e.actor)) {
    throw invalid(`actor must be 'key:<keyId>', 'cli:<user>' or 'system'`);
  }
  if (!(AUDIT_ACTIONS as readonly string[]).includes(e.action)) {
    throw invalid(`unknown action "${String(e.action)}"`);
  }
  checkText('target', e.target, AUDIT_LIMITS.targetChars);
  if (e.target !== undefined) checkNotData('target', e.target);
  checkText('reason', e.reason, AUDIT_LIMITS.reasonChars);
  if (e.reason !== undefined) checkNotData('reason', e.reason);
  if (e.details === undefined) return;
  if (typeof e.details !== 'object' || e.details === null || Array.isArray(e.details)) {
    throw invalid('details must be an object of flat primitives');
  }
  const keys = Object.keys(e.details);
  if (keys.length > AUDIT_LIMITS.detailKeys) {
    throw invalid(`details has ${keys.length} keys, over the limit of ${AUDIT_LIMITS.detailKeys}`);
  }
  for (const k of keys) {
    if (!DETAIL_KEY_RE.test(k)) throw invalid(`details key "${k.slice(0, 64)}" is not a simple name`);
    const v = e.details[k];
    if (v === null || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw invalid(`details.${k} must be a finite number`);
      continue;
    }
    if (typeof v !== 'string') {
      throw invalid(`details.${k} must be a string, number, boolean or null (no arrays or objects)`);
    }
    checkText(`details.${k}`, v, AUDIT_LIMITS.detailValueChars);
    checkNotData(`details.${k}`, v);
  }
  if (Buffer.byteLength(JSON.stringify(e.details)) > AUDIT_LIMITS.detailsJsonBytes) {
    throw invalid(`details are over ${AUDIT_LIMITS.detailsJsonBytes} bytes`);
  }
}
