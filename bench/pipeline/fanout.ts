/**
 * WebSocket fan-out: the real AlertHub + WsAlertServer (src/alerts) on a loopback port with a real
 * ApiKeyStore, 1,000 real `ws` subscribers in a child process, and a burst of 100 alerts/s for
 * 30 s published here. Delivery latency = client receive time - the event's emitTime (same clock).
 *
 * The stalled client: it subscribes to everything and stops reading. At 100 small alerts/s (~0.8 KB)
 * it would take ~70 s to fill its ~4 MB of loopback socket buffers before the hub's 1 MiB send
 * bound is even reached, longer than the burst; so it also watches a busy stream (`cam-busy`,
 * 30 alerts/s carrying an inline JPEG crop) that the 999 others do not subscribe to, as a
 * dashboard showing every camera would. The hub must cut it off (close 4008) while the others'
 * p99 holds.
 */
import { type ChildProcess, fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { AlertHub, type DisconnectReason, type HubClient } from '../../src/alerts/alert-hub';
import type { AlertInput } from '../../src/alerts/alert-messages';
import { WsAlertServer } from '../../src/alerts/ws-alert-server';
import { ApiKeyStore } from '../../src/auth/api-key-store';
import { packageRoot } from '../../src/util/package-root';
import { percentile, round } from '../bench-report';
import type { ClientsReport, FromClients, ToClients } from './fanout-protocol';
import { LatencyHistogram } from './latency-histogram';
import { tempDir } from './processes';

export interface FanoutOptions {
  clients: number;
  ratePerSec: number;
  durationSec: number;
  busyRatePerSec: number;
}

export const FANOUT_DEFAULTS: FanoutOptions = {
  clients: 1000,
  ratePerSec: 100,
  durationSec: 30,
  busyRatePerSec: 30,
};

/** The server's per-key connection limit (WsAlertServer default): 100 keys x 10 connections. */
const PER_KEY = 10;
const LAG_RESOLUTION_MS = 10;

export interface FanoutResult {
  clients: number;
  ratePerSec: number;
  durationSec: number;
  published: number;
  /** Over every burst alert received by the 999 ordinary clients. */
  deliveryMs: { p50: number; p95: number; p99: number; max: number; samples: number };
  /** The worst one-second p99 of the burst (by emit second). */
  worstSecondP99Ms: number;
  /** p99 over the seconds after the stalled client was cut off. */
  afterStallP99Ms: number | null;
  receivedPerClient: { min: number; max: number; expected: number };
  ordinaryClientsClosed: number;
  stalled: {
    serverCloseCode: number | null;
    serverCloseReason: string | null;
    disconnectedAfterMs: number | null;
    clientSawCloseCode: number | null;
  };
  serverEventLoopLagMs: { p50: number; p99: number; max: number; samples: number };
  clientProcessLagP99Ms: number;
  connectMs: number;
  connectRetries: number;
  messageBytes: { burst: number; busy: number };
  /** Whether the server kept the asked rate: lateness against the schedule, time per publish (fan-out to every client). */
  publishing: {
    wallSec: number;
    achievedRatePerSec: number;
    lateP99Ms: number;
    lateMaxMs: number;
    publishMsP50: number;
    publishMsP99: number;
  };
}

/** Records the hub's own slow-consumer disconnects (code, reason, when). */
class RecordingHub extends AlertHub {
  slow: { code: number; reason: string; at: number } | undefined;
  override disconnect(client: HubClient, reason: DisconnectReason, code: number, text: string): void {
    if (reason === 'slow-consumer' && client.closing === undefined && !this.slow) {
      this.slow = { code, reason: text, at: Date.now() };
    }
    super.disconnect(client, reason, code, text);
  }
}

function lagMs(ns: number): number {
  return Math.max(0, Math.round((ns / 1e6 - LAG_RESOLUTION_MS) * 10) / 10);
}

function alertInput(streamId: string, eventId: number, crop: AlertInput['crop']): AlertInput {
  const n = eventId % 50;
  return {
    streamId,
    captureTime: new Date(Date.now() - 120).toISOString(),
    trackId: `${streamId}-t${eventId}`,
    identity: { id: `bench-identity-${n}`, name: `Bench Person ${n}`, watchlists: ['bench'] },
    similarity: 0.62,
    margin: 0.21,
    fmr: 1e-5,
    evidenceCount: 2,
    box: { x: 412, y: 188, width: 96, height: 96 },
    quality: 0.81,
    ...(crop ? { crop } : {}),
    modelId: 'fr_feature',
  };
}

/** A real face crop as the alert engine would inline it: ~160 px JPEG, base64. */
async function inlineCrop(): Promise<string> {
  const file = path.join(
    packageRoot(),
    'test',
    'fixtures',
    'face_recognition',
    'knn_examples',
    'test',
    'obama1.jpg',
  );
  const jpeg = await sharp(file)
    .extract({ left: 500, top: 250, width: 420, height: 420 })
    .resize(160, 160)
    .jpeg({ quality: 85 })
    .toBuffer();
  return jpeg.toString('base64');
}

/** How the publishing kept to its schedule. */
interface PaceStats {
  /** Publish time - scheduled time, ms: grows when the server cannot fan out at the asked rate. */
  lateMs: number[];
  /** Time inside hub.publish (serialise once, send to every subscriber), ms. */
  publishMs: number[];
}

/**
 * Publishes `count` events at `rate`/s on a fixed schedule (no drift under load), always yielding
 * to the event loop between two events, even when behind: a server that cannot keep up shows as
 * lateness, never as one long synchronous burst that starves its sockets and timers.
 */
async function paced(
  startMs: number,
  rate: number,
  count: number,
  publish: () => void,
  stats: PaceStats,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const due = startMs + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else await new Promise((r) => setImmediate(r));
    stats.lateMs.push(Math.max(0, Date.now() - due));
    const t = performance.now();
    publish();
    stats.publishMs.push(performance.now() - t);
  }
}

