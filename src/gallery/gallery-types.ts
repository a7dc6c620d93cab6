/**
 * Plain types of the gallery: who is enrolled, their templates, and what a search returns.
 * Embeddings never appear in these records except where a caller passes one in.
 */

/** What a caller supplies to enrol someone; validated by `normaliseIdentityInput`. */
export interface IdentityInput {
  name: string;
  /** Legal basis / why this person is enrolled. Required. */
  reason: string;
  /** Who enrolled them (operator account, API client). */
  enrolledBy: string;
  watchlists?: readonly string[];
  /** Free-form JSON object, bounded by gallery.maxMetadataBytes. */
  metadata?: Record<string, unknown>;
}

export interface Identity {
  id: string;
  name: string;
  watchlists: string[];
  metadata: Record<string, unknown>;
  enrolledBy: string;
  reason: string;
  createdAt: string;
  /** Number of templates. */
  templates: number;
}

/** A template without its embedding. */
export interface TemplateInfo {
  /** Also the vector index label. Never reused (AUTOINCREMENT). */
  id: number;
  identityId: string;
  modelId: string;
  imageSha256: string;
  quality: number | null;
  createdAt: string;
}

/** A precomputed template: the embedding of one enrolment image. */
export interface TemplateInput {
  embedding: Float32Array;
  /** sha256 (hex) of the source image; dedupes per identity. Default: sha256 of the embedding bytes. */
  imageSha256?: string;
  quality?: number;
  /** Must equal the gallery's model when given. */
  modelId?: string;
  /** What to call this input in outcomes and errors (a file name). */
  source?: string;
}

/** Where an enrolment image comes from: a file path or the image's bytes. */
export type ImageInput = string | { bytes: Uint8Array; name?: string };

export type ImageOutcome =
  | { source: string; status: 'enrolled'; templateId: number; quality: number | null }
  | { source: string; status: 'duplicate'; code: 'ARGUS_E_GALLERY_DUPLICATE_IMAGE' }
  | { source: string; status: 'rejected'; code: string; message: string };

export interface EnrolResult {
  identity: Identity;
  /** Templates added by this call. */
  added: number;
  images: ImageOutcome[];
}

export interface DeletionResult {
  identityId: string;
  templates: number;
  deletedAt: string;
  /** False when another process kept the WAL from being truncated; the next checkpoint finishes it. */
  walTruncated: boolean;
}

export interface IdentityRef {
  id: string;
  name: string;
}

/** One identity in a search result, best first. */
export interface SearchMatch {
  identity: IdentityRef;
  /** Cosine similarity of the identity's best template (identity score = best template). */
  similarity: number;
  /** similarity minus the best other identity's similarity (negative for all but the first). */
  margin: number;
  /** Estimated false-match rate at this similarity, per comparison (see calibration.ts). */
  fmr: number;
  /** similarity >= match.threshold AND margin >= match.margin. A candidate for human review. */
  match: boolean;
  /** The template that scored best. */
  templateId: number;
}

export interface ListPage {
  identities: Identity[];
  total: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface GalleryLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface Actor {
  by: string;
  reason: string;
}

export interface GalleryStats {
  identities: number;
  templates: number;
  deletions: number;
  modelId: string;
  dim: number;
  index: { size: number; state: string; reason?: string };
  bytes: { database: number; wal: number };
  fmrTable: { origin: string; impostorPairs: number; source: string };
}

export interface SearchOptions {
  /** Only identities on at least one of these watchlists are candidates. */
  watchlists?: readonly string[];
  /** The model the embedding comes from (refused when it is not the gallery's). */
  modelId?: string;
}
