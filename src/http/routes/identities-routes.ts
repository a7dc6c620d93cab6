import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ArgusError } from '../../errors/argus-error';
import type { EnrolResult } from '../../gallery/gallery-types';
import { actorOf } from '../access';
import { badRequest } from '../error-handler';
import type { HttpDeps } from '../http-deps';
import {
  deletionResult,
  enrolResult,
  identityDetail,
  identityPage,
  searchResult,
  templateRemoval,
} from '../identity-response-schemas';
import { binaryReply, replies } from '../response-schemas';
import { binary, identityId, int, obj, reason, text } from '../schemas';
import { field, readUpload, type Upload } from '../uploads';
import { MULTIPART } from '../validator';

const TAGS = ['identities'];
const idParams = obj({ id: identityId }, ['id']);
const reasonQuery = obj({ reason }, ['reason']);
const images = {
  type: 'array',
  items: binary,
  description: 'Image files (JPEG, PNG or WebP; sniffed from the bytes).',
};

/** A multipart body as /docs shows it; the handler reads and checks it (readUpload). */
const multipart = (properties: Record<string, object>, required: string[]) => ({
  [MULTIPART]: true,
  type: 'object',
  properties,
  required,
});

interface IdParams {
  id: string;
}

/**
 * /v1/identities: the gallery over HTTP. Enrolment, additions and erasure are admin-only and
 * audited with the caller's reason; search by image is audited with the image's sha256 (never
 * the image). Rejected images are per-image outcomes in a 201/200 answer, not request failures,
 * unless no image was usable.
 */
