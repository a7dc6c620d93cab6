import { AUDIT_ACTIONS } from '../audit/audit-log';
import { ROLES } from '../auth/api-key-store';
import type { Access } from './access';
import { errorBody, obj } from './schemas';

/**
 * Response schemas: they document what each route answers (OpenAPI at /docs) and let Fastify
 * serialise with its compiled fast-json-stringify instead of JSON.stringify. That serialiser
 * writes only the properties a schema lists and fails the reply when a `required` one is missing,
 * so every schema lists each field the service can return (optional ones too) and requires only
 * those it always sets. Types live in src/serve/service-ports.ts and src/gallery/gallery-types.ts.
 * Identity (gallery) answers are in identity-response-schemas.ts.
 */

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const time = { type: 'string', description: 'ISO 8601 time.' } as const;
const nullable = (type: 'string' | 'number' | 'integer', description?: string) => ({
  type: [type, 'null'],
  ...(description ? { description } : {}),
});

/** A strict object: every property listed, `required` the ones always present. */
export function shape(
  title: string,
  properties: Record<string, object>,
  required: readonly string[] = Object.keys(properties),
): Record<string, unknown> {
  return obj(properties, required, { title });
}

/** An object whose field names are data (counts, checks): each value has `values`' schema. */
export function record(values: object, description: string): Record<string, unknown> {
  return { type: 'object', description, additionalProperties: values };
}

// ---------------------------------------------------------------- errors

const ERROR_MEANINGS: Readonly<Record<number, string>> = {
  400: 'Invalid request: a field, query parameter or path parameter is wrong (the message says which).',
  401: 'No API key, or not a valid one.',
  403: "The key's role may not do this.",
  404: 'No such resource.',
  409: 'Conflicts with the current state (exists already, revoked already, model mismatch).',
  413: 'Body or file over the configured limit.',
  415: 'Wrong Content-Type for this route.',
  422: 'The image was understood but refused (no face, several faces, low quality, no usable image).',
  429: 'Rate limited; retry after the time in the message.',
  500: 'Internal error (logged).',
  503: 'Busy or unavailable for now (key verifications, gallery); retryable.',
};

function errorReply(code: number): object {
  return { ...errorBody, description: ERROR_MEANINGS[code] ?? 'Error.' };
}

/**
 * A route's `response`: its success answers plus the shared error body for every failure status
 * it can answer. Keyed routes can fail auth (401, 503 when verifications pile up), the rate limit
 * (429) and, above viewer, the role check (403); every route can fail with 500.
 */
export function replies(
  access: Access,
  ok: Record<number, object>,
  errors: readonly number[] = [],
  o: { rateLimited?: boolean } = {},
): Record<string, object> {
  const codes = new Set(errors);
  if (access !== 'public') {
    codes.add(401);
    codes.add(503);
    if (access !== 'viewer') codes.add(403);
  }
  if (o.rateLimited ?? access !== 'public') codes.add(429);
  codes.add(500);
  const out: Record<string, object> = {};
  for (const [code, schema] of Object.entries(ok)) {
    out[code] =
      'description' in schema ? schema : { ...schema, description: code === '201' ? 'Created.' : 'OK.' };
  }
  for (const code of [...codes].sort((a, b) => a - b)) out[String(code)] = errorReply(code);
  return out;
}

/** 204: nothing in the body. */
export const noContent = { type: 'null', description: 'Done; no body.' } as const;

/** A binary answer (not serialised: Fastify sends Buffers and text as they are). */
export function binaryReply(mediaType: string, description: string): object {
  return {
    description,
    content: {
      [mediaType]: {
        schema: { type: 'string', ...(mediaType.startsWith('text/') ? {} : { format: 'binary' }) },
      },
    },
  };
}

// ---------------------------------------------------------------- streams

export const streamInfo = shape(
  'StreamInfo',
  {
    id: str,
    url: { type: 'string', description: 'The source, with credentials replaced by ***.' },
    enabled: { type: 'boolean', description: 'false after stop (or created disabled); survives restarts.' },
    state: { type: 'string', enum: ['starting', 'live', 'reconnecting', 'stopped', 'failed'] },
    fps: { type: 'number', description: 'Frames per second analysed over the last ~10 s.' },
    framesDecoded: int,
    framesAnalysed: int,
    framesDropped: {
      type: 'integer',
      description: 'Frames replaced in the newest-frame slot before analysis took them.',
    },
    restarts: int,
    lastError: shape('StreamError', { code: str, message: str }),
    faces: { type: 'integer', description: 'Faces in the last analysed frame.' },
    deferredEmbeddings: { type: 'integer', description: 'Embeddings postponed by the per-frame budget.' },
    latencyMs: {
      type: ['object', 'null'],
      description: 'Frame leaving FFmpeg -> analysis done, ms, over the last ~100 frames; null before any.',
      properties: { p50: num, p99: num },
      required: ['p50', 'p99'],
      additionalProperties: false,
    },
    lastAlertAt: { ...time, description: 'Time of the newest alert on this stream.' },
    width: int,
    height: int,
  },
  [
    'id',
    'url',
    'enabled',
    'state',
    'fps',
    'framesDecoded',
    'framesAnalysed',
    'framesDropped',
    'restarts',
    'faces',
    'deferredEmbeddings',
    'latencyMs',
  ],
);

