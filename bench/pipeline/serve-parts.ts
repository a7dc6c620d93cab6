/**
 * The parts of the pipeline benchmark that run `argus serve` (see serve-harness.ts):
 * - latency: one 720p 10 fps stream (blink720: enrolled faces come for 2 s and go for 1 s, so
 *   alerts keep coming); latency = client receive time - the alert's captureTime (same clock).
 * - capacity: 1..N streams of blink720 for a window each; a stream is sustained when
 *   framesDropped / framesDecoded < 1% over the window (frames replaced in the newest-frame slot
 *   before analysis took them) and it decodes >= 9.5 fps.
 * - frame100: the 100-face 1080p stream (crowd1080): analysed fps and alert latency.
 */
import { ensureCrowdVideo } from '../../test/helpers/crowd-video';
import { round } from '../bench-report';
import {
  type AlertLatency,
  alertLatency,
  counterDelta,
  type ServeContext,
  type SourceKind,
  sampleSystem,
  serveContext,
} from './serve-context';
import {
  listStreams,
  type Serve,
  type StreamConfig,
  sleep,
  startRtsp,
  startServe,
  subscribe,
  waitLive,
} from './serve-harness';

type Log = (s: string) => void;

interface Source {
  url: string;
  stop(): Promise<void>;
}

async function source(kind: SourceKind, file: string, size: string): Promise<Source> {
  if (kind === 'rtsp') return startRtsp(file, size, 10);
  // A file source plays in real time and loops, like a camera (stream options realtime + loop).
  return { url: file, stop: async () => undefined };
}

