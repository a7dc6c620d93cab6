/**
 * npm run bench:ingest — stream ingest on this machine: time to first frame (RTSP, WHIP), recovery
 * after a server restart and after a hung server, the CPU cost of decoding 720p at 10 fps, and the
 * framing latency. Writes bench/results/ingest.json and prints a table with the issue's targets.
 *
 * Every process started here (RTSP servers, FFmpeg transcoder, the supervisors' FFmpeg, WHIP
 * publishers) is stopped in `finally`, on SIGINT/SIGTERM, and, as a last resort, SIGKILLed when
 * Node exits.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpPacket } from 'werift';
import { type ResolvedFfmpeg, resolveFfmpeg } from '../src/ingest/ffmpeg/ffmpeg-binary';
import { type FfmpegProcess, spawnFfmpeg } from '../src/ingest/ffmpeg/ffmpeg-process';
import { STREAM_DEFAULTS, type StreamOptions } from '../src/ingest/stream-options';
import { type FeedProvider, StreamSupervisor } from '../src/ingest/stream-supervisor';
import type { VideoFrame } from '../src/ingest/video-frame';
import type { MediaFeed } from '../src/ingest/webrtc/media-feed';
import { WhipIngest } from '../src/ingest/webrtc/whip-ingest';
import { whipRoutes } from '../src/ingest/webrtc/whip-routes';
import { createLogger, type Logger } from '../src/logging/create-logger';
import { packageRoot } from '../src/util/package-root';
import { machineInfo, median, percentile, report, round, type TableRow } from './bench-report';

const ROOT = packageRoot();
const CLIP = path.join(ROOT, 'test', 'fixtures', 'face_recognition', 'short_hamilton_clip.mp4');
/** GStreamer's RTSP server, the same one the integration tests use. */
const RTSP_SERVER_SCRIPT = path.join(ROOT, 'test', 'helpers', 'rtsp-server.py');
const PYTHON =
  process.env.ARGUS_TEST_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

const TTFF_RUNS = 7;
const RECOVERY_RUNS = 5;
const HANG_RUNS = 3;
const WHIP_RUNS = 5;
const DECODE_STREAMS = 4;
const DECODE_WARMUP_MS = 5_000;
const DECODE_WINDOW_MS = 20_000;
const TARGET = { ttffMs: 1500, recoveryMs: 3000, hangMs: 7000 };

// ---------------------------------------------------------------------------------------------
// Cleanup: everything started is registered here.

const children = new Set<ChildProcess>();
const supervisors = new Set<StreamSupervisor>();
const ffmpegProcs = new Set<FfmpegProcess>();
const closers = new Set<() => Promise<void>>();
const tempDirs = new Set<string>();

