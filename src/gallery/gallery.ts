import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import type { AnalyzedFace } from '../domain/face';
import type { RgbImage } from '../domain/image';
import { ArgusError } from '../errors/argus-error';
import { decodeImage } from '../images/decode-image';
import { fmrAt } from './calibration';
import { type ActiveTable, activeFmrTable } from './calibration-file';
import { checkEmbedding } from './embedding-check';
import { EXACT_WHILE_BUILDING, type GalleryDeps } from './gallery-deps';
import { readImageInput } from './gallery-images';
import { GalleryIndex } from './gallery-index';
import type { InsertedTemplates, Written } from './gallery-store';
import type {
  Actor,
  DeletionResult,
  EnrolResult,
  GalleryStats,
  Identity,
  IdentityInput,
  IdentityRef,
  ImageInput,
  ImageOutcome,
  ListPage,
  SearchMatch,
  SearchOptions,
  TemplateInfo,
  TemplateInput,
} from './gallery-types';
import { type NormalisedIdentity, normaliseIdentityInput, requiredText } from './identity-input';
import { searchMatches } from './match-policy';
import {
  type Candidate,
  type FaceSource,
  type IntakeContext,
  intakeEmbeddings,
  intakeImages,
  noUsableImage,
  settleOutcomes,
} from './template-intake';
import { WatchlistLabels } from './watchlist-labels';

export { EXACT_WHILE_BUILDING, type GalleryDeps } from './gallery-deps';
export type { Actor, GalleryLogger, GalleryStats } from './gallery-types';
export type { FaceSource } from './template-intake';

/**
 * The gallery: who is on the watchlists, and who a face looks like. Used by the CLI now and the
 * HTTP API later. An operation is acknowledged when its SQLite transaction has committed (fsync'd);
 * the vector index follows in memory, is saved on close and after every erasure, and is rebuilt
 * from the database whenever it is found out of step. Identity score = best template.
 */
export class Gallery {
  private policyOverride: { threshold: number; margin: number } | undefined;
  private table: ActiveTable;
  private faceSource: Promise<FaceSource> | undefined;
  private readonly watchlists: WatchlistLabels;
  private readonly index: GalleryIndex;
  /** Settles when the index is in place (at once unless it is built in the background). */
  readonly indexReady: Promise<void>;

  constructor(private readonly deps: GalleryDeps) {
    const { store } = deps;
    this.table = activeFmrTable(deps.dir, store.modelId);
    this.watchlists = new WatchlistLabels((names) => store.labelsOnWatchlists(names));
    this.index = new GalleryIndex({
      ...deps,
      exactWhileBuilding: deps.exactWhileBuilding ?? EXACT_WHILE_BUILDING,
      onAdopted: () => this.watchlists.clear(),
    });
    this.indexReady = this.index.ready;
  }

  get modelId(): string {
    return this.deps.store.modelId;
  }

  get indexState(): { state: string; reason?: string } {
    return this.index.state;
  }

  private get cfg() {
    return this.deps.config.gallery;
  }

  // ---- enrolment ----

  /** Enrols a new identity from images (one dominant face each). Rejected images are reported, not fatal. */
  async enrol(input: IdentityInput, images: readonly ImageInput[]): Promise<EnrolResult> {
    const identity = this.validIdentity(input);
    this.assertModel();
    const { outcomes, candidates, errors } = await intakeImages(images, new Set(), this.intakeContext());
    if (candidates.length === 0) throw noUsableImage(images.length, errors);
    return this.commitNewIdentity(identity, outcomes, candidates);
  }

  /** Enrols a new identity from precomputed embeddings (imports, tests, the API). */
  enrolTemplates(input: IdentityInput, templates: readonly TemplateInput[]): EnrolResult {
    const identity = this.validIdentity(input);
    this.assertModel();
    if (templates.length === 0) {
      throw new ArgusError('ARGUS_E_GALLERY_NO_USABLE_IMAGE', { count: 0, reasons: 'no templates given' });
    }
    const { outcomes, candidates } = this.intakeEmbeddings(templates);
    return this.commitNewIdentity(identity, outcomes, candidates);
  }

