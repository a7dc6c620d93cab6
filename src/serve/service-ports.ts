import type { AlertIdentity, FaceBox } from '../alerts/alert-messages';
import type { Principal } from '../auth/api-key-store';

/**
 * What the HTTP API and the dashboard need from the running pipeline, as interfaces: the
 * composition root (main.ts) implements them with the real parts, and the API modules depend on
 * nothing else. Keeping them here stops the HTTP layer from reaching into ingest or the gallery
 * internals.
 */

// ---------------------------------------------------------------- streams

export type StreamRunState = 'starting' | 'live' | 'reconnecting' | 'stopped' | 'failed';

/** A stream as the API shows it. The URL never carries credentials. */
export interface StreamInfo {
  id: string;
  /** Credentials replaced by "***". */
  url: string;
  /** false after `stop` (or created with enabled: false); survives restarts. */
  enabled: boolean;
  state: StreamRunState;
  /** Frames per second analysed over the last ~10 s. */
  fps: number;
  framesDecoded: number;
  framesAnalysed: number;
  /** Frames replaced in the newest-frame slot before analysis took them. */
  framesDropped: number;
  restarts: number;
  lastError?: { code: string; message: string };
  /** Faces in the last analysed frame. */
  faces: number;
  /** Embeddings postponed by the per-frame budget, since start. */
  deferredEmbeddings: number;
  /** Frame leaving FFmpeg -> analysis done, ms, over the last ~100 frames. */
  latencyMs: { p50: number; p99: number } | null;
  /** ISO time of the newest alert on this stream. */
  lastAlertAt?: string;
  width?: number;
  height?: number;
}

/** Body of POST /v1/streams and PATCH /v1/streams/:id (same fields as the config's streams[]). */
export interface StreamSpecInput {
  id: string;
  url: string;
  enabled?: boolean;
  fps?: number;
  maxWidth?: number;
  maxHeight?: number;
  rtspTransport?: 'tcp' | 'udp';
  loop?: boolean;
  realtime?: boolean;
}

export interface StreamService {
  list(): StreamInfo[];
  /** Throws ArgusError ARGUS_E_NOT_FOUND. */
  get(id: string): StreamInfo;
  /** Throws ARGUS_E_CONFLICT when the id exists, ARGUS_E_STREAM_URL_* for a bad URL. */
  create(spec: StreamSpecInput): Promise<StreamInfo>;
  update(id: string, patch: Partial<Omit<StreamSpecInput, 'id'>>): Promise<StreamInfo>;
  delete(id: string): Promise<void>;
  start(id: string): Promise<StreamInfo>;
  stop(id: string): Promise<StreamInfo>;
}

// ---------------------------------------------------------------- alerts

export type ReviewStatus = 'pending' | 'confirmed' | 'rejected';

export interface AlertReview {
  status: ReviewStatus;
  /** API key id of the reviewer. */
  by?: string;
  at?: string;
  comment?: string;
}

/** One alert as stored: the first `alert` event, updated in place by its `alert-update`s. */
export interface StoredAlert {
  /** The event id of the first `alert` event. */
  id: number;
  streamId: string;
  trackId: string;
  identity: AlertIdentity;
  similarity: number;
  margin: number;
  fmr: number;
  evidenceCount: number;
  box: FaceBox;
  quality: number;
  modelId: string;
  captureTime: string;
  emitTime: string;
  updatedTime: string;
  /** Whether a crop is still kept (crops expire before records). */
  hasCrop: boolean;
  review: AlertReview;
}

export interface AlertQuery {
  streamId?: string;
  identityId?: string;
  watchlist?: string;
  review?: ReviewStatus;
  /** ISO times, inclusive. */
  since?: string;
  until?: string;
  minSimilarity?: number;
  /** 1..500, default 50. */
  limit?: number;
  /** Opaque, from the previous page's nextCursor. Newest first. */
  cursor?: string;
}

export interface AlertPage {
  items: StoredAlert[];
  nextCursor?: string;
}

/** Repeated rejections of one identity at similar scores: the "not this person" signal. */
export interface RejectionPattern {
  identity: AlertIdentity;
  rejections: number;
  minSimilarity: number;
  maxSimilarity: number;
  lastRejectedAt: string;
}

export interface AlertService {
  list(q: AlertQuery): AlertPage;
  /** Throws ARGUS_E_NOT_FOUND. */
  get(id: number): StoredAlert;
  /** Absolute path of the JPEG crop, or undefined when none is kept. Throws ARGUS_E_NOT_FOUND. */
  cropFile(id: number): string | undefined;
  /**
   * Records a reviewer's verdict (audited by the implementation). A rejection is negative
   * evidence: the same track is not alerted again for that identity. Re-reviewing is allowed
   * (the newest verdict wins; every verdict is audited). Throws ARGUS_E_NOT_FOUND.
   */
  review(
    id: number,
    verdict: { status: 'confirmed' | 'rejected'; comment?: string },
    by: Principal,
  ): StoredAlert;
  /** Identities rejected at least `minRejections` times with similar scores. */
  rejectionPatterns(minRejections?: number): RejectionPattern[];
}

// ---------------------------------------------------------------- health

export interface ReadinessCheck {
  ok: boolean;
  detail?: string;
}

export interface Readiness {
  /** models, gallery, ffmpeg (and anything else worth a check). */
  checks(): Promise<Record<string, ReadinessCheck>>;
}

/** Live numbers for the dashboard's system page (GET /v1/system). */
export interface SystemInfo {
  version: string;
  uptimeSec: number;
  cpuPercent: number;
  rssMb: number;
  eventLoopLagMs: { p50: number; p99: number };
  workers: { total: number; busy: number };
  streams: number;
  framesDropped: number;
  alerts: { total: number; pending: number };
  websocketClients: number;
  gallery: { identities: number; templates: number };
}

export interface SystemService {
  info(): SystemInfo;
}

// ---------------------------------------------------------------- match settings

/** The live match policy (GET/PUT /v1/settings/match). */
export interface MatchSettings {
  threshold: number;
  margin: number;
  /** Estimated false-match rate per comparison at `threshold`, when a calibration table exists. */
  fmrAtThreshold: number | null;
}

export interface MatchSettingsService {
  get(): MatchSettings;
  /** Applies new values to the running pipeline and gallery search; returns what is now in force. */
  set(v: { threshold: number; margin: number }): MatchSettings;
}