async function cleanup(): Promise<void> {
  await Promise.allSettled([...closers].map((close) => close()));
  closers.clear();
  await Promise.allSettled([...supervisors].map((s) => s.stop()));
  supervisors.clear();
  await Promise.allSettled([...children].map(killChild));
  killLeftovers();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Synchronous last resort (process exit): SIGKILL whatever is still running. */
function killLeftovers(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
  for (const p of ffmpegProcs) {
    if (p.pid === undefined) continue;
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {}
  }
}

process.once('exit', () => {
  killLeftovers();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGCONT'); // a SIGSTOPped server must not be left stopped
    child.kill('SIGKILL');
  }
  await exitOf(child);
  children.delete(child);
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  void exitOf(child).then(() => children.delete(child));
  return child;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

interface RtspServer {
  url: string;
  port: number;
  /** Date.now() when the server printed READY. */
  readyAt: number;
  pause(): void;
  resume(): void;
  kill(): Promise<void>;
}

/** test/helpers/rtsp-server.py on `port` (0: the OS picks). */
async function startRtspServer(port = 0): Promise<RtspServer> {
  const child = track(
    spawn(PYTHON, [RTSP_SERVER_SCRIPT, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const ready = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`rtsp-server.py not READY in 30 s: ${stderr}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^READY (\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`rtsp-server.py exited (${code ?? sig}) before READY: ${stderr}`));
    });
  }).catch(async (err: unknown) => {
    await killChild(child);
    throw err;
  });
  const readyAt = Date.now();
  child.stdout!.resume();
  const signal = (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  return {
    url: `rtsp://127.0.0.1:${ready}/stream`,
    port: ready,
    readyAt,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    kill: () => killChild(child),
  };
}

interface Ctx {
  ffmpeg: ResolvedFfmpeg;
  logger: Logger;
  feeds?: FeedProvider;
}

/** A supervisor (not started) whose FFmpeg processes are tracked for cleanup and CPU sampling. */
function supervisor(
  ctx: Ctx,
  options: Partial<StreamOptions> & { url: string; id: string },
): { s: StreamSupervisor; procs: FfmpegProcess[] } {
  const procs: FfmpegProcess[] = [];
  const s = new StreamSupervisor(
    { ...STREAM_DEFAULTS, ...options },
    {
      ffmpeg: ctx.ffmpeg,
      logger: ctx.logger,
      ...(ctx.feeds ? { feeds: ctx.feeds } : {}),
      spawn: (o) => {
        const p = spawnFfmpeg(o);
        procs.push(p);
        ffmpegProcs.add(p);
        void p.exited.then(() => ffmpegProcs.delete(p));
        return p;
      },
    },
  );
  supervisors.add(s);
  return { s, procs };
}

async function stopSupervisor(s: StreamSupervisor): Promise<void> {
  await s.stop();
  supervisors.delete(s);
}

/** Resolves with the first frame `s` delivers from now on that satisfies `accept`. */
function nextFrame(
  s: StreamSupervisor,
  what: string,
  accept: (f: VideoFrame) => boolean = () => true,
  timeoutMs = 60_000,
): Promise<VideoFrame> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${what} within ${timeoutMs} ms (state ${s.snapshot().state})`));
    }, timeoutMs);
    const off = s.onFrame((f) => {
      if (!accept(f)) return;
      clearTimeout(timer);
      off();
      resolve(f);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Measurements

/** start() -> first frame, against a running server; the first (cold) start is reported apart. */
async function rtspTtff(ctx: Ctx): Promise<{ coldMs: number; samples: number[] }> {
  const server = await startRtspServer();
  try {
    const once = async (i: number): Promise<number> => {
      const { s } = supervisor(ctx, { id: `ttff${i}`, url: server.url });
      const first = nextFrame(s, 'first frame');
      s.start();
      await first;
      const ttff = s.snapshot().ttffMs!;
      await stopSupervisor(s);
      return ttff;
    };
    // Throwaway start: fluent-ffmpeg probes FFmpeg's capabilities (-formats, -encoders, ...) once
    // per process on its first run; Argus pays that once at boot, not per stream.
    const coldMs = await once(0);
    const samples: number[] = [];
    for (let i = 1; i <= TTFF_RUNS; i++) samples.push(await once(i));
    return { coldMs, samples };
  } finally {
    await server.kill();
  }
}

/** SIGKILLed server, a new one on the same port: its READY -> the supervisor's first new frame. */
async function rtspRecovery(ctx: Ctx): Promise<number[]> {
  let server = await startRtspServer();
  const samples: number[] = [];
  try {
    for (let i = 0; i < RECOVERY_RUNS; i++) {
      const { s } = supervisor(ctx, { id: `recovery${i}`, url: server.url });
      let frames = 0;
      s.onFrame(() => frames++);
      s.start();
      await until('5 frames', () => frames >= 5);
      await server.kill();
      await until('reconnecting', () => s.snapshot().state === 'reconnecting', 30_000);
      server = await startRtspServer(server.port);
      const readyAt = server.readyAt;
      const f = await nextFrame(s, 'frame after the restart', (fr) => fr.putAt >= readyAt);
      samples.push(f.putAt - readyAt);
      await stopSupervisor(s);
    }
    return samples;
  } finally {
    await server.kill();
  }
}

interface HangSample {
  /** Last frame before the hang -> first frame after recovery. */
  totalMs: number;
  /** Last frame -> watchdog fired. */
  watchdogMs: number;
}

/** SIGSTOPped server, SIGCONTed as soon as the watchdog fires (watchdogSec at its default). */
async function hangRecovery(ctx: Ctx): Promise<HangSample[]> {
  const samples: HangSample[] = [];
  for (let i = 0; i < HANG_RUNS; i++) {
    const server = await startRtspServer();
    try {
      const { s } = supervisor(ctx, { id: `hang${i}`, url: server.url });
      let frames = 0;
      let lastFrameAt = 0;
      let watchdogAt: number | undefined;
      let lastBeforeHang: number | undefined;
      s.onFrame((f) => {
        frames++;
        if (watchdogAt === undefined) lastFrameAt = f.putAt;
      });
      s.onStatus((snap) => {
        if (watchdogAt === undefined && snap.lastError?.code === 'ARGUS_E_SOURCE_STALLED') {
          watchdogAt = Date.now();
          lastBeforeHang = lastFrameAt;
          server.resume();
        }
      });
      s.start();
      await until('5 frames', () => frames >= 5);
      server.pause();
      await until('the watchdog', () => watchdogAt !== undefined, 60_000);
      // A frame the killed FFmpeg still delivers after SIGCONT does not count: the supervisor is
      // still 'reconnecting' then. A new process's first frame makes it 'live' before listeners run.
      const f = await nextFrame(
        s,
        'frame after the hang',
        (fr) => fr.putAt > watchdogAt! && s.snapshot().state === 'live',
      );
      samples.push({ totalMs: f.putAt - lastBeforeHang!, watchdogMs: watchdogAt! - lastBeforeHang! });
      await stopSupervisor(s);
    } finally {
      await server.kill();
    }
  }
  return samples;
}

function clockTicks(): number {
  try {
    const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return v > 0 ? v : 100;
  } catch {
    return 100;
  }
}

/** utime + stime of a process (all its threads), in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // state is field 3 of stat(5), so utime (14) and stime (15) are at 11 and 12 here.
  return Number(fields[11]) + Number(fields[12]);
}

async function transcode720p(ffmpeg: ResolvedFfmpeg): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'argus-ingest-bench-'));
  tempDirs.add(dir);
  const out = path.join(dir, 'clip-720p.mp4');
  const child = track(
    spawn(
      ffmpeg.path,
      [
        ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', CLIP, '-an'],
        ...['-vf', 'scale=1280:720', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', out],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    ),
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`transcoding to 720p failed (${code}): ${stderr}`);
  return out;
}

interface DecodeResult {
  corePctPerStream: number;
  ffmpegPctPerStream: number;
  nodePctPerStream: number;
  fpsPerStream: number[];
  /** putAt - capturedAt of every frame of the run. */
  latencies: number[];
  /** The same, only frames of the steady window. */
  windowLatencies: number[];
  size: string;
}

/** N real-time looping 720p file sources at 10 fps: FFmpeg and Node CPU over a steady window. */
async function decodeCost(ctx: Ctx, file: string): Promise<DecodeResult> {
  const ticksPerSec = clockTicks();
  const latencies: number[] = [];
  const windowLatencies: number[] = [];
  let inWindow = false;
  const streams = Array.from({ length: DECODE_STREAMS }, (_, i) => {
    const { s, procs } = supervisor(ctx, {
      id: `decode${i}`,
      url: file,
      realtime: true,
      loop: true,
      fps: 10,
      maxWidth: 1280,
      maxHeight: 720,
    });
    let frames = 0;
    s.onFrame((f) => {
      frames++;
      latencies.push(f.putAt - f.capturedAt);
      if (inWindow) windowLatencies.push(f.putAt - f.capturedAt);
    });
    return { s, procs, frames: () => frames };
  });
  try {
    for (const st of streams) st.s.start();
    await until('every stream live', () => streams.every((st) => st.frames() >= 10), 60_000);
    await sleep(DECODE_WARMUP_MS);

    const pids = streams.map((st) => st.procs.at(-1)?.pid);
    if (pids.some((p) => p === undefined)) throw new Error('an FFmpeg has no pid');
    const ticks0 = pids.map((p) => cpuTicks(p!));
    const frames0 = streams.map((st) => st.frames());
    const node0 = process.cpuUsage();
    const t0 = performance.now();
    inWindow = true;
    await sleep(DECODE_WINDOW_MS);
    inWindow = false;
    const ticks1 = pids.map((p) => cpuTicks(p!));
    const node = process.cpuUsage(node0);
    const windowS = (performance.now() - t0) / 1000;
    const frames1 = streams.map((st) => st.frames());

    for (const [i, st] of streams.entries()) {
      if (st.procs.at(-1)?.pid !== pids[i] || st.s.snapshot().restarts !== 0) {
        throw new Error(`stream ${i} restarted during the window; the CPU reading would be wrong`);
      }
    }
    const ffmpegS = ticks1.reduce((a, t, i) => a + (t - ticks0[i]!), 0) / ticksPerSec;
    const nodeS = (node.user + node.system) / 1e6;
    const snap = streams[0]!.s.snapshot();
    return {
      corePctPerStream: ((ffmpegS + nodeS) / windowS / DECODE_STREAMS) * 100,
      ffmpegPctPerStream: (ffmpegS / windowS / DECODE_STREAMS) * 100,
      nodePctPerStream: (nodeS / windowS / DECODE_STREAMS) * 100,
      fpsPerStream: frames1.map((f, i) => (f - frames0[i]!) / windowS),
      latencies,
      windowLatencies,
      size: `${snap.width}x${snap.height}`,
    };
  } finally {
    await Promise.all(streams.map((st) => stopSupervisor(st.s)));
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const ffmpeg = await resolveFfmpeg();
  const ctx: Ctx = { ffmpeg, logger: createLogger(process.env.ARGUS_BENCH_LOG ?? 'silent') };
  const step = (name: string) => process.stdout.write(`- ${name}...\n`);

  step(`RTSP time to first frame (1 throwaway + ${TTFF_RUNS} starts)`);
  const ttff = await rtspTtff(ctx);
  step('WHIP time to first frame');
  const whip = await whipTtff(ctx).catch(
    (err: unknown): WhipResult => ({
      ms: null,
      note: `not measured: the WHIP run failed (${err instanceof Error ? err.message : String(err)})`,
    }),
  );
  step(`RTSP recovery after a server restart (${RECOVERY_RUNS} runs)`);
  const recovery = await rtspRecovery(ctx);
  step(`recovery from a hung server (${HANG_RUNS} runs, watchdog ${STREAM_DEFAULTS.watchdogSec} s)`);
  const hang = await hangRecovery(ctx);
  step(
    `decoding cost: ${DECODE_STREAMS} x 720p 10 fps for ${(DECODE_WARMUP_MS + DECODE_WINDOW_MS) / 1000} s`,
  );
  const decode = await decodeCost(ctx, await transcode720p(ffmpeg));

  const rtspTtffMs = round(median(ttff.samples), 0);
  const recoveryMs = round(median(recovery), 0);
  const hangMs = round(median(hang.map((h) => h.totalMs)), 0);
  const corePct = round(decode.corePctPerStream, 1);
  const cores = os.availableParallelism();
  const json = {
    ...machineInfo(),
    cores,
    ffmpeg: ffmpeg.version.raw,
    rtsp_ttff_ms: rtspTtffMs,
    rtsp_ttff_samples_ms: ttff.samples,
    rtsp_ttff_cold_ms: ttff.coldMs,
    rtsp_ttff_note:
      'median of supervisor starts against a running GStreamer RTSP server (640x360, keyframe every 1 s); ' +
      "one throwaway start first so fluent-ffmpeg's one-off capability probe is warm (rtsp_ttff_cold_ms is that first start)",
    whip_ttff_ms: whip.ms,
    ...(whip.samples ? { whip_ttff_samples_ms: whip.samples } : {}),
    whip_ttff_note: whip.note,
    rtsp_recovery_ms: recoveryMs,
    rtsp_recovery_samples_ms: recovery,
    rtsp_recovery_note:
      "server SIGKILLed, then a new one started on the same port: from its READY to the supervisor's first new frame (includes the remaining reconnect backoff)",
    hang_recovery_ms: hangMs,
    hang_recovery_samples_ms: hang.map((h) => h.totalMs),
    hang_watchdog_fired_after_ms: hang.map((h) => h.watchdogMs),
    hang_watchdog_sec: STREAM_DEFAULTS.watchdogSec,
    decode_720p10_core_pct: corePct,
    decode_720p10_ffmpeg_core_pct: round(decode.ffmpegPctPerStream, 1),
    decode_720p10_node_core_pct: round(decode.nodePctPerStream, 2),
    decode_720p10_fps_per_stream: decode.fpsPerStream.map((f) => round(f, 1)),
    decode_720p10_streams: DECODE_STREAMS,
    decode_720p10_window_s: DECODE_WINDOW_MS / 1000,
    decode_720p10_output: decode.size,
    decode_720p10_note:
      'the clip transcoded to 1280x720 H.264 (29.97 fps, x264 veryfast), played in real time and looped; FFmpeg decodes every frame and keeps 10 fps as rgb24. ' +
      "% of one core per stream: FFmpeg utime+stime from /proc plus Node's process.cpuUsage() / streams, over a steady window",
    streams_per_core_720p10: Math.floor(100 / decode.corePctPerStream),
    frame_latency_p50_ms: percentile(decode.latencies, 50),
    frame_latency_p99_ms: percentile(decode.latencies, 99),
    frame_latency_max_ms: Math.max(...decode.latencies),
    frame_latency_frames: decode.latencies.length,
    frame_latency_window_p50_ms: percentile(decode.windowLatencies, 50),
    frame_latency_window_p99_ms: percentile(decode.windowLatencies, 99),
    frame_latency_note:
      'VideoFrame.putAt - capturedAt (framing of 1280x720 rgb24), all frames of the decode run',
  };

  const rows: TableRow[] = [
    {
      metric: 'RTSP time to first frame (ms)',
      value: rtspTtffMs,
      target: `<= ${TARGET.ttffMs}`,
      ok: rtspTtffMs <= TARGET.ttffMs,
    },
    { metric: '  first start, capability probe cold (ms)', value: ttff.coldMs },
    whip.ms === null
      ? { metric: 'WHIP time to first frame (ms)', value: 'not measured', target: `<= ${TARGET.ttffMs}` }
      : {
          metric: 'WHIP time to first frame (ms)',
          value: whip.ms,
          target: `<= ${TARGET.ttffMs}`,
          ok: whip.ms <= TARGET.ttffMs,
        },
    {
      metric: 'RTSP recovery, server restarted (ms)',
      value: recoveryMs,
      target: `<= ${TARGET.recoveryMs}`,
      ok: recoveryMs <= TARGET.recoveryMs,
    },
    {
      metric: `hung server recovery, watchdog ${STREAM_DEFAULTS.watchdogSec} s (ms)`,
      value: hangMs,
      target: `<= ${TARGET.hangMs}`,
      ok: hangMs <= TARGET.hangMs,
    },
    { metric: '720p10 decode, % of a core per stream', value: corePct },
    { metric: '720p10 streams per core', value: json.streams_per_core_720p10 },
    { metric: 'frame latency p50 (ms)', value: json.frame_latency_p50_ms },
    { metric: 'frame latency p99 (ms)', value: json.frame_latency_p99_ms },
    { metric: 'cores', value: cores },
  ];
  report('ingest', json, rows);
}

interface WhipResult {
  ms: number | null;
  samples?: number[];
  note: string;
}

/** A FeedProvider over WhipIngest: resolves with the next publisher's feed for the stream. */
function whipFeeds(ingest: WhipIngest): FeedProvider {
  return {
    nextFeed: (_source, streamId, signal) =>
      new Promise<MediaFeed>((resolve, reject) => {
        const onAbort = () => {
          off();
          reject(signal.reason);
        };
        const off = ingest.onFeed(streamId, (feed) => {
          off();
          signal.removeEventListener('abort', onAbort);
          resolve(feed);
        });
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }),
  };
}

interface WhipPublisher {
  /** Date.now() when the POST was sent. */
  postedAt: number;
  stop(): Promise<void>;
}

/**
 * A browser-free WHIP publisher like test/helpers/werift-publisher.ts: FFmpeg encodes the clip
 * (looped, real time, H.264 baseline, keyframe every 15 frames since FFmpeg cannot answer PLI) to
 * RTP on loopback, and a werift peer sends those packets on a sendonly track. The encoder is
 * already running at the POST, so the session starts mid-GOP, as with a real camera.
 */
async function publishWhip(whipUrl: string, ffmpeg: ResolvedFfmpeg): Promise<WhipPublisher> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const rtpPort = socket.address().port;
  const encoder = track(
    spawn(
      ffmpeg.path,
      [
        ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', CLIP, '-an'],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline'],
        ...['-g', '15', '-keyint_min', '15', '-pix_fmt', 'yuv420p', '-f', 'rtp', '-payload_type', '96'],
        `rtp://127.0.0.1:${rtpPort}?rtcpport=${rtpPort}&pkt_size=1200`,
      ],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    ),
  );
  const pc = new RTCPeerConnection({
    codecs: {
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/H264',
          clockRate: 90_000,
          payloadType: 96,
          parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
        }),
      ],
      audio: [],
    },
    headerExtensions: { video: [], audio: [] },
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
  });
  let location: string | undefined;
  const stop = async () => {
    closers.delete(stop);
    if (location)
      await fetch(location, { method: 'DELETE', signal: AbortSignal.timeout(10_000) }).catch(() => {});
    await killChild(encoder);
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    await pc.close();
  };
  closers.add(stop);
  try {
    const video = new MediaStreamTrack({ kind: 'video' });
    pc.addTransceiver(video, { direction: 'sendonly' });
    socket.on('message', (msg) => {
      // RTCP (packet types 200-204) shares the port; only RTP goes on the track.
      const pt = (msg[1] ?? 0) & 0x7f;
      if (msg.length >= 12 && !(pt >= 72 && pt <= 76)) video.writeRtp(RtpPacket.deSerialize(msg));
    });
    await pc.setLocalDescription(await pc.createOffer());
    const postedAt = Date.now();
    const res = await fetch(whipUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: pc.localDescription!.sdp,
      signal: AbortSignal.timeout(30_000),
    });
    const body = await res.text();
    if (res.status !== 201) throw new Error(`WHIP POST answered ${res.status}: ${body}`);
    location = new URL(res.headers.get('location') ?? '', whipUrl).toString();
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    return { postedAt, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** WHIP POST -> the supervisor's first decoded frame (H.264 from a werift publisher, loopback). */
async function whipTtff(ctx: Ctx): Promise<WhipResult> {
  const ingest = new WhipIngest({ iceLoopbackOnly: true });
  const app = Fastify({ logger: false });
  const close = async () => {
    closers.delete(close);
    await ingest.closeAll();
    await app.close();
  };
  closers.add(close);
  try {
    await app.register(whipRoutes, { ingest });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const feeds = whipFeeds(ingest);
    const once = async (i: number): Promise<number> => {
      const id = `whip${i}`;
      ingest.register(id);
      const { s } = supervisor({ ...ctx, feeds }, { id, url: `whip:${id}` });
      s.start();
      const first = nextFrame(s, 'first WHIP frame');
      first.catch(() => {}); // awaited below, unless publishing fails first
      const publisher = await publishWhip(`http://127.0.0.1:${address.port}/whip/${id}`, ctx.ffmpeg);
      try {
        const f = await first;
        return f.putAt - publisher.postedAt;
      } finally {
        await stopSupervisor(s);
        await publisher.stop();
        await ingest.unregister(id);
      }
    };
    await once(0); // werift's first session (module warm-up) is not counted
    const samples: number[] = [];
    for (let i = 1; i <= WHIP_RUNS; i++) samples.push(await once(i));
    return {
      ms: round(median(samples), 0),
      samples,
      note:
        'median of POST -> first frame out of the supervisor; werift publisher on loopback sending H.264 encoded by FFmpeg ' +
        '(keyframe every 15 frames at 29.97 fps: FFmpeg cannot answer PLI, so up to ~0.5 s is the wait for a keyframe); one throwaway session first',
    };
  } finally {
    await close();
  }
}

main()
  .catch((err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
