import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Principal } from '../../../src/auth/api-key-store';
import { ArgusError } from '../../../src/errors/argus-error';
import { redactUrl } from '../../../src/ingest/redact-url';
import type {
  AlertPage,
  AlertQuery,
  AlertService,
  MatchSettings,
  MatchSettingsService,
  Readiness,
  ReadinessCheck,
  RejectionPattern,
  StoredAlert,
  StreamInfo,
  StreamService,
  StreamSpecInput,
  SystemInfo,
  SystemService,
} from '../../../src/serve/service-ports';

/**
 * Small in-memory stand-ins for the pipeline's services (the lead's modules), so the HTTP routes
 * can be tested against the real key store, gallery and audit log without FFmpeg or streams.
 */

export class MemoryStreams implements StreamService {
  readonly specs = new Map<string, StreamSpecInput>();
  private readonly infos = new Map<string, StreamInfo>();

  list(): StreamInfo[] {
    return [...this.infos.values()];
  }
  get(id: string): StreamInfo {
    const info = this.infos.get(id);
    if (!info) throw new ArgusError('ARGUS_E_NOT_FOUND', { kind: 'stream', id });
    return info;
  }
  async create(spec: StreamSpecInput): Promise<StreamInfo> {
    if (this.infos.has(spec.id))
      throw new ArgusError('ARGUS_E_CONFLICT', { reason: `stream "${spec.id}" exists` });
    this.specs.set(spec.id, spec);
    const enabled = spec.enabled ?? true;
    const info: StreamInfo = {
      id: spec.id,
      url: redactUrl(spec.url),
      enabled,
      state: enabled ? 'live' : 'stopped',
      fps: 0,
      framesDecoded: 0,
      framesAnalysed: 0,
      framesDropped: 0,
      restarts: 0,
      faces: 0,
      deferredEmbeddings: 0,
      latencyMs: null,
    };
    this.infos.set(spec.id, info);
    return info;
  }
  async update(id: string, patch: Partial<Omit<StreamSpecInput, 'id'>>): Promise<StreamInfo> {
    const info = this.get(id);
    this.specs.set(id, { ...this.specs.get(id)!, ...patch });
    if (patch.url !== undefined) info.url = redactUrl(patch.url);
    if (patch.enabled !== undefined) info.enabled = patch.enabled;
    return info;
  }
  async delete(id: string): Promise<void> {
    this.get(id);
    this.infos.delete(id);
    this.specs.delete(id);
  }
  async start(id: string): Promise<StreamInfo> {
    return Object.assign(this.get(id), { enabled: true, state: 'live' as const });
  }
  async stop(id: string): Promise<StreamInfo> {
    return Object.assign(this.get(id), { enabled: false, state: 'stopped' as const });
  }
}

export class MemoryAlerts implements AlertService {
  readonly alerts: StoredAlert[] = [];
  readonly reviews: Array<{ id: number; status: string; by: Principal }> = [];
  private readonly crops = new Map<number, string>();

  constructor(private readonly cropDir: string) {}

  /** Adds an alert (ids 1, 2, ...); with `cropJpeg`, a crop file too. */
  add(o: Partial<StoredAlert> & { cropJpeg?: Buffer } = {}): StoredAlert {
    const id = this.alerts.length + 1;
    const time = new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString();
    const { cropJpeg, ...rest } = o;
    const alert: StoredAlert = {
      id,
      streamId: 'cam1',
      trackId: `t${id}`,
      identity: { id: 'id-1', name: 'Someone', watchlists: ['wl'] },
      similarity: 0.6,
      margin: 0.2,
      fmr: 1e-5,
      evidenceCount: 2,
      box: { x: 1, y: 2, width: 30, height: 40 },
      quality: 0.8,
      modelId: 'fr_feature',
      captureTime: time,
      emitTime: time,
      updatedTime: time,
      hasCrop: cropJpeg !== undefined,
      review: { status: 'pending' },
      ...rest,
    };
    if (cropJpeg) {
      const file = path.join(this.cropDir, `${id}.jpg`);
      writeFileSync(file, cropJpeg);
      this.crops.set(id, file);
    }
    this.alerts.push(alert);
    return alert;
  }

