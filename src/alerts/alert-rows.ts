import { ArgusError } from '../errors/argus-error';
import type { AlertQuery, ReviewStatus, StoredAlert } from '../serve/service-ports';
import type { FaceBox } from './alert-messages';

/**
 * How AlertStore reads alerts: the list query as one of a fixed set of statements, and rows as
 * arrays (better-sqlite3's raw mode) turned into StoredAlert. GET /v1/alerts runs this per request
 * for up to 500 rows, so it builds no SQL text per call and no intermediate row objects (and the
 * store reads the ids of a page first, then only the rows its alert cache lacks).
 */

/** The columns of a StoredAlert, in the order of AlertRow. */
export const ALERT_COLUMNS = `id, stream_id, track_id, identity_id, identity_name, watchlists, similarity, margin, fmr,
  evidence_count, box, quality, model_id, capture_time, emit_time, updated_time, has_crop, review_status,
  review_by, review_at, review_comment`;

export type AlertRow = [
  id: number,
  streamId: string,
  trackId: string,
  identityId: string,
  identityName: string,
  watchlists: string,
  similarity: number,
  margin: number,
  fmr: number,
  evidenceCount: number,
  box: string,
  quality: number,
  modelId: string,
  captureTime: string,
  emitTime: string,
  updatedTime: string,
  hasCrop: number,
  reviewStatus: ReviewStatus,
  reviewBy: string | null,
  reviewAt: string | null,
  reviewComment: string | null,
];

export function toAlert(r: AlertRow): StoredAlert {
  const [
    id,
    streamId,
    trackId,
    identityId,
    identityName,
    watchlists,
    similarity,
    margin,
    fmr,
    evidenceCount,
    box,
    quality,
    modelId,
    captureTime,
    emitTime,
    updatedTime,
    hasCrop,
    status,
    by,
    at,
    comment,
  ] = r;
  const review: StoredAlert['review'] = { status };
  if (by !== null) review.by = by;
  if (at !== null) review.at = at;
  if (comment !== null) review.comment = comment;
  return {
    id,
    streamId,
    trackId,
    identity: { id: identityId, name: identityName, watchlists: JSON.parse(watchlists) as string[] },
    similarity,
    margin,
    fmr,
    evidenceCount,
    box: JSON.parse(box) as FaceBox,
    quality,
    modelId,
    captureTime,
    emitTime,
    updatedTime,
    hasCrop: hasCrop === 1,
    review,
  };
}

/** The list filters; bit i of a query's mask says filter i is used (at most 2^8 statements). */
const LIST_FILTERS = [
  'id < ?',
  'stream_id = ?',
  'identity_id = ?',
  'EXISTS (SELECT 1 FROM json_each(alerts.watchlists) WHERE value = ?)',
  'review_status = ?',
  'capture_ms >= ?',
  'capture_ms <= ?',
  'similarity >= ?',
] as const;

export const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 50;

/** A list query as a filter mask and its positional values (LIMIT last), after checking it. */
export function listQuery(q: AlertQuery): { mask: number; values: unknown[]; limit: number } {
  const limit = q.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw badRequest(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  let mask = 0;
  const values: unknown[] = [];
  const use = (bit: number, value: unknown) => {
    mask |= 1 << bit;
    values.push(value);
  };
  // In bit order, so the values line up with the placeholders.
  if (q.cursor !== undefined) use(0, decodeCursor(q.cursor));
  if (q.streamId !== undefined) use(1, q.streamId);
  if (q.identityId !== undefined) use(2, q.identityId);
  if (q.watchlist !== undefined) use(3, q.watchlist);
  if (q.review !== undefined) {
    if (!['pending', 'confirmed', 'rejected'].includes(q.review)) {
      throw badRequest('review must be pending, confirmed or rejected');
    }
    use(4, q.review);
  }
  if (q.since !== undefined) use(5, timeParam('since', q.since));
  if (q.until !== undefined) use(6, timeParam('until', q.until));
  if (q.minSimilarity !== undefined) {
    if (typeof q.minSimilarity !== 'number' || !Number.isFinite(q.minSimilarity)) {
      throw badRequest('minSimilarity must be a number');
    }
    use(7, q.minSimilarity);
  }
  // One more than asked for: whether a next page exists.
  values.push(limit + 1);
  return { mask, values, limit };
}

/** The SELECT of `columns` (default: a StoredAlert's) for a filter mask, newest first. */
export function listSql(mask: number, columns = ALERT_COLUMNS): string {
  const where = LIST_FILTERS.filter((_f, bit) => (mask & (1 << bit)) !== 0);
  return `SELECT ${columns} FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY id DESC LIMIT ?`;
}

// The cursor is the last id seen, wrapped so clients treat it as opaque (and its format can change).
export function encodeCursor(id: number): string {
  return Buffer.from(`a1:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m =
    typeof cursor === 'string' && cursor.length <= 64
      ? /^a1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString())
      : null;
  if (!m || encodeCursor(Number(m[1])) !== cursor) throw badRequest('cursor is not one this server issued');
  return Number(m[1]);
}

function timeParam(name: string, value: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw badRequest(`${name} must be an ISO 8601 time`);
  return ms;
}

export function badRequest(reason: string): ArgusError {
  return new ArgusError('ARGUS_E_HTTP_BAD_REQUEST', { reason });
}
