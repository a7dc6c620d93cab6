import type { Identity, TemplateInfo } from './gallery-types';

export interface IdentityRow {
  seq: number;
  id: string;
  name: string;
  watchlists: string;
  metadata: string;
  enrolled_by: string;
  reason: string;
  created_at: string;
  templates: number;
}

export const IDENTITY_COLUMNS = `i.seq, i.id, i.name, i.watchlists, i.metadata, i.enrolled_by, i.reason, i.created_at,
  (SELECT count(*) FROM templates t WHERE t.identity_id = i.id) AS templates`;

export function toIdentity(r: IdentityRow): Identity {
  return {
    id: r.id,
    name: r.name,
    watchlists: JSON.parse(r.watchlists) as string[],
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
    enrolledBy: r.enrolled_by,
    reason: r.reason,
    createdAt: r.created_at,
    templates: r.templates,
  };
}

export interface TemplateRow {
  id: number;
  identity_id: string;
  model_id: string;
  image_sha256: string;
  quality: number | null;
  created_at: string;
}

export function toTemplateInfo(r: TemplateRow): TemplateInfo {
  return {
    id: r.id,
    identityId: r.identity_id,
    modelId: r.model_id,
    imageSha256: r.image_sha256,
    quality: r.quality,
    createdAt: r.created_at,
  };
}