export function registerIdentitiesRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { gallery, audit, config } = deps;
  const uploadRules = (fileField: string, fields: readonly string[], maxFiles: number) => ({
    fileField,
    fields,
    minFiles: 1,
    maxFiles,
    maxFileBytes: config.uploadLimitBytes,
  });

  app.post(
    '/v1/identities',
    {
      config: { access: 'admin', action: 'enrol identities' },
      schema: {
        tags: TAGS,
        summary: 'Enrol a person from one or more photos (multipart/form-data)',
        consumes: ['multipart/form-data'],
        body: multipart(
          {
            images,
            name: text(200),
            reason,
            watchlists: { type: 'string', description: 'Comma-separated, or the field repeated.' },
            metadata: { type: 'string', description: 'A JSON object, as text.' },
          },
          ['images', 'name', 'reason'],
        ),
        response: replies('admin', { 201: enrolResult }, [400, 409, 413, 415, 422]),
      },
    },
    async (req, reply) => {
      const upload = await readUpload(
        req,
        uploadRules('images', ['name', 'reason', 'watchlists', 'metadata'], config.maxUploadFiles),
      );
      const result = await gallery.enrol(
        {
          name: field(upload, 'name') ?? '',
          reason: field(upload, 'reason') ?? '',
          enrolledBy: actorOf(req.principal),
          watchlists: watchlistsOf(upload),
          metadata: metadataOf(upload),
        },
        upload.files,
      );
      audit.append({
        actor: actorOf(req.principal),
        action: 'identity.enrol',
        target: result.identity.id,
        reason: result.identity.reason,
        details: outcomeCounts(result),
      });
      return reply.code(201).send(result);
    },
  );

  app.get<{ Querystring: { limit?: number; cursor?: string } }>(
    '/v1/identities',
    {
      config: { access: 'operator', action: 'read the gallery' },
      schema: {
        tags: TAGS,
        summary: 'Identities in enrolment order; pass nextCursor as cursor for the next page',
        querystring: obj({ limit: int(1, 1000, { default: 50 }), cursor: text(20, { pattern: '^[0-9]+$' }) }),
        response: replies('operator', { 200: identityPage }, [400]),
      },
    },
    async (req) => gallery.list(req.query),
  );

  app.post(
    '/v1/identities/search',
    {
      config: { access: 'operator', action: 'search the gallery' },
      schema: {
        tags: TAGS,
        summary: 'Who does the largest face of this photo look like? (audited as gallery.search)',
        consumes: ['multipart/form-data'],
        body: multipart({ image: binary, k: { type: 'string', description: '1..100' }, reason }, ['image']),
        response: replies('operator', { 200: searchResult }, [400, 409, 413, 415, 422]),
      },
    },
    async (req) => {
      const upload = await readUpload(req, uploadRules('image', ['k', 'reason'], 1));
      const k = optionalInt(field(upload, 'k'), 'k', 1, 100);
      const image = upload.files[0]!;
      const result = await gallery.searchByImage(image, k);
      const best = result.matches.find((m) => m.match);
      audit.append({
        actor: actorOf(req.principal),
        action: 'gallery.search',
        ...(field(upload, 'reason')?.trim() ? { reason: field(upload, 'reason')!.trim() } : {}),
        details: {
          imageSha256: createHash('sha256').update(image.bytes).digest('hex'),
          candidates: result.matches.length,
          matchedIdentityId: best?.identity.id ?? null,
        },
      });
      return result;
    },
  );

  app.get<{ Params: IdParams }>(
    '/v1/identities/:id',
    {
      config: { access: 'operator', action: 'read the gallery' },
      schema: {
        tags: TAGS,
        summary: 'One identity with its templates (never embeddings)',
        params: idParams,
        response: replies('operator', { 200: identityDetail }, [400, 404]),
      },
    },
    async (req) => gallery.get(req.params.id),
  );

  app.get<{ Params: IdParams }>(
    '/v1/identities/:id/photo',
    {
      config: { access: 'operator', action: 'read the gallery' },
      schema: {
        tags: TAGS,
        summary: 'The enrolment photo shown beside alerts (JPEG)',
        params: idParams,
        response: replies('operator', { 200: binaryReply('image/jpeg', 'The enrolment photo.') }, [400, 404]),
      },
    },
    async (req, reply) => {
      const jpeg = gallery.photo(req.params.id);
      if (!jpeg) throw new ArgusError('ARGUS_E_NOT_FOUND', { kind: 'photo of identity', id: req.params.id });
      return reply.type('image/jpeg').header('cache-control', 'private, no-store').send(jpeg);
    },
  );

  app.delete<{ Params: IdParams; Querystring: { reason: string } }>(
    '/v1/identities/:id',
    {
      config: { access: 'admin', action: 'delete identities' },
      schema: {
        tags: TAGS,
        summary: 'Erase a person: identity, templates and vectors (reason in the query; audited)',
        params: idParams,
        querystring: reasonQuery,
        response: replies('admin', { 200: deletionResult }, [400, 404]),
      },
    },
    async (req) => {
      const by = actorOf(req.principal);
      const result = gallery.deleteIdentity(req.params.id, { by, reason: req.query.reason });
      audit.append({
        actor: by,
        action: 'identity.delete',
        target: req.params.id,
        reason: req.query.reason.trim(),
        details: { templates: result.templates },
      });
      return result;
    },
  );

  app.post<{ Params: IdParams }>(
    '/v1/identities/:id/images',
    {
      config: { access: 'admin', action: 'enrol identities' },
      schema: {
        tags: TAGS,
        summary: 'Add photos (templates) to an identity; already-known photos are skipped',
        consumes: ['multipart/form-data'],
        params: idParams,
        body: multipart({ images, reason }, ['images']),
        response: replies('admin', { 200: enrolResult }, [400, 404, 409, 413, 415, 422]),
      },
    },
    async (req) => {
      const upload = await readUpload(req, uploadRules('images', ['reason'], config.maxUploadFiles));
      const result = await gallery.addTemplates(req.params.id, upload.files);
      const why = field(upload, 'reason')?.trim();
      audit.append({
        actor: actorOf(req.principal),
        action: 'identity.template.add',
        target: req.params.id,
        ...(why ? { reason: why } : {}),
        details: outcomeCounts(result),
      });
      return result;
    },
  );

  app.delete<{ Params: IdParams & { templateId: number }; Querystring: { reason: string } }>(
    '/v1/identities/:id/templates/:templateId',
    {
      config: { access: 'admin', action: 'delete identities' },
      schema: {
        tags: TAGS,
        summary: 'Remove one template of an identity (reason in the query; audited)',
        params: obj({ id: identityId, templateId: int(1, Number.MAX_SAFE_INTEGER) }, ['id', 'templateId']),
        querystring: reasonQuery,
        response: replies('admin', { 200: templateRemoval }, [400, 404]),
      },
    },
    async (req) => {
      const { id, templateId } = req.params;
      // Checked first: removal is an erasure and cannot be undone if the pair was wrong.
      if (!gallery.get(id).templateList.some((t) => t.id === templateId)) {
        throw new ArgusError('ARGUS_E_GALLERY_TEMPLATE_NOT_FOUND', { id: templateId });
      }
      const by = actorOf(req.principal);
      const result = gallery.removeTemplate(templateId, { by, reason: req.query.reason });
      audit.append({
        actor: by,
        action: 'identity.template.remove',
        target: id,
        reason: req.query.reason.trim(),
        details: { templateId },
      });
      return result;
    },
  );
}

function watchlistsOf(upload: Upload): string[] {
  return (upload.fields.get('watchlists') ?? [])
    .flatMap((v) => v.split(','))
    .map((w) => w.trim())
    .filter((w) => w !== '');
}

const POISON_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function metadataOf(upload: Upload): Record<string, unknown> | undefined {
  const raw = field(upload, 'metadata');
  if (raw === undefined || raw.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw, (key, v: unknown) => {
      if (POISON_KEYS.has(key)) throw new Error(key);
      return v;
    });
  } catch (err) {
    const key = (err as Error).message;
    throw badRequest(
      POISON_KEYS.has(key) ? `metadata may not use the key "${key}"` : 'metadata is not valid JSON',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('metadata must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function optionalInt(raw: string | undefined, name: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || n < min || n > max)
    throw badRequest(`${name} must be an integer ${min}..${max}`);
  return n;
}

function outcomeCounts(r: EnrolResult): Record<string, number> {
  const count = (s: string) => r.images.filter((i) => i.status === s).length;
  return { added: r.added, duplicates: count('duplicate'), rejected: count('rejected') };
}
