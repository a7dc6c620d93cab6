import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type MetricsSources, STREAM_STATES } from './metric-sources';

export type { MetricsSources, StreamMetricsView } from './metric-sources';

/** Pipeline stages: 1 ms .. 2 s. */
const STAGE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2];
/** HTTP answers: 0.5 ms .. 2.5 s. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const FACE_BUCKETS = [0, 1, 2, 3, 5, 10, 20, 50, 100, 200];
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

type Stage = 'detect' | 'embed' | 'search';

/**
 * Every Argus metric, on a registry of its own (tests and several instances never collide with
 * prom-client's global one); names are prefixed argus_. Label values are bounded: stream ids come
 * from the configuration, watchlists from the gallery's few lists, routes are route patterns;
 * nothing is labelled by identity, track or API key.
 */
export class ArgusMetrics {
  readonly registry = new Registry();
  private sources: MetricsSources = {};

  // Per stream, read from the stream manager at scrape time.
  readonly framesDecoded: Counter<'stream'>;
  readonly framesAnalysed: Counter<'stream'>;
  readonly framesDropped: Counter<'stream'>;
  readonly streamFps: Gauge<'stream'>;
  readonly streamRestarts: Counter<'stream'>;
  /** One-hot: argus_stream_state{stream,state} is 1 for the current state, 0 for the others. */
  readonly streamStateGauge: Gauge<'stream' | 'state'>;
  readonly deferredEmbeddings: Counter<'stream'>;
  readonly frameErrors: Counter<'stream' | 'code'>;

  // Pipeline.
  readonly detectSeconds: Histogram;
  readonly embedSeconds: Histogram;
  readonly searchSeconds: Histogram;
  /** Capture time of the frame -> alert emitted. */
  readonly alertLatencySeconds: Histogram;
  readonly facesPerFrame: Histogram;
  readonly workerPoolBusy: Gauge;
  readonly workerPoolSize: Gauge;
  readonly workerPoolQueued: Gauge;

  // Alerts and review.
  readonly alerts: Counter<'watchlist'>;
  readonly alertUpdates: Counter;
  readonly alertReviews: Counter<'outcome' | 'watchlist'>;

  // WebSocket, gallery, event loop, retention, HTTP.
  readonly wsClients: Gauge;
  readonly wsDisconnects: Counter<'reason'>;
  readonly galleryIdentities: Gauge;
  readonly galleryTemplates: Gauge;
  /** argus_event_loop_lag_seconds{stat="p50"|"p99"|"max"} over the monitor's rolling window. */
  readonly eventLoopLag: Gauge<'stat'>;
  readonly retentionDeletions: Counter<'kind'>;
  readonly retentionRuns: Counter;
  readonly retentionLastRun: Gauge;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly httpSeconds: Histogram<'route' | 'method' | 'status'>;

  constructor(o: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (o.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'argus_' });
    const self = this;
    const streams = () => self.read(() => self.sources.streams?.list()) ?? [];

