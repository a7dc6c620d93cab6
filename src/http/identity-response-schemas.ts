import { shape } from './response-schemas';

/**
 * Response schemas of /v1/identities (types in src/gallery/gallery-types.ts). Identity metadata
 * is free-form JSON, so its schema lets every property through; everything else is strict.
 */

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const time = { type: 'string', description: 'ISO 8601 time.' } as const;

export const identity = shape('Identity', {
  id: str,
  name: str,
  watchlists: { type: 'array', items: str },
  metadata: {
    type: 'object',
    description: 'Free-form JSON object given at enrolment.',
    additionalProperties: true,
  },
  enrolledBy: str,
  reason: { type: 'string', description: 'Legal basis / why this person is enrolled.' },
  createdAt: time,
  templates: { type: 'integer', description: 'Number of templates.' },
});

const templateInfo = shape('TemplateInfo', {
  id: { type: 'integer', description: 'Also the vector index label; never reused.' },
  identityId: str,
  modelId: str,
  imageSha256: str,
  quality: { type: ['number', 'null'] },
  createdAt: time,
});

export const identityDetail = shape('IdentityDetail', {
  ...(identity.properties as Record<string, object>),
  templateList: { type: 'array', items: templateInfo },
});

export const identityPage = shape('IdentityPage', {
  identities: { type: 'array', items: identity },
  total: int,
  nextCursor: {
    type: ['string', 'null'],
    description: 'Pass as cursor for the next page; null on the last.',
  },
});

/** One image's outcome; `status` says which of the three shapes it is. */
const imageOutcome = {
  description: 'What became of one uploaded image.',
  anyOf: [
    shape('ImageEnrolled', {
      source: str,
      status: { type: 'string', enum: ['enrolled'] },
      templateId: int,
      quality: { type: ['number', 'null'] },
    }),
    shape('ImageDuplicate', {
      source: str,
      status: { type: 'string', enum: ['duplicate'] },
      code: { type: 'string', enum: ['ARGUS_E_GALLERY_DUPLICATE_IMAGE'] },
    }),
    shape('ImageRejected', {
      source: str,
      status: { type: 'string', enum: ['rejected'] },
      code: str,
      message: str,
    }),
  ],
};

export const enrolResult = shape('EnrolResult', {
  identity,
  added: { type: 'integer', description: 'Templates added by this call.' },
  images: { type: 'array', items: imageOutcome },
});

export const searchResult = shape('ImageSearchResult', {
  face: shape('SearchedFace', {
    box: shape('Box', { x: num, y: num, w: num, h: num }),
    quality: num,
  }),
  matches: {
    type: 'array',
    description: 'Best first.',
    items: shape('SearchMatch', {
      identity: shape('IdentityRef', { id: str, name: str }),
      similarity: num,
      margin: num,
      fmr: num,
      match: {
        type: 'boolean',
        description: 'similarity >= threshold and margin >= margin: a candidate for human review.',
      },
      templateId: int,
    }),
  },
});

export const deletionResult = shape('DeletionResult', {
  identityId: str,
  templates: int,
  deletedAt: time,
  walTruncated: {
    type: 'boolean',
    description: 'false when another process kept the WAL from being truncated (the next checkpoint does).',
  },
});

export const templateRemoval = shape('TemplateRemoval', { templateId: int, identityId: str });
