import Fastify, { type FastifyRequest } from 'fastify';
import { AlertHub } from './alerts/alert-hub';
import type { AlertInput } from './alerts/alert-messages';
import { WsAlertServer } from './alerts/ws-alert-server';
import { ApiKeyStore } from './auth/api-key-store';
import type { ArgusConfig } from './config/config-schema';
import { ArgusError, toArgusError } from './errors/argus-error';
import { openGallery } from './gallery/open-gallery';
import { resolveFfmpeg } from './ingest/ffmpeg/ffmpeg-binary';
import { redactUrl } from './ingest/redact-url';
import { WebRtcFeedProvider } from './ingest/webrtc/webrtc-feed-provider';
import { WhipIngest } from './ingest/webrtc/whip-ingest';
import { whipRoutes } from './ingest/webrtc/whip-routes';
import type { Logger } from './logging/create-logger';
import { StreamRuntime } from './pipeline/stream-runtime';
import { ensureAdminKey } from './serve/admin-key';
import { isLoopbackHost, urlHost } from './serve/loopback';
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
 * The composition root of `argus serve`. Starts, in order: API keys, gallery, vision worker pool,
 * HTTP server (WHIP routes), WebSocket alert hub, then per stream a supervisor (FFmpeg) and an
 * analysis loop feeding tracker -> gallery -> alert policy -> hub. Stops in reverse order. If any
 * step fails, what already started is stopped before the error is rethrown.
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

    // 1. API keys
    const keys = ApiKeyStore.open(config.dataDir);
    stops.push(['keys', () => keys.close()]);
    const createdAdminKey = await ensureAdminKey(keys);
    if (createdAdminKey) logger.info({ keyId: createdAdminKey.id }, 'admin API key created at first start');
    const stopWatching = keys.watchRevocations();
    stops.push(['key revocations', stopWatching]);

    // 2. Gallery
    const gallery = openGallery({ config, create: true, logger });
    stops.push(['gallery', () => gallery.close()]);

    // 3. Vision worker pool
    const analyzer = await createFaceAnalyzer(config, { logger });
    stops.push(['vision', () => analyzer.close()]);

    // 4. HTTP server with the WHIP routes
    const whip = new WhipIngest({ logger });
    const feeds = new WebRtcFeedProvider(whip, { timeoutMs: 15_000 });
    const app = Fastify({ logger: false });
    await app.register(whipRoutes, {
      ingest: whip,
      ...(auth ? { authorize: (req: FastifyRequest) => authorizePublisher(keys, req) } : {}),
    });
    await app.listen({ host, port });
    stops.push(['http', () => app.close()]);
    stops.push(['whip sessions', () => whip.closeAll()]);
    const bound = app.server.address();
    const address = `http://${urlHost(host)}:${typeof bound === 'object' && bound ? bound.port : port}`;

    // 5. WebSocket alert hub on the same http.Server
    const hub = new AlertHub({
      historySize: config.alerts.historySize,
      maxBufferedBytes: config.alerts.maxBufferedBytes,
    });
    const ws = new WsAlertServer(app.server, hub, keys, {
      auth,
      maxConnectionsPerKey: config.http.maxConnectionsPerKey,
    });
    stops.push(['websocket', () => ws.close()]);

    // 6. Streams (interim wiring until the alert store lands: alerts go to the hub only)
    const ffmpeg = config.streams.length > 0 ? await resolveFfmpeg() : undefined;
    const sink = {
      alert: async (a: AlertInput) => hub.publish(a).eventId,
      update: async (alertId: number, a: AlertInput) => {
        hub.publishUpdate(alertId, a);
      },
    };
    for (const s of config.streams) {
      const { enabled: _e, ...options } = s;
      const runtime = new StreamRuntime(options, {
        ffmpeg: ffmpeg!,
        logger,
        feeds,
        vision: analyzer,
        gallery,
        sink,
        analysis: {
          policy: {
            k: config.alerts.k,
            n: config.alerts.n,
            threshold: config.match.threshold,
            margin: config.match.margin,
            instantThreshold: config.alerts.instantThreshold,
          },
        },
        onStatus: (snap) =>
          hub.publishStatus({
            streamId: snap.id,
            state: snap.state,
            ...(snap.lastError ? { detail: `${snap.lastError.code}: ${snap.lastError.message}` } : {}),
          }),
      });
      stops.push([`stream ${s.id}`, () => runtime.stop()]);
      runtime.start();
      logger.info({ streamId: s.id, source: redactUrl(s.url) }, 'stream started');
    }

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