  /** Adds images to an existing identity; images it already has (same sha256) are skipped. */
  async addTemplates(identityId: string, images: readonly ImageInput[]): Promise<EnrolResult> {
    this.assertModel();
    const known = this.deps.store.imageShasOf(this.get(identityId).id);
    const { outcomes, candidates, errors } = await intakeImages(images, known, this.intakeContext());
    if (candidates.length === 0 && !outcomes.some((o) => o?.status === 'duplicate')) {
      throw noUsableImage(images.length, errors);
    }
    return this.commitTemplates(identityId, outcomes, candidates);
  }

  addTemplateEmbeddings(identityId: string, templates: readonly TemplateInput[]): EnrolResult {
    this.assertModel();
    const { outcomes, candidates } = this.intakeEmbeddings(templates);
    return this.commitTemplates(identityId, outcomes, candidates);
  }

  // ---- removal ----

  /** Erasure: the identity, its templates and their vectors are gone; the deletion is logged without biometrics. */
  deleteIdentity(id: string, actor: Actor): DeletionResult {
    const { by, reason } = this.validActor(actor);
    const deletedAt = new Date().toISOString();
    const w = this.deps.store.deleteIdentity(id, by, reason, deletedAt);
    this.index.follow(w, (index) => {
      for (const label of w.result.labels) index.remove(label);
    });
    this.index.persistAfterErasure();
    return {
      identityId: id,
      templates: w.result.labels.length,
      deletedAt,
      walTruncated: w.result.walTruncated,
    };
  }

  removeTemplate(templateId: number, actor: Actor): { templateId: number; identityId: string } {
    const { by, reason } = this.validActor(actor);
    const w = this.deps.store.deleteTemplate(templateId, by, reason, new Date().toISOString());
    this.index.follow(w, (index) => index.remove(templateId));
    this.index.persistAfterErasure();
    return { templateId, identityId: w.result.identityId };
  }

  // ---- reading ----

  get(id: string): Identity & { templateList: TemplateInfo[] } {
    const identity = this.deps.store.getIdentity(id);
    if (!identity) throw new ArgusError('ARGUS_E_GALLERY_IDENTITY_NOT_FOUND', { id });
    return { ...identity, templateList: this.deps.store.templatesOf(id) };
  }

  /** A page of identities in enrolment order: by cursor (stable while others enrol) or by offset. */
  list(o: { limit?: number; offset?: number; cursor?: string } = {}): ListPage {
    const limit = Math.max(1, Math.min(1000, Math.floor(o.limit ?? 50)));
    let from: { afterSeq: number } | { offset: number };
    if (o.cursor !== undefined) {
      const afterSeq = Number(o.cursor);
      if (!Number.isInteger(afterSeq) || afterSeq < 0) {
        throw new ArgusError('ARGUS_E_USAGE', { reason: `invalid list cursor "${o.cursor}"` });
      }
      from = { afterSeq };
    } else {
      from = { offset: Math.max(0, Math.floor(o.offset ?? 0)) };
    }
    const page = this.deps.store.listIdentities(limit, from);
    return {
      identities: page.rows,
      total: this.deps.store.counts().identities,
      nextCursor: page.more && page.lastSeq !== null ? String(page.lastSeq) : null,
    };
  }

  /** Identities with exactly this name (imports resume by folder name). */
  findByName(name: string): IdentityRef[] {
    return this.deps.store.identityIdsByName(name).map((id) => ({ id, name }));
  }

  /** Template vectors with their identity, at most `limit`, drawn at random beyond it (calibration). */
  calibrationTemplates(limit: number): Array<{ group: string; v: Float32Array }> {
    return this.deps.store.templatesForCalibration(limit);
  }

  // ---- search ----

