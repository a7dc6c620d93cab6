/**
 * What the serve-based parts share: one temp data dir with the 10 people of the test videos
 * enrolled and an admin key, made once per benchmark run, plus the measurement helpers.
 */
import { ensureCrowdVideo } from '../../test/helpers/crowd-video';
import { percentile, round } from '../bench-report';
import { tempDir } from './processes';
import {
  createKey,
  enrolAll,
  type Received,
  type Serve,
  type StreamCounters,
  sleep,
  systemInfo,
} from './serve-harness';

export type SourceKind = 'rtsp' | 'file';

export interface ServeContext {
  dataDir: string;
  adminKey: string;
  /** identity id -> enrolled name. */
  names: Map<string, string>;
}

let shared: Promise<ServeContext> | undefined;

/** Both videos show the same 10 enrolled people, so one gallery serves every part. */
export function serveContext(log: (s: string) => void): Promise<ServeContext> {
  shared ??= (async () => {
    const crowd = await ensureCrowdVideo('crowd1080');
    await ensureCrowdVideo('blink720');
    const dataDir = tempDir('argus-pipeline-bench-');
    log(`  enrolling ${crowd.enrol.length} people with argus gallery add`);
    const ids = await enrolAll(dataDir, crowd.enrol);
    const adminKey = await createKey(dataDir, 'admin');
    return { dataDir, adminKey, names: new Map([...ids].map(([name, id]) => [id, name])) };
  })();
  return shared;
}

export interface AlertLatency {
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** Alerts per enrolled name. */
  byName: Record<string, number>;
  /** Alerts whose identity is not one of the enrolled (should be 0: the gallery holds only them). */
  unknownIdentity: number;
}

/** Receive time - captureTime of each first `alert` (not the updates) received after `fromMs`. */
export function alertLatency(messages: Received[], names: Map<string, string>, fromMs: number): AlertLatency {
  const alerts = messages.filter(
    (m) => m.msg.type === 'alert' && Date.parse(m.msg.captureTime as string) >= fromMs,
  );
  const ms = alerts.map((m) => m.at - Date.parse(m.msg.captureTime as string));
  const byName: Record<string, number> = {};
  let unknownIdentity = 0;
  for (const a of alerts) {
    const name = names.get((a.msg.identity as { id: string }).id);
    if (name === undefined) unknownIdentity++;
    else byName[name] = (byName[name] ?? 0) + 1;
  }
  return {
    count: alerts.length,
    p50: round(percentile(ms, 50), 0),
    p99: round(percentile(ms, 99), 0),
    max: ms.length ? Math.max(...ms) : Number.NaN,
    byName,
    unknownIdentity,
  };
}

export interface LagSampler {
  stop(): Promise<{ p99Max: number; p50Median: number; rssMb: { first: number; last: number; max: number } }>;
}

/** Polls GET /v1/system every `everyMs`: the worst rolling-window p99 lag seen, and RSS over time. */
export function sampleSystem(s: Serve, key: string, everyMs = 5000): LagSampler {
  const p99: number[] = [];
  const p50: number[] = [];
  const rss: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const info = await systemInfo(s.http, key).catch(() => undefined);
      if (info) {
        p99.push(info.eventLoopLagMs.p99);
        p50.push(info.eventLoopLagMs.p50);
        rss.push(info.rssMb);
      }
      const until = Date.now() + everyMs;
      while (running && Date.now() < until) await sleep(200);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return {
        p99Max: p99.length ? Math.max(...p99) : Number.NaN,
        p50Median: p50.length ? percentile(p50, 50) : Number.NaN,
        rssMb: {
          first: rss[0] ?? Number.NaN,
          last: rss.at(-1) ?? Number.NaN,
          max: rss.length ? Math.max(...rss) : Number.NaN,
        },
      };
    },
  };
}

/** Frame counters between two snapshots, per stream. */
export function counterDelta(before: StreamCounters[], after: StreamCounters[], seconds: number) {
  return after.map((a) => {
    const b = before.find((x) => x.id === a.id);
    const decoded = a.framesDecoded - (b?.framesDecoded ?? 0);
    const analysed = a.framesAnalysed - (b?.framesAnalysed ?? 0);
    const dropped = a.framesDropped - (b?.framesDropped ?? 0);
    return {
      id: a.id,
      decoded,
      analysed,
      dropped,
      decodedFps: round(decoded / seconds, 2),
      analysedFps: round(analysed / seconds, 2),
      /** framesDropped / framesDecoded over the window: frames replaced in the newest-frame slot before analysis. */
      dropRatio: decoded > 0 ? round(dropped / decoded, 4) : Number.NaN,
      deferredEmbeddings: a.deferredEmbeddings - (b?.deferredEmbeddings ?? 0),
      latencyMs: a.latencyMs,
    };
  });
}
