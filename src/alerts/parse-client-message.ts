import { ArgusError } from '../errors/argus-error';
import type { ClientMessage, SubscriptionFilter } from './alert-messages';

const FILTER_LISTS = ['streams', 'watchlists', 'identities'] as const;
const SUBSCRIBE_KEYS = new Set(['v', 'type', ...FILTER_LISTS, 'minScore']);
const RESUME_KEYS = new Set(['v', 'type', 'lastEventId']);
const MAX_NAME_LENGTH = 200;

/**
 * Parses one text frame from a client. Throws an ArgusError (sent back as an `error` message;
 * the connection stays) for bad JSON, an unknown type, or a filter of the wrong shape.
 * `maxFilterValues` bounds how many streams + watchlists + identities one subscription names.
 */
export function parseClientMessage(text: string, maxFilterValues: number): ClientMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ArgusError('ARGUS_E_WS_BAD_MESSAGE', { reason: 'not valid JSON' }, { cause: err });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ArgusError('ARGUS_E_WS_BAD_MESSAGE', { reason: 'expected a JSON object' });
  }
  const msg = raw as Record<string, unknown>;
  if (typeof msg.type !== 'string') {
    throw new ArgusError('ARGUS_E_WS_BAD_MESSAGE', { reason: '"type" must be a string' });
  }
  if (msg.v !== undefined && msg.v !== 1) {
    throw new ArgusError('ARGUS_E_WS_BAD_MESSAGE', {
      reason: `unsupported protocol version ${String(msg.v)}`,
    });
  }
  if (msg.type === 'subscribe') return { type: 'subscribe', ...parseFilter(msg, maxFilterValues) };
  if (msg.type === 'resume') {
    rejectUnknownKeys(msg, RESUME_KEYS, 'ARGUS_E_WS_BAD_MESSAGE');
    const id = msg.lastEventId;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      throw new ArgusError('ARGUS_E_WS_BAD_MESSAGE', {
        reason: '"lastEventId" must be a whole number >= 0',
      });
    }
    return { type: 'resume', lastEventId: id };
  }
  throw new ArgusError('ARGUS_E_WS_UNKNOWN_TYPE', { type: msg.type.slice(0, 50) });
}

function parseFilter(msg: Record<string, unknown>, maxFilterValues: number): SubscriptionFilter {
  rejectUnknownKeys(msg, SUBSCRIBE_KEYS, 'ARGUS_E_WS_BAD_FILTER');
  const filter: SubscriptionFilter = {};
  let count = 0;
  for (const name of FILTER_LISTS) {
    const value = msg[name];
    if (value === undefined) continue;
    if (!Array.isArray(value) || !value.every(isName)) {
      throw new ArgusError('ARGUS_E_WS_BAD_FILTER', {
        reason: `"${name}" must be an array of non-empty strings of at most ${MAX_NAME_LENGTH} characters`,
      });
    }
    count += value.length;
    filter[name] = [...new Set(value as string[])];
  }
  if (count > maxFilterValues) {
    throw new ArgusError('ARGUS_E_WS_TOO_MANY_SUBSCRIPTIONS', { count, limit: maxFilterValues });
  }
  if (msg.minScore !== undefined) {
    const s = msg.minScore;
    if (typeof s !== 'number' || !Number.isFinite(s) || s < -1 || s > 1) {
      throw new ArgusError('ARGUS_E_WS_BAD_FILTER', { reason: '"minScore" must be a number from -1 to 1' });
    }
    filter.minScore = s;
  }
  return filter;
}

function isName(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_NAME_LENGTH;
}

function rejectUnknownKeys(
  msg: Record<string, unknown>,
  allowed: Set<string>,
  code: 'ARGUS_E_WS_BAD_MESSAGE' | 'ARGUS_E_WS_BAD_FILTER',
): void {
  const unknown = Object.keys(msg).find((k) => !allowed.has(k));
  if (unknown !== undefined) {
    throw new ArgusError(code, { reason: `unknown field "${unknown.slice(0, 50)}" in ${String(msg.type)}` });
  }
}