function request<T extends FromClients['type']>(
  child: ChildProcess,
  msg: ToClients,
  expect: T,
  timeoutMs: number,
): Promise<Extract<FromClients, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`client process: no ${expect} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMsg = (m: FromClients) => {
      if (m.type === 'failed') done(new Error(`client process failed: ${m.error}`));
      else if (m.type === expect) done(undefined, m as Extract<FromClients, { type: T }>);
    };
    const onExit = (code: number | null) => done(new Error(`client process exited (${code})`));
    const done = (err?: Error, v?: Extract<FromClients, { type: T }>) => {
      clearTimeout(timer);
      child.off('message', onMsg);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(v!);
    };
    child.on('message', onMsg);
    child.once('exit', onExit);
    child.send(msg);
  });
}

export async function runFanout(
  o: FanoutOptions = FANOUT_DEFAULTS,
  log = (s: string) => console.log(s),
): Promise<FanoutResult> {
  const dir = tempDir('argus-fanout-');
  const keys = ApiKeyStore.open(dir);
  const server = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const hub = new RecordingHub();
  let alerts: WsAlertServer | undefined;
  let child: ChildProcess | undefined;
  try {
    const keyCount = Math.ceil(o.clients / PER_KEY);
    log(`  creating ${keyCount} viewer keys`);
    const created = [];
    for (let i = 0; i < keyCount; i++)
      created.push((await keys.create({ role: 'viewer', label: `fanout-${i}` })).key);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    alerts = new WsAlertServer(server, hub, keys, { maxConnectionsPerKey: PER_KEY });
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/alerts`;

    child = fork(path.join(__dirname, 'fanout-clients.js'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    log(`  connecting ${o.clients} clients from a child process`);
    const ready = await request(
      child,
      {
        type: 'connect',
        url,
        keys: created,
        perKey: PER_KEY,
        clients: o.clients,
        filter: { streams: ['cam-burst'] },
        stalledIndex: 0,
      },
      'ready',
      300_000,
    );
    if (ready.connected !== o.clients)
      throw new Error(`only ${ready.connected} of ${o.clients} clients connected`);

    const crop = await inlineCrop();
    const burstCount = o.ratePerSec * o.durationSec;
    const busyCount = o.busyRatePerSec * o.durationSec;
    const start = Date.now() + 500;
    child.send({ type: 'start', burstStartMs: start } satisfies ToClients);
    const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    const bytes = { burst: 0, busy: 0 };
    const pace: PaceStats = { lateMs: [], publishMs: [] };
    log(`  burst: ${o.ratePerSec} alerts/s for ${o.durationSec} s (+ ${o.busyRatePerSec}/s on cam-busy)`);
    await new Promise((r) => setTimeout(r, start - Date.now()));
    lag.enable();
    await Promise.all([
      paced(
        start,
        o.ratePerSec,
        burstCount,
        () => {
          const e = hub.publish((id) => alertInput('cam-burst', id, { url: `/v1/alerts/${id}/crop` }));
          bytes.burst ||= Buffer.byteLength(JSON.stringify(e));
        },
        pace,
      ),
      paced(
        start,
        o.busyRatePerSec,
        busyCount,
        () => {
          const e = hub.publish((id) => alertInput('cam-busy', id, { jpegBase64: crop }));
          bytes.busy ||= Buffer.byteLength(JSON.stringify(e));
        },
        { lateMs: [], publishMs: [] },
      ),
    ]);
    lag.disable();
    const burstWallSec = (Date.now() - start) / 1000;
    // Let the last alerts arrive before asking for the numbers.
    await new Promise((r) => setTimeout(r, 2000));
    const rep = await request(child, { type: 'report' }, 'report', 60_000);
    return {
      ...summarise(o, rep, hub, start, lag, ready, bytes, burstCount),
      publishing: {
        wallSec: round(burstWallSec, 1),
        achievedRatePerSec: round(burstCount / burstWallSec, 1),
        lateP99Ms: round(percentile(pace.lateMs, 99), 1),
        lateMaxMs: round(Math.max(...pace.lateMs), 1),
        publishMsP50: round(percentile(pace.publishMs, 50), 2),
        publishMsP99: round(percentile(pace.publishMs, 99), 2),
      },
    };
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await alerts?.close().catch(() => undefined);
    hub.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    keys.close();
  }
}

