/**
 * npm run bench:ingest — stream ingest on this machine: time to first frame (RTSP, WHIP), recovery
 * after a server restart and after a hung server, the CPU cost of decoding 720p at 10 fps, and the
 * framing latency. Writes bench/results/ingest.json and prints a table with the issue's targets.
 *
 * Every process started here (RTSP servers, FFmpeg transcoder, the supervisors' FFmpeg, WHIP
 * publishers) is stopped in `finally`, on SIGINT/SIGTERM, and, as a last resort, SIGKILLed when
 * Node exits.
 */
import os from 'node:os';
import { resolveFfmpeg } from '../src/ingest/ffmpeg/ffmpeg-binary';
import { STREAM_DEFAULTS } from '../src/ingest/stream-options';
import { createLogger } from '../src/logging/create-logger';
import { machineInfo, median, percentile, report, round, type TableRow } from './bench-report';
import {
  DECODE_STREAMS,
  DECODE_WARMUP_MS,
  DECODE_WINDOW_MS,
  HANG_RUNS,
  RECOVERY_RUNS,
  TARGET,
  TTFF_RUNS,
} from './ingest/bench-constants';
import { type Ctx, cleanup } from './ingest/bench-processes';
import { decodeCost, transcode720p } from './ingest/decode-cost';
import { hangRecovery, rtspRecovery, rtspTtff } from './ingest/rtsp-measurements';
import { type WhipResult, whipTtff } from './ingest/whip-ttff';

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
main()
  .catch((err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