/** Starts serve, runs `body`, and stops serve even when body fails. */
async function withServe<T>(
  ctx: ServeContext,
  streams: StreamConfig[],
  body: (s: Serve) => Promise<T>,
): Promise<T> {
  const serve = await startServe(ctx.dataDir, streams);
  try {
    return await body(serve);
  } catch (err) {
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}\n--- argus serve output (tail):\n${serve.output().slice(-3000)}`,
    );
  } finally {
    await serve.stop();
  }
}

// ------------------------------------------------------------------------------------ latency

export interface LatencyOptions {
  durationSec: number;
  warmupSec: number;
  source: SourceKind;
}

export interface LatencyResult {
  source: SourceKind;
  durationSec: number;
  warmupSec: number;
  /** Alerts after the warm-up: the headline numbers. */
  steady: AlertLatency;
  /** Every alert, warm-up included. */
  all: AlertLatency;
  /** Enrolled appearances per minute in blink720 (each should raise one alert). */
  enrolledAppearancesPerMin: number;
  alertsPerMin: number;
  stream: ReturnType<typeof counterDelta>[number] | undefined;
  /** Worst 10-20 s window's p99 after the warm-up; ...WithWarmup counts from the stream going live. */
  eventLoopLagP99MaxMs: number;
  eventLoopLagP99MaxMsWithWarmup: number;
  rssMb: { first: number; last: number; max: number };
}

export async function runLatency(o: LatencyOptions, log: Log): Promise<LatencyResult> {
  const ctx = await serveContext(log);
  const video = await ensureCrowdVideo('blink720');
  const src = await source(o.source, video.file, '1280x720');
  try {
    return await withServe(ctx, [{ id: 'cam1', url: src.url, fps: 10 }], async (serve) => {
      const sub = await subscribe(serve.ws, ctx.adminKey);
      try {
        await waitLive(serve.http, ctx.adminKey, ['cam1']);
        const liveAt = Date.now();
        const before = await listStreams(serve.http, ctx.adminKey);
        const sampler = sampleSystem(serve, ctx.adminKey);
        log(`  blink720 over ${o.source}: ${o.durationSec} s (first ${o.warmupSec} s not counted)`);
        await sleep(o.warmupSec * 1000);
        // Lag like latency: in steady state, after the warm-up (first alerts, code paths compiled).
        const steadySampler = sampleSystem(serve, ctx.adminKey);
        await sleep((o.durationSec - o.warmupSec) * 1000);
        const sys = await steadySampler.stop();
        const withWarmup = await sampler.stop();
        const after = await listStreams(serve.http, ctx.adminKey);
        // Let alerts for the last frames arrive.
        await sleep(1000);
        const steady = alertLatency(sub.messages, ctx.names, liveAt + o.warmupSec * 1000);
        const enrolled = video.meta.appearances.filter((a) => a.enrolled).length;
        return {
          source: o.source,
          durationSec: o.durationSec,
          warmupSec: o.warmupSec,
          steady,
          all: alertLatency(sub.messages, ctx.names, 0),
          enrolledAppearancesPerMin: round((enrolled / video.meta.durationSec) * 60, 1),
          alertsPerMin: round((steady.count / (o.durationSec - o.warmupSec)) * 60, 1),
          stream: counterDelta(before, after, (Date.now() - liveAt) / 1000)[0],
          eventLoopLagP99MaxMs: sys.p99Max,
          eventLoopLagP99MaxMsWithWarmup: withWarmup.p99Max,
          rssMb: sys.rssMb,
        };
      } finally {
        sub.close();
      }
    });
  } finally {
    await src.stop();
  }
}

// ----------------------------------------------------------------------------------- capacity

export interface CapacityOptions {
  maxStreams: number;
  windowSec: number;
  warmupSec: number;
  source: SourceKind;
}

export interface CapacityRun {
  streams: number;
  sustained: boolean;
  worstDropRatio: number;
  minDecodedFps: number;
  perStream: ReturnType<typeof counterDelta>;
  eventLoopLagP99MaxMs: number;
  rssMb: { first: number; last: number; max: number };
}

export interface CapacityResult {
  source: SourceKind;
  windowSec: number;
  /** Highest N such that 1..N streams were all sustained. */
  sustained: number;
  runs: CapacityRun[];
}

export async function runCapacity(o: CapacityOptions, log: Log): Promise<CapacityResult> {
  const ctx = await serveContext(log);
  const video = await ensureCrowdVideo('blink720');
  // One server, shared media: its single decode + encode costs the same whatever N is.
  const src = await source(o.source, video.file, '1280x720');
  const runs: CapacityRun[] = [];
  try {
    for (let n = 1; n <= o.maxStreams; n++) {
      const ids = Array.from({ length: n }, (_, i) => `cam${i + 1}`);
      log(`  ${n} x blink720 (720p 10 fps) over ${o.source}: ${o.warmupSec} s warm-up + ${o.windowSec} s`);
      const run = await withServe(
        ctx,
        ids.map((id) => ({ id, url: src.url, fps: 10 })),
        async (serve) => {
          await waitLive(serve.http, ctx.adminKey, ids);
          await new Promise((r) => setTimeout(r, o.warmupSec * 1000));
          const before = await listStreams(serve.http, ctx.adminKey);
          const t0 = Date.now();
          const sampler = sampleSystem(serve, ctx.adminKey);
          await sleep(o.windowSec * 1000);
          const sys = await sampler.stop();
          const after = await listStreams(serve.http, ctx.adminKey);
          const perStream = counterDelta(before, after, (Date.now() - t0) / 1000).filter((s) =>
            ids.includes(s.id),
          );
          const worstDropRatio = Math.max(...perStream.map((s) => s.dropRatio));
          const minDecodedFps = Math.min(...perStream.map((s) => s.decodedFps));
          return {
            streams: n,
            sustained: worstDropRatio < 0.01 && minDecodedFps >= 9.5,
            worstDropRatio,
            minDecodedFps,
            perStream,
            eventLoopLagP99MaxMs: sys.p99Max,
            rssMb: sys.rssMb,
          };
        },
      );
      runs.push(run);
      log(
        `    worst drop ratio ${run.worstDropRatio}, min decoded ${run.minDecodedFps} fps: ${run.sustained ? 'sustained' : 'NOT sustained'}`,
      );
      if (!run.sustained) break;
    }
  } finally {
    await src.stop();
  }
  let sustained = 0;
  for (const r of runs) {
    if (!r.sustained) break;
    sustained = r.streams;
  }
  return { source: o.source, windowSec: o.windowSec, sustained, runs };
}

// ----------------------------------------------------------------------------------- frame100

export interface Frame100Options {
  durationSec: number;
  warmupSec: number;
  source: SourceKind;
}

export interface Frame100Result {
  source: SourceKind;
  durationSec: number;
  analysedFps: number;
  stream: ReturnType<typeof counterDelta>[number] | undefined;
  /** Every alert from the stream's start (the 10 enrolled alert early, so no warm-up is cut). */
  alerts: AlertLatency;
  enrolledAlerted: number;
  /** Seconds from the stream going live to each enrolled person's first alert. */
  firstAlertSec: Record<string, number>;
  /** As in LatencyResult. */
  eventLoopLagP99MaxMs: number;
  eventLoopLagP99MaxMsWithWarmup: number;
  rssMb: { first: number; last: number; max: number };
}

export async function runFrame100(o: Frame100Options, log: Log): Promise<Frame100Result> {
  const ctx = await serveContext(log);
  const video = await ensureCrowdVideo('crowd1080');
  const src = await source(o.source, video.file, '1920x1080');
  try {
    const stream = { id: 'crowd', url: src.url, fps: 10, maxWidth: 1920, maxHeight: 1080 };
    return await withServe(ctx, [stream], async (serve) => {
      const sub = await subscribe(serve.ws, ctx.adminKey);
      try {
        await waitLive(serve.http, ctx.adminKey, ['crowd'], 180_000);
        const liveAt = Date.now();
        log(`  crowd1080 over ${o.source}: ${o.warmupSec} s warm-up + ${o.durationSec} s`);
        const sampler = sampleSystem(serve, ctx.adminKey);
        await sleep(o.warmupSec * 1000);
        const steadySampler = sampleSystem(serve, ctx.adminKey);
        const before = await listStreams(serve.http, ctx.adminKey);
        const t0 = Date.now();
        await sleep(o.durationSec * 1000);
        const after = await listStreams(serve.http, ctx.adminKey);
        const sys = await steadySampler.stop();
        const withWarmup = await sampler.stop();
        const delta = counterDelta(before, after, (Date.now() - t0) / 1000)[0];
        const alerts = alertLatency(sub.messages, ctx.names, 0);
        const firstAlertSec: Record<string, number> = {};
        for (const m of sub.messages) {
          if (m.msg.type !== 'alert') continue;
          const name = ctx.names.get((m.msg.identity as { id: string }).id);
          if (name !== undefined && firstAlertSec[name] === undefined)
            firstAlertSec[name] = round((m.at - liveAt) / 1000, 1);
        }
        return {
          source: o.source,
          durationSec: o.durationSec,
          analysedFps: delta?.analysedFps ?? Number.NaN,
          stream: delta,
          alerts,
          enrolledAlerted: Object.keys(alerts.byName).length,
          firstAlertSec,
          eventLoopLagP99MaxMs: sys.p99Max,
          eventLoopLagP99MaxMsWithWarmup: withWarmup.p99Max,
          rssMb: sys.rssMb,
        };
      } finally {
        sub.close();
      }
    });
  } finally {
    await src.stop();
  }
}