    // Cumulative numbers owned by the streams: each scrape sets the counter to the live total
    // (a recreated stream starts again at 0, which Prometheus reads as a counter reset).
    const perStream = (name: string, help: string, pick: (s: ReturnType<typeof streams>[number]) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['stream'] as const,
        registers,
        collect() {
          if (!self.sources.streams) return;
          this.reset();
          for (const s of streams()) this.inc({ stream: s.id }, Math.max(0, pick(s)));
        },
      });
    this.framesDecoded = perStream(
      'argus_stream_frames_decoded_total',
      'Frames decoded by FFmpeg',
      (s) => s.framesDecoded,
    );
    this.framesAnalysed = perStream(
      'argus_stream_frames_analysed_total',
      'Frames analysed',
      (s) => s.framesAnalysed,
    );
    this.framesDropped = perStream(
      'argus_stream_frames_dropped_total',
      'Frames replaced in the newest-frame slot before analysis took them',
      (s) => s.framesDropped,
    );
    this.streamRestarts = perStream(
      'argus_stream_restarts_total',
      'FFmpeg restarts after a failure',
      (s) => s.restarts,
    );
    this.deferredEmbeddings = perStream(
      'argus_deferred_embeddings_total',
      'Face embeddings postponed by the per-frame time budget',
      (s) => s.deferredEmbeddings,
    );
    this.streamFps = new Gauge({
      name: 'argus_stream_fps',
      help: 'Frames per second analysed (last ~10 s)',
      labelNames: ['stream'] as const,
      registers,
      collect() {
        if (!self.sources.streams) return;
        this.reset();
        for (const s of streams()) this.set({ stream: s.id }, s.fps);
      },
    });
    this.streamStateGauge = new Gauge({
      name: 'argus_stream_state',
      help: `Stream state, one-hot: 1 for the current state (${STREAM_STATES.join(', ')}), 0 for the others`,
      labelNames: ['stream', 'state'] as const,
      registers,
      collect() {
        if (!self.sources.streams) return;
        this.reset();
        for (const s of streams()) self.setState(s.id, s.state);
      },
    });
    this.frameErrors = new Counter({
      name: 'argus_frame_errors_total',
      help: 'Frames whose analysis failed, by error code',
      labelNames: ['stream', 'code'] as const,
      registers,
    });

    const stage = (name: Stage) =>
      new Histogram({
        name: `argus_${name}_seconds`,
        help: `Time to ${name} the faces of one frame`,
        buckets: STAGE_BUCKETS,
        registers,
      });
    this.detectSeconds = stage('detect');
    this.embedSeconds = stage('embed');
    this.searchSeconds = stage('search');
    this.alertLatencySeconds = new Histogram({
      name: 'argus_alert_latency_seconds',
      help: 'Frame capture to alert emitted',
      buckets: STAGE_BUCKETS,
      registers,
    });
    this.facesPerFrame = new Histogram({
      name: 'argus_faces_per_frame',
      help: 'Faces detected per analysed frame',
      buckets: FACE_BUCKETS,
      registers,
    });
    const pool = (
      name: string,
      help: string,
      pick: (w: { size: number; busy: number; queued?: number }) => number,
    ) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const w = self.read(() => self.sources.analyzer?.workerStats());
          if (w) this.set(pick(w));
        },
      });
    this.workerPoolBusy = pool('argus_worker_pool_busy', 'Vision workers busy with a frame', (w) => w.busy);
    this.workerPoolSize = pool('argus_worker_pool_size', 'Vision workers running', (w) => w.size);
    this.workerPoolQueued = pool(
      'argus_worker_pool_queued',
      'Vision jobs waiting for a worker',
      (w) => w.queued ?? 0,
    );

    this.alerts = new Counter({
      name: 'argus_alerts_total',
      help: 'Alerts raised, by watchlist of the identity ("none" when on no watchlist)',
      labelNames: ['watchlist'] as const,
      registers,
    });
    this.alertUpdates = new Counter({
      name: 'argus_alert_updates_total',
      help: 'Alert updates (stronger evidence for an earlier alert)',
      registers,
    });
    this.alertReviews = new Counter({
      name: 'argus_alert_reviews_total',
      help: 'Reviewer verdicts, by outcome and watchlist',
      labelNames: ['outcome', 'watchlist'] as const,
      registers,
    });

    this.wsClients = new Gauge({
      name: 'argus_websocket_clients',
      help: 'Connected /v1/alerts WebSocket clients',
      registers,
      collect() {
        const s = self.read(() => self.sources.hub?.stats());
        if (s) this.set(s.clients);
      },
    });
    this.wsDisconnects = new Counter({
      name: 'argus_websocket_disconnects_total',
      help: 'WebSocket clients disconnected, by reason (slow-consumer, heartbeat, revoked, ...)',
      labelNames: ['reason'] as const,
      registers,
      collect() {
        const s = self.read(() => self.sources.hub?.stats());
        if (!s) return;
        this.reset();
        for (const [reason, n] of Object.entries(s.disconnects)) this.inc({ reason }, n);
      },
    });
    const galleryGauge = (
      name: string,
      help: string,
      pick: (g: { identities: number; templates: number }) => number,
    ) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const g = self.read(() => self.sources.gallery?.stats());
          if (g) this.set(pick(g));
        },
      });
    this.galleryIdentities = galleryGauge(
      'argus_gallery_identities',
      'Enrolled identities',
      (g) => g.identities,
    );
    this.galleryTemplates = galleryGauge(
      'argus_gallery_templates',
      'Enrolled face templates',
      (g) => g.templates,
    );
    this.eventLoopLag = new Gauge({
      name: 'argus_event_loop_lag_seconds',
      help: 'Event-loop delay beyond the sampling period over a rolling window: stat p50, p99, max',
      labelNames: ['stat'] as const,
      registers,
      collect() {
        const l = self.read(() => self.sources.loopLag?.snapshot());
        if (!l) return;
        this.set({ stat: 'p50' }, l.p50 / 1000);
        this.set({ stat: 'p99' }, l.p99 / 1000);
        this.set({ stat: 'max' }, l.max / 1000);
      },
    });
    this.retentionDeletions = new Counter({
      name: 'argus_retention_deletions_total',
      help: 'Alert crops and records deleted by retention, by kind (crop, record)',
      labelNames: ['kind'] as const,
      registers,
    });
    this.retentionRuns = new Counter({
      name: 'argus_retention_runs_total',
      help: 'Retention purges run',
      registers,
    });
    this.retentionLastRun = new Gauge({
      name: 'argus_retention_last_run_timestamp_seconds',
      help: 'Unix time of the last successful retention purge',
      registers,
    });
    this.httpRequests = new Counter({
      name: 'argus_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    });
    this.httpSeconds = new Histogram({
      name: 'argus_http_request_duration_seconds',
      help: 'HTTP request duration, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: HTTP_BUCKETS,
      registers,
    });
  }

  /** Live objects read at scrape time; may be called again to add or replace sources. */
  bind(sources: MetricsSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition for GET /metrics. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** A stream changed state (pushed at once; also refreshed from the streams source on scrape). */
  streamState(streamId: string, state: string): void {
    this.setState(streamId, state);
  }

  frameFailed(streamId: string, code: string): void {
    this.frameErrors.inc({ stream: streamId, code });
  }

  /** Stage times of one analysed frame, in ms (a stage that did not run is left out). */
  observeFrame(o: { detectMs?: number; embedMs?: number; searchMs?: number; faces?: number }): void {
    if (o.detectMs !== undefined) this.detectSeconds.observe(o.detectMs / 1000);
    if (o.embedMs !== undefined) this.embedSeconds.observe(o.embedMs / 1000);
    if (o.searchMs !== undefined) this.searchSeconds.observe(o.searchMs / 1000);
    if (o.faces !== undefined) this.facesPerFrame.observe(o.faces);
  }

  /** An alert or alert-update went out. */
  alertRaised(e: {
    type: 'alert' | 'alert-update';
    identity: { watchlists: readonly string[] };
    captureTime: string;
    emitTime: string;
  }): void {
    if (e.type === 'alert-update') {
      this.alertUpdates.inc();
      return;
    }
    for (const watchlist of watchlistLabels(e.identity.watchlists)) this.alerts.inc({ watchlist });
    const latency = (Date.parse(e.emitTime) - Date.parse(e.captureTime)) / 1000;
    if (Number.isFinite(latency) && latency >= 0) this.alertLatencySeconds.observe(latency);
  }

  alertReviewed(outcome: 'confirmed' | 'rejected', watchlists: readonly string[]): void {
    for (const watchlist of watchlistLabels(watchlists)) this.alertReviews.inc({ outcome, watchlist });
  }

  retentionPurged(r: { crops: number; records: number }, now: Date = new Date()): void {
    this.retentionDeletions.inc({ kind: 'crop' }, r.crops);
    this.retentionDeletions.inc({ kind: 'record' }, r.records);
    this.retentionRuns.inc();
    this.retentionLastRun.set(now.getTime() / 1000);
  }

  /** One HTTP answer. `route` is the route pattern (/v1/alerts/:id), never the raw URL. */
  observeHttp(route: string | undefined, method: string, status: number, ms: number): void {
    const m = method.toUpperCase();
    const labels = {
      route: route || 'unmatched',
      method: HTTP_METHODS.has(m) ? m : 'OTHER',
      status: String(status),
    };
    this.httpRequests.inc(labels);
    this.httpSeconds.observe(labels, Math.max(0, ms) / 1000);
  }

  private setState(stream: string, state: string): void {
    for (const s of STREAM_STATES) this.streamStateGauge.set({ stream, state: s }, s === state ? 1 : 0);
  }

  /** A source that throws (closing during shutdown) must not break the whole scrape. */
  private read<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch {
      return undefined;
    }
  }
}

function watchlistLabels(watchlists: readonly string[]): readonly string[] {
  return watchlists.length ? [...new Set(watchlists)] : ['none'];
}
