import type { FastifyRequest } from 'fastify';
import { AlertHub } from './alerts/alert-hub';
import { AlertStore } from './alerts/alert-store';
import { encodeFaceCrop } from './alerts/crop-jpeg';
import { RetentionJob } from './alerts/retention-job';
import { WsAlertServer } from './alerts/ws-alert-server';
import { AuditLog } from './audit/audit-log';
import { ApiKeyStore } from './auth/api-key-store';
import type { ArgusConfig } from './config/config-schema';
import { ArgusError, toArgusError } from './errors/argus-error';
import { openGallery } from './gallery/open-gallery';
import { createHttpApp } from './http/create-http-app';
import { dashboardRoutes } from './http/dashboard-routes';
import { resolveFfmpeg } from './ingest/ffmpeg/ffmpeg-binary';
import { redactUrl } from './ingest/redact-url';
import { WebRtcFeedProvider } from './ingest/webrtc/webrtc-feed-provider';
import { WhipIngest } from './ingest/webrtc/whip-ingest';
import { whipRoutes } from './ingest/webrtc/whip-routes';
import type { Logger } from './logging/create-logger';
import { ArgusMetrics } from './metrics/argus-metrics';
import { EventLoopMonitor } from './metrics/event-loop-monitor';
import { StreamRuntime } from './pipeline/stream-runtime';
import { ensureAdminKey } from './serve/admin-key';
import { AlertRecorder } from './serve/alert-recorder';
import { AlertReviewService } from './serve/alert-review-service';
import { isLoopbackHost, urlHost } from './serve/loopback';
import { LiveMatchSettings } from './serve/match-settings';
import { observePipeline } from './serve/pipeline-metrics';
import { ReadinessChecks } from './serve/readiness-checks';
import { StreamManager } from './serve/stream-manager';
import { ProcessSystemService } from './serve/system-service';
import { argusVersion, webDir } from './util/package-root';
import { createFaceAnalyzer } from './vision/create-face-analyzer';

export interface RunningArgus {
  /** Stops everything in reverse start order; safe to call twice. */
  stop(): Promise<void>;
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8080. */
  address: string;
  /** Set only on the first start of a data directory: print it once, never log it. */
  createdAdminKey?: { id: string; key: string };
}

/**
 * The composition root of `argus serve`. Starts, in order: API keys and the audit log, the vision
 * worker pool, the gallery, alert store + hub, streams, the HTTP server (API, dashboard, WHIP)
 * with the WebSocket on the same port, then the retention job. Stops in reverse order. If any step fails,
 * what already started is stopped before the error is rethrown.
 */