  /**
   * Top-k identities for an embedding, best first, with the match policy applied. With
   * `watchlists`, only identities on at least one of them are candidates (the margin is then over
   * the best other identity on those watchlists; an empty list filters nothing). A string third argument is the embedding's model id.
   */
  searchByEmbedding(
    v: ArrayLike<number>,
    k = this.cfg.searchK,
    opts: SearchOptions | string = {},
  ): SearchMatch[] {
    const o: SearchOptions = typeof opts === 'string' ? { modelId: opts } : opts;
    this.assertModel(o.modelId);
    const q = checkEmbedding(v, this.deps.store.dim);
    const { index, generation } = this.index.current();
    const allowed = o.watchlists?.length ? this.watchlists.labels(o.watchlists, generation) : undefined;
    const size = allowed ? allowed.size : index.size();
    if (size === 0) return [];
    const want = Math.max(1, Math.min(k, 100));
    // More templates than identities asked for: an identity may hold several of the best templates.
    const kt = Math.min(want * 2 + 1, size);
    const hits = index.search(q, kt, allowed);
    return searchMatches(hits, this.deps.store.identitiesOfLabels(hits.map((h) => h.label)), {
      want,
      // Fewer candidates than templates: an identity beyond them may score up to the last one.
      cutShort: kt < size,
      policy: this.matchPolicy,
      fmrAt: (s) => fmrAt(this.table.table, s),
    });
  }

  /** The identity's reference photo (a small JPEG face crop from enrolment), if it has one. */
  photo(identityId: string): Buffer | undefined {
    return this.deps.store.photo(identityId);
  }

  /** The operating point in force: the configuration's until an admin changes it at run time. */
  get matchPolicy(): { threshold: number; margin: number } {
    return (
      this.policyOverride ?? {
        threshold: this.deps.config.match.threshold,
        margin: this.deps.config.match.margin,
      }
    );
  }

  setMatchPolicy(policy: { threshold: number; margin: number }): void {
    this.policyOverride = { ...policy };
  }

  /** Estimated false-match rate at a similarity (the calibration table, or the built-in one). */
  fmrAt(similarity: number): number {
    return fmrAt(this.table.table, similarity);
  }

  /** Searches with the largest face of an image (ARGUS_E_NO_FACE without one). */
  async searchByImage(
    image: ImageInput | RgbImage,
    k = this.cfg.searchK,
    opts: { watchlists?: readonly string[] } = {},
  ): Promise<{ face: { box: AnalyzedFace['box']; quality: number }; matches: SearchMatch[] }> {
    this.assertModel();
    const face = await this.largestFace(image);
    return {
      face: { box: face.box, quality: face.quality },
      matches: this.searchByEmbedding(face.embedding!, k, { watchlists: opts.watchlists ?? [] }),
    };
  }

  /** The largest face of an image, with its embedding (ARGUS_E_NO_FACE without one). */
  async largestFace(image: ImageInput | RgbImage): Promise<AnalyzedFace> {
    const { rgb, source } = await this.decode(image);
    const { faces } = await (await this.faces()).analyze(rgb, { embed: true });
    let largest: AnalyzedFace | undefined;
    for (const f of faces) if (!largest || f.box.w * f.box.h > largest.box.w * largest.box.h) largest = f;
    if (!largest?.embedding) throw new ArgusError('ARGUS_E_NO_FACE', { subject: source });
    return largest;
  }

  // ---- housekeeping ----

  stats(): GalleryStats {
    const counts = this.deps.store.counts();
    const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
    return {
      ...counts,
      modelId: this.deps.store.modelId,
      dim: this.deps.store.dim,
      index: { size: this.index.size(), ...this.indexState },
      bytes: { database: size(this.deps.store.file), wal: size(`${this.deps.store.file}-wal`) },
      fmrTable: {
        origin: this.table.origin,
        impostorPairs: this.table.table.impostorPairs,
        source: this.table.table.source,
      },
    };
  }

  /** Live labels of the vector index, after bringing it in step (tests and consistency checks). */
  indexLabels(): number[] {
    return this.index.current().index.labels();
  }

  /** Re-reads calibration.json (after `calibrate`). */
  reloadCalibration(): void {
    this.table = activeFmrTable(this.deps.dir, this.deps.store.modelId);
  }

  /** Saves the index if it changed since it was loaded or saved. */
  saveIndex(): void {
    this.index.save();
  }