  list(q: AlertQuery): AlertPage {
    const limit = q.limit ?? 50;
    const before = q.cursor === undefined ? Number.POSITIVE_INFINITY : Number(q.cursor);
    if (!Number.isInteger(before) && before !== Number.POSITIVE_INFINITY) {
      throw new ArgusError('ARGUS_E_HTTP_BAD_REQUEST', { reason: 'bad cursor' });
    }
    const hits = [...this.alerts]
      .reverse()
      .filter(
        (a) =>
          a.id < before &&
          (q.streamId === undefined || a.streamId === q.streamId) &&
          (q.identityId === undefined || a.identity.id === q.identityId) &&
          (q.watchlist === undefined || a.identity.watchlists.includes(q.watchlist)) &&
          (q.review === undefined || a.review.status === q.review) &&
          (q.minSimilarity === undefined || a.similarity >= q.minSimilarity) &&
          (q.since === undefined || a.captureTime >= new Date(q.since).toISOString()) &&
          (q.until === undefined || a.captureTime <= new Date(q.until).toISOString()),
      );
    const items = hits.slice(0, limit);
    const more = hits.length > limit;
    return { items, ...(more ? { nextCursor: String(items[items.length - 1]!.id) } : {}) };
  }
  get(id: number): StoredAlert {
    const a = this.alerts.find((x) => x.id === id);
    if (!a) throw new ArgusError('ARGUS_E_NOT_FOUND', { kind: 'alert', id });
    return a;
  }
  cropFile(id: number): string | undefined {
    this.get(id);
    return this.crops.get(id);
  }
  review(
    id: number,
    verdict: { status: 'confirmed' | 'rejected'; comment?: string },
    by: Principal,
  ): StoredAlert {
    const a = this.get(id);
    a.review = {
      status: verdict.status,
      by: by.id,
      at: new Date().toISOString(),
      ...(verdict.comment ? { comment: verdict.comment } : {}),
    };
    this.reviews.push({ id, status: verdict.status, by });
    return a;
  }
  rejectionPatterns(minRejections = 2): RejectionPattern[] {
    const rejected = this.alerts.filter((a) => a.review.status === 'rejected');
    if (rejected.length < minRejections) return [];
    const sims = rejected.map((a) => a.similarity);
    return [
      {
        identity: rejected[0]!.identity,
        rejections: rejected.length,
        minSimilarity: Math.min(...sims),
        maxSimilarity: Math.max(...sims),
        lastRejectedAt: rejected[rejected.length - 1]!.review.at!,
      },
    ];
  }
}

export class MemoryMatchSettings implements MatchSettingsService {
  private v: MatchSettings = { threshold: 0.4, margin: 0.05, fmrAtThreshold: 1e-4 };
  get(): MatchSettings {
    return { ...this.v };
  }
  set(v: { threshold: number; margin: number }): MatchSettings {
    this.v = { ...v, fmrAtThreshold: v.threshold >= 0.4 ? 1e-4 : 1e-3 };
    return this.get();
  }
}

export class MemoryReadiness implements Readiness {
  readonly state: Record<string, ReadinessCheck> = {
    models: { ok: true },
    gallery: { ok: true },
    ffmpeg: { ok: true },
  };
  async checks(): Promise<Record<string, ReadinessCheck>> {
    return { ...this.state };
  }
}

export const memorySystem: SystemService = {
  info: (): SystemInfo => ({
    version: 'test',
    uptimeSec: 1,
    cpuPercent: 0,
    rssMb: 100,
    eventLoopLagMs: { p50: 1, p99: 2 },
    workers: { total: 1, busy: 0 },
    streams: 0,
    framesDropped: 0,
    alerts: { total: 0, pending: 0 },
    websocketClients: 0,
    gallery: { identities: 0, templates: 0 },
  }),
};
