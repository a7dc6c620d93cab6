import { ArgusError } from '../errors/argus-error';
import type { IdentityInput } from './gallery-types';

export interface IdentityLimits {
  maxNameLength: number;
  maxReasonLength: number;
  maxMetadataBytes: number;
  maxWatchlists: number;
}

export interface NormalisedIdentity {
  name: string;
  reason: string;
  enrolledBy: string;
  watchlists: string[];
  /** Serialised metadata, within maxMetadataBytes. */
  metadataJson: string;
}

const MAX_WATCHLIST_NAME = 100;
const MAX_ENROLLED_BY = 200;
// Control characters (except none) make names unprintable in logs and the dashboard.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

const invalid = (reason: string) => new ArgusError('ARGUS_E_GALLERY_IDENTITY_INVALID', { reason });

/** Checks an identity against the configured limits; every problem is ARGUS_E_GALLERY_IDENTITY_INVALID. */
export function normaliseIdentityInput(input: IdentityInput, limits: IdentityLimits): NormalisedIdentity {
  const name = requiredText(input.name, 'name', limits.maxNameLength);
  if (CONTROL.test(name)) throw invalid('name contains control characters');
  const reason = requiredText(input.reason, 'reason (legal basis)', limits.maxReasonLength);
  const enrolledBy = requiredText(input.enrolledBy, 'enrolledBy', MAX_ENROLLED_BY);
  const watchlists = normaliseWatchlists(input.watchlists ?? [], limits.maxWatchlists);
  const metadata = input.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw invalid('metadata must be a JSON object');
  }
  let metadataJson: string;
  try {
    metadataJson = JSON.stringify(metadata);
  } catch (err) {
    throw invalid(`metadata is not serialisable as JSON (${(err as Error).message})`);
  }
  const bytes = Buffer.byteLength(metadataJson, 'utf8');
  if (bytes > limits.maxMetadataBytes) {
    throw invalid(`metadata is ${bytes} bytes as JSON, over the limit of ${limits.maxMetadataBytes}`);
  }
  return { name, reason, enrolledBy, watchlists, metadataJson };
}

/** A required, trimmed, bounded text field (deletion reasons use it too). */
export function requiredText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${field} is required`);
  const text = value.trim();
  if ([...text].length > max) throw invalid(`${field} is longer than ${max} characters`);
  return text;
}

function normaliseWatchlists(lists: readonly unknown[], max: number): string[] {
  if (!Array.isArray(lists)) throw invalid('watchlists must be a list of names');
  const out: string[] = [];
  for (const w of lists) {
    if (typeof w !== 'string' || w.trim() === '' || CONTROL.test(w)) {
      throw invalid('a watchlist name is empty or not text');
    }
    const name = w.trim();
    if (name.length > MAX_WATCHLIST_NAME) {
      throw invalid(`watchlist "${name.slice(0, 20)}..." is longer than ${MAX_WATCHLIST_NAME} characters`);
    }
    if (!out.includes(name)) out.push(name);
  }
  if (out.length > max) throw invalid(`${out.length} watchlists, over the limit of ${max}`);
  return out;
}