function summarise(
  o: FanoutOptions,
  rep: ClientsReport,
  hub: RecordingHub,
  start: number,
  lag: ReturnType<typeof monitorEventLoopDelay>,
  ready: { connectMs: number; retries: number },
  bytes: { burst: number; busy: number },
  burstCount: number,
): Omit<FanoutResult, 'publishing'> {
  const all = new LatencyHistogram();
  const after = new LatencyHistogram();
  const stallSecond = hub.slow ? Math.ceil((hub.slow.at - start) / 1000) : undefined;
  let worst = 0;
  rep.perSecond.forEach((pairs, second) => {
    const h = new LatencyHistogram();
    h.addSparse(pairs);
    all.addSparse(pairs);
    if (stallSecond !== undefined && second >= stallSecond) after.addSparse(pairs);
    if (h.count > 0) worst = Math.max(worst, h.percentile(99));
  });
  return {
    clients: o.clients,
    ratePerSec: o.ratePerSec,
    durationSec: o.durationSec,
    published: burstCount,
    deliveryMs: {
      p50: all.percentile(50),
      p95: all.percentile(95),
      p99: all.percentile(99),
      max: all.max(),
      samples: all.count,
    },
    worstSecondP99Ms: worst,
    afterStallP99Ms: after.count > 0 ? after.percentile(99) : null,
    receivedPerClient: { min: rep.receivedMin, max: rep.receivedMax, expected: burstCount },
    ordinaryClientsClosed: rep.closedOrdinary,
    stalled: {
      serverCloseCode: hub.slow?.code ?? null,
      serverCloseReason: hub.slow?.reason ?? null,
      disconnectedAfterMs: hub.slow ? hub.slow.at - start : null,
      clientSawCloseCode: rep.stalled.closeCode,
    },
    serverEventLoopLagMs: {
      p50: lagMs(lag.percentile(50)),
      p99: lagMs(lag.percentile(99)),
      max: lagMs(lag.max),
      samples: lag.count,
    },
    clientProcessLagP99Ms: rep.clientLoopLagP99Ms,
    connectMs: ready.connectMs,
    connectRetries: ready.retries,
    messageBytes: bytes,
  };
}