export async function startArgus(config: Readonly<ArgusConfig>, logger: Logger): Promise<RunningArgus> {
  const stops: Array<[string, () => Promise<void> | void]> = [];
  const stop = async () => {
    while (stops.length > 0) {
      const [name, fn] = stops.pop()!;
      try {
        await fn();
      } catch (err) {
        logger.warn({ code: toArgusError(err).code, component: name }, 'stop failed');
      }
    }
  };
  try {
    const { host, port, auth } = config.http;
    if (!auth && !isLoopbackHost(host)) {
      throw new ArgusError('ARGUS_E_CONFIG_INVALID', {
        problems: `http.host: "${host}" is not a loopback address; it needs http.auth on`,
      });
    }
    const loopLag = new EventLoopMonitor();
    stops.push(['event loop monitor', () => loopLag.stop()]);

    // 1. API keys and the audit log
    const keys = ApiKeyStore.open(config.dataDir);
    stops.push(['keys', () => keys.close()]);
    const audit = AuditLog.open(config.dataDir);
    stops.push(['audit', () => audit.close()]);
    const createdAdminKey = await ensureAdminKey(keys);
    if (createdAdminKey) {
      logger.info({ keyId: createdAdminKey.id }, 'admin API key created at first start');
      audit.append({
        actor: 'system',
        action: 'key.create',
        target: `key:${createdAdminKey.id}`,
        reason: 'first start: no admin key existed',
        details: { role: 'admin' },
      });
    }
    stops.push(['key revocations', keys.watchRevocations()]);

    // 2. Vision worker pool, 3. gallery (enrolment and search by image use the same pool)
    const analyzer = await createFaceAnalyzer(config, { logger });
    stops.push(['vision', () => analyzer.close()]);
    const gallery = openGallery({
      config,
      create: true,
      logger,
      indexInBackground: true,
      faces: async () => analyzer,
    });
    stops.push(['gallery', () => gallery.close()]);

    // 4. Alerts: store, hub (ids continue after a restart), recorder
    const store = AlertStore.open(config.dataDir);
    stops.push(['alert store', () => store.close()]);
    const hub = new AlertHub({
      historySize: config.alerts.historySize,
      maxBufferedBytes: config.alerts.maxBufferedBytes,
    });
    // Every id handed out is persisted (alerts with their record, stream-status ids in onStatus).
    hub.continueFrom(store.maxEventId());
    const metrics = new ArgusMetrics();
    const recorder = new AlertRecorder({
      hub,
      store,
      cropMode: config.alerts.crop,
      encode: (c) => encodeFaceCrop(c, c.face),
      logger,
      onAlert: (e) => metrics.alertRaised(e),
    });

    // 5. Streams
    const ffmpeg = await resolveFfmpeg().catch((err: unknown) => {
      if (config.streams.length > 0) throw err;
      logger.warn({ code: toArgusError(err).code }, 'FFmpeg not found: streams cannot start');
      return undefined;
    });
    const whip = new WhipIngest({ logger });
    const feeds = new WebRtcFeedProvider(whip, { timeoutMs: 15_000 });
    const p = config.pipeline;
    let pyramidPhase = 0;
    const streams = new StreamManager(config.dataDir, (options) => {
      if (!ffmpeg) throw new ArgusError('ARGUS_E_FFMPEG_NOT_FOUND', {});
      return new StreamRuntime(options, {
        ffmpeg,
        logger,
        feeds,
        vision: analyzer,
        gallery,
        sink: recorder,
        analysis: {
          policy: {
            k: config.alerts.k,
            n: config.alerts.n,
            threshold: config.match.threshold,
            margin: config.match.margin,
            instantThreshold: config.alerts.instantThreshold,
          },
          tracker: { maxAgeMs: p.trackTimeoutMs },
          budget: {
            everyNFrames: p.embedEveryNFrames,
            qualityImprovement: p.embedQualityGain,
            maxPerFrame: p.maxEmbedsPerFrame,
            minPerFrame: p.minEmbedsPerFrame,
            budgetMs: p.embedBudgetMs,
          },
          pyramid: { fullEveryNFrames: p.fullPyramidEveryNFrames },
        },
        nextPyramidPhase: () => pyramidPhase++,
        onStatus: (snap) => {
          const event = hub.publishStatus({
            streamId: snap.id,
            state: snap.state,
            ...(snap.lastError ? { detail: `${snap.lastError.code}: ${snap.lastError.message}` } : {}),
          });
          // Alerts persist their own ids; a status event's id must survive a crash too, or a
          // restarted server would hand it out again to a different event.
          store.noteEventId(event.eventId);
          metrics.streamState(snap.id, snap.state);
        },
        onFrame: (_id, report) => observePipeline(metrics, report),
        onFrameError: (id, code) => metrics.frameFailed(id, code),
      });
    });
    stops.push(['streams', () => streams.stopAll()]);
    streams.load(config.streams);
    for (const s of streams.list()) logger.info({ streamId: s.id, source: redactUrl(s.url) }, 'stream added');

    // 6. HTTP: API, dashboard, WHIP; WebSocket alerts on the same server
    const settings = new LiveMatchSettings(config.match.threshold, config.match.margin, {
      fmrAt: (s) => gallery.fmrAt(s),
      apply: (threshold, margin) => {
        gallery.setMatchPolicy({ threshold, margin });
        for (const r of streams.runtimes()) r.setMatchThresholds(threshold, margin);
      },
    });
    const alerts = new AlertReviewService(
      store,
      { reject: (streamId, trackId, identityId) => streams.runtime(streamId)?.reject(trackId, identityId) },
      audit,
      (status, alert) => metrics.alertReviewed(status, alert.identity.watchlists),
    );
    const readiness = new ReadinessChecks()
      .add('models', () => ({ ok: true, detail: `${analyzer.workerStats()?.size ?? 1} vision worker(s)` }))
      .add('gallery', () => ({ ok: true, detail: gallery.indexState.state }))
      .add('ffmpeg', () => (ffmpeg ? { ok: true, detail: ffmpeg.path } : { ok: false, detail: 'not found' }));
    const system = new ProcessSystemService({
      version: argusVersion(),
      eventLoopLag: () => loopLag.snapshot(),
      workers: () => {
        const w = analyzer.workerStats();
        return { total: w?.size ?? 1, busy: w?.busy ?? 0 };
      },
      streams: () => streams.list(),
      alerts: () => store.counts(),
      websocketClients: () => hub.stats().clients,
      gallery: () => {
        const g = gallery.stats();
        return { identities: g.identities, templates: g.templates };
      },
    });
    metrics.bind({ streams, hub, gallery, analyzer, loopLag });
    const app = await createHttpApp({
      config: config.http,
      logger,
      keys,
      gallery,
      streams,
      alerts,
      matchSettings: settings,
      readiness,
      system,
      audit,
      metrics: metrics.registry,
      version: argusVersion(),
      onResponse: (route, status, ms, method) => metrics.observeHttp(route, method, status, ms),
      plugins: [
        {
          plugin: whipRoutes,
          options: {
            ingest: whip,
            ...(auth ? { authorize: (req: FastifyRequest) => authorizePublisher(keys, req) } : {}),
          },
        },
        { plugin: dashboardRoutes, options: { webDir: webDir() } },
      ],
    });
    await app.listen({ host, port });
    stops.push(['http', () => app.close()]);
    stops.push(['whip sessions', () => whip.closeAll()]);
    const bound = app.server.address();
    const address = `http://${urlHost(host)}:${typeof bound === 'object' && bound ? bound.port : port}`;
    const ws = new WsAlertServer(app.server, hub, keys, {
      auth,
      maxConnectionsPerKey: config.http.maxConnectionsPerKey,
    });
    stops.push(['websocket', () => ws.close()]);

    // 7. Retention
    const retention = new RetentionJob(store, config.retention, logger, (purged) => {
      metrics.retentionPurged(purged);
      if (purged.crops + purged.records > 0) {
        audit.append({
          actor: 'system',
          action: 'retention.purge',
          details: { crops: purged.crops, records: purged.records },
        });
      }
    });
    retention.start();
    stops.push(['retention', () => retention.stop()]);

    return { stop, address, ...(createdAdminKey ? { createdAdminKey } : {}) };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** WHIP publishers need an operator or admin key. */
async function authorizePublisher(keys: ApiKeyStore, req: FastifyRequest): Promise<void> {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) throw new ArgusError('ARGUS_E_AUTH_REQUIRED');
  const principal = await keys.verify(m[1]!);
  if (!principal || principal.role === 'viewer') throw new ArgusError('ARGUS_E_AUTH_INVALID_KEY');
}