  /** Saves the index (unless told not to: tests that want the files as a crash left them) and closes. */
  async close(o: { saveIndex?: boolean } = {}): Promise<void> {
    try {
      await this.index.close(o);
    } finally {
      this.deps.store.close();
    }
  }

  // ---- internals ----

  private assertModel(modelId = this.deps.embedder.modelId): void {
    const { store, embedder } = this.deps;
    if (store.modelId !== modelId || store.dim !== embedder.dim) {
      throw new ArgusError('ARGUS_E_GALLERY_MODEL_MISMATCH', {
        galleryModel: store.modelId,
        galleryDim: store.dim,
        model: modelId,
        dim: embedder.dim,
      });
    }
  }

  private validIdentity(input: IdentityInput): NormalisedIdentity {
    return normaliseIdentityInput(input, this.cfg);
  }

  private validActor(actor: Actor): Actor {
    return {
      by: requiredText(actor?.by, 'by (who deletes)', 200),
      reason: requiredText(actor?.reason, 'reason', this.cfg.maxReasonLength),
    };
  }

  private intakeEmbeddings(templates: readonly TemplateInput[]) {
    const { store } = this.deps;
    return intakeEmbeddings(templates, store.dim, store.modelId, (m) => this.assertModel(m));
  }

  private intakeContext(): IntakeContext {
    return {
      config: this.deps.config,
      dim: this.deps.store.dim,
      modelId: this.deps.embedder.modelId,
      faces: () => this.faces(),
    };
  }

  private faces(): Promise<FaceSource> {
    if (!this.deps.faces) {
      return Promise.reject(new ArgusError('ARGUS_E_USAGE', { reason: 'this gallery has no face analyzer' }));
    }
    this.faceSource ??= this.deps.faces();
    return this.faceSource;
  }

  private async decode(image: ImageInput | RgbImage): Promise<{ rgb: RgbImage; source: string }> {
    const v = this.deps.config.vision;
    const limits = { maxPixels: v.maxImagePixels, maxBytes: v.maxImageBytes };
    if (typeof image === 'object' && 'width' in image) return { rgb: image, source: 'the image' };
    const read = await readImageInput(image, 0, v.maxImageBytes);
    return { rgb: await decodeImage(read.bytes, limits), source: read.source };
  }

  private commitNewIdentity(
    identity: NormalisedIdentity,
    outcomes: Array<ImageOutcome | undefined>,
    candidates: Candidate[],
  ): EnrolResult {
    if (candidates.length > this.cfg.maxTemplatesPerIdentity) {
      throw new ArgusError('ARGUS_E_GALLERY_TOO_MANY_TEMPLATES', { id: '(new)', count: candidates.length });
    }
    const id = randomUUID();
    const w = this.deps.store.insertIdentity(
      id,
      identity,
      candidates.map((c) => c.template),
      new Date().toISOString(),
    );
    return this.finish(w, outcomes, candidates);
  }

  private commitTemplates(
    identityId: string,
    outcomes: Array<ImageOutcome | undefined>,
    candidates: Candidate[],
  ): EnrolResult {
    if (candidates.length === 0) {
      // Nothing new (all duplicates): no transaction, so a resumed import costs no fsync per image.
      const { templateList: _list, ...identity } = this.get(identityId);
      return { identity, added: 0, images: outcomes as ImageOutcome[] };
    }
    const w = this.deps.store.insertTemplates(
      identityId,
      candidates.map((c) => c.template),
      new Date().toISOString(),
      this.cfg.maxTemplatesPerIdentity,
    );
    return this.finish(w, outcomes, candidates);
  }

  private finish(
    w: Written<InsertedTemplates>,
    outcomes: Array<ImageOutcome | undefined>,
    candidates: Candidate[],
  ): EnrolResult {
    this.index.follow(w, (index) => {
      w.result.ids.forEach((label, i) => {
        if (label !== null) index.add(label, candidates[i]!.template.embedding);
      });
    });
    const { added, images } = settleOutcomes(w.result.ids, outcomes, candidates);
    const identity = this.deps.store.getIdentity(w.result.identityId)!;
    return { identity, added, images };
  }
}
