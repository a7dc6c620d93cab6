import { ArgusError } from '../../errors/argus-error';
import type { FfmpegVersion } from './ffmpeg-version';

/** What FFmpeg reads. URLs here carry credentials: never log these args unredacted. */
export type FfmpegInput =
  /** RTSP client. `timeoutSec`: socket I/O timeout; FFmpeg 5.1 needs ~4x that to give up on a hung server. */
  | { kind: 'rtsp'; url: string; transport: 'tcp' | 'udp'; timeoutSec: number }
  /**
   * RTSP listener (a camera publishes to `url`, rtsp://HOST:PORT/PATH). `timeoutSec`: how long to
   * wait for a publisher before exiting (the supervisor respawns it); 0 or less waits for ever.
   * No FFmpeg option ends a listener whose publisher hangs (measured: neither -timeout nor
   * -stimeout apply in listen mode): that is the watchdog's job.
   */
  | { kind: 'rtsp-listen'; url: string; timeoutSec: number }
  /** RTMP listener, rtmp://HOST:PORT/APP/KEY. */
  | { kind: 'rtmp-listen'; url: string }
  | { kind: 'file'; path: string; realtime: boolean; loop: boolean }
  /**
   * Media written to FFmpeg's stdin by Argus (WebRTC): raw H.264 (Annex B), IVF (VP8), or an SDP
   * describing RTP that FFmpeg then receives on UDP (write the SDP, then close stdin).
   */
  | { kind: 'pipe'; format: 'h264' | 'ivf' | 'sdp' };

export interface FfmpegOutput {
  /** Analysis frame rate. */
  fps: number;
  /** Frames are scaled down (never up) to fit maxWidth x maxHeight, aspect kept, sides even. */
  maxWidth: number;
  maxHeight: number;
}

/**
 * The arguments for one FFmpeg process: decode `input`, keep `out.fps` frames per second, fit
 * them in the box, and write rgb24 rawvideo to stdout, so every frame has the same byte size
 * (width x height x 3, with the size read from stderr by OutputSizeParser).
 * `version` picks the spelling of the options that changed between 4.x and 5.x.
 */
export function buildFfmpegArgs(
  input: FfmpegInput,
  out: FfmpegOutput,
  version: Pick<FfmpegVersion, 'major' | 'minor'>,
): string[] {
  checkOutput(out);
  return [
    // info, not warning: the "Output #0 ... Stream" line that carries the frame size is info.
    // -nostats: no progress line per frame on stderr; -nostdin: keys on stdin never reach it.
    ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info'],
    ...inputArgs(input, version),
    // One video stream; no audio, subtitle or data streams are demuxed into the graph.
    ...['-map', '0:v:0', '-an', '-sn', '-dn'],
    // fps first, so frames the analysis will not see are not scaled. min(iw,W): fit, never enlarge.
    // The second scale rounds odd sizes down to even ones, which every consumer handles.
    '-vf',
    `fps=${out.fps},scale=w='min(iw,${out.maxWidth})':h='min(ih,${out.maxHeight})':force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2`,
    // Without passthrough, every frame after a timestamp reset is dropped. -fps_mode exists from
    // 5.1 (and -vsync is gone in later releases); -vsync 0 is its spelling before that.
    ...(atLeast(version, 5, 1) ? ['-fps_mode', 'passthrough'] : ['-vsync', '0']),
    ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ];
}

/** Start decoding from the first packets instead of probing ~5 s of a live stream. */
const FAST_START = ['-probesize', '32', '-analyzeduration', '0'];

function inputArgs(input: FfmpegInput, version: Pick<FfmpegVersion, 'major' | 'minor'>): string[] {
  switch (input.kind) {
    case 'rtsp': {
      // The socket timeout is -timeout (microseconds) from 5.0; on 4.x -timeout means "listen for
      // this many seconds" and turns the client into a server, so it must be -stimeout there.
      const timeoutFlag = version.major >= 5 ? '-timeout' : '-stimeout';
      return [
        ...['-rtsp_transport', input.transport, timeoutFlag, String(microseconds(input.timeoutSec))],
        ...FAST_START,
        ...['-i', input.url],
      ];
    }
    case 'rtsp-listen': {
      // -listen_timeout (seconds) has the same meaning in 4.1 and 5.1; -1 waits for ever.
      const wait = input.timeoutSec > 0 ? String(Math.ceil(input.timeoutSec)) : '-1';
      return [...['-rtsp_flags', 'listen', '-listen_timeout', wait], ...FAST_START, ...['-i', input.url]];
    }
    case 'rtmp-listen':
      return [...['-listen', '1'], ...FAST_START, ...['-i', input.url]];
    case 'file':
      return [
        ...(input.realtime ? ['-re'] : []),
        ...(input.loop ? ['-stream_loop', '-1'] : []),
        // The file: protocol prefix stops a name like "cam:1.mp4" being read as a protocol.
        ...['-i', `file:${input.path}`],
      ];
    case 'pipe':
      return pipeArgs(input.format);
  }
}

function pipeArgs(format: 'h264' | 'ivf' | 'sdp'): string[] {
  switch (format) {
    case 'h264':
      // Raw H.264 has no timestamps; the bytes arrive in real time, so arrival time is capture
      // time (the default would assume 25 fps and skew the fps filter). Not -fflags nobuffer:
      // with a raw H.264 pipe it yields no frames at all.
      return ['-use_wallclock_as_timestamps', '1', ...FAST_START, '-f', 'h264', '-i', 'pipe:0'];
    case 'ivf':
      return [...FAST_START, '-f', 'ivf', '-i', 'pipe:0'];
    case 'sdp':
      // The SDP comes on stdin; the RTP it describes arrives on UDP (loopback from Argus).
      return ['-protocol_whitelist', 'pipe,udp,rtp', ...FAST_START, '-f', 'sdp', '-i', 'pipe:0'];
  }
}

function atLeast(version: Pick<FfmpegVersion, 'major' | 'minor'>, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

function microseconds(seconds: number): number {
  return Math.max(1, Math.round(seconds * 1_000_000));
}

function checkOutput(out: FfmpegOutput): void {
  const problems: string[] = [];
  if (!(out.fps > 0 && out.fps <= 120)) problems.push(`fps must be in (0, 120], got ${out.fps}`);
  for (const key of ['maxWidth', 'maxHeight'] as const) {
    const v = out[key];
    if (!Number.isInteger(v) || v < 2 || v > 8192)
      problems.push(`${key} must be an integer in [2, 8192], got ${v}`);
  }
  if (problems.length > 0) {
    throw new ArgusError('ARGUS_E_CONFIG_INVALID', { problems: `ingest output: ${problems.join('; ')}` });
  }
}