export const streamList = shape('StreamList', { streams: { type: 'array', items: streamInfo } });

// ---------------------------------------------------------------- alerts

const alertIdentity = shape('AlertIdentity', {
  id: str,
  name: str,
  watchlists: { type: 'array', items: str },
});

const faceBox = shape('FaceBox', { x: num, y: num, width: num, height: num });

export const storedAlert = shape('StoredAlert', {
  id: { type: 'integer', description: 'The event id of the first `alert` event.' },
  streamId: str,
  trackId: str,
  identity: alertIdentity,
  similarity: num,
  margin: num,
  fmr: { type: 'number', description: 'Estimated false-match rate at this similarity.' },
  evidenceCount: int,
  box: faceBox,
  quality: num,
  modelId: str,
  captureTime: time,
  emitTime: time,
  updatedTime: time,
  hasCrop: { type: 'boolean', description: 'Whether a crop is still kept (crops expire before records).' },
  review: shape(
    'AlertReview',
    {
      status: { type: 'string', enum: ['pending', 'confirmed', 'rejected'] },
      by: { type: 'string', description: 'API key id of the reviewer.' },
      at: time,
      comment: str,
    },
    ['status'],
  ),
});

export const alertPage = shape(
  'AlertPage',
  {
    items: { type: 'array', items: storedAlert },
    nextCursor: { type: 'string', description: 'Pass as cursor for the next page; absent on the last.' },
  },
  ['items'],
);

export const rejectionPatterns = shape('RejectionPatterns', {
  patterns: {
    type: 'array',
    items: shape('RejectionPattern', {
      identity: alertIdentity,
      rejections: int,
      minSimilarity: num,
      maxSimilarity: num,
      lastRejectedAt: time,
    }),
  },
});

// ---------------------------------------------------------------- keys

const role = { type: 'string', enum: [...ROLES] } as const;

export const createdKey = shape('CreatedApiKey', {
  id: str,
  key: { type: 'string', description: 'The secret: shown in this answer only, never stored.' },
  role,
  label: nullable('string'),
});

export const keyList = shape('ApiKeyList', {
  keys: {
    type: 'array',
    items: shape('ApiKeyInfo', {
      id: str,
      role,
      label: nullable('string'),
      createdAt: time,
      revokedAt: nullable('string', 'ISO 8601 time; null while the key is valid.'),
    }),
  },
});

export const revokedKey = shape('RevokedApiKey', { id: str, revoked: bool });

// ---------------------------------------------------------------- settings, session, system, audit

export const matchSettings = shape('MatchSettings', {
  threshold: num,
  margin: num,
  fmrAtThreshold: nullable('number', 'Estimated false-match rate per comparison at threshold.'),
});

export const session = shape('Session', { keyId: str, role });

const percentiles = (title: string, extra: Record<string, object> = {}) =>
  shape(title, { p50: num, p99: num, ...extra }, ['p50', 'p99']);

export const systemInfo = shape('SystemInfo', {
  version: str,
  uptimeSec: num,
  cpuPercent: { type: 'number', description: 'All threads, so up to 100 x cores.' },
  rssMb: num,
  eventLoopLagMs: percentiles('EventLoopLag', { max: num }),
  workers: shape('Workers', { total: int, busy: int }),
  streams: int,
  framesDropped: int,
  alerts: shape('AlertCounts', { total: int, pending: int }),
  websocketClients: int,
  gallery: shape('GalleryCounts', { identities: int, templates: int }),
});

export const auditPage = shape(
  'AuditPage',
  {
    entries: {
      type: 'array',
      items: shape(
        'AuditEntry',
        {
          seq: int,
          time,
          actor: { type: 'string', description: "'key:<keyId>', 'cli:<user>' or 'system'." },
          action: { type: 'string', enum: [...AUDIT_ACTIONS] },
          target: str,
          reason: str,
          details: record(
            { type: ['string', 'number', 'boolean', 'null'] },
            'Flat and small, never biometric: counts, names, flags.',
          ),
          prevHash: str,
          hash: str,
        },
        ['seq', 'time', 'actor', 'action', 'prevHash', 'hash'],
      ),
    },
    nextBeforeSeq: {
      type: 'integer',
      description: 'Pass as beforeSeq for older entries; absent at the end.',
    },
  },
  ['entries'],
);

// ---------------------------------------------------------------- health

export const liveness = shape('Liveness', { status: { type: 'string', enum: ['ok'] } });

export const readiness = shape('Readiness', {
  status: { type: 'string', enum: ['ready', 'not-ready'] },
  checks: record(shape('ReadinessCheck', { ok: bool, detail: str }, ['ok']), 'One entry per check.'),
});
