import { isArgusError } from '../../../../src/errors/argus-error';
import { buildFfmpegArgs, type FfmpegInput } from '../../../../src/ingest/ffmpeg/ffmpeg-args';

const OUT = { fps: 10, maxWidth: 1280, maxHeight: 720 };
const V5 = { major: 5, minor: 1 };
const V4 = { major: 4, minor: 4 };
const HEAD = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info'];
const FAST = ['-probesize', '32', '-analyzeduration', '0'];
const VF =
  "fps=10,scale=w='min(iw,1280)':h='min(ih,720)':force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2";
const TAIL5 = [
  '-map',
  '0:v:0',
  '-an',
  '-sn',
  '-dn',
  '-vf',
  VF,
  '-fps_mode',
  'passthrough',
  '-f',
  'rawvideo',
  '-pix_fmt',
  'rgb24',
  'pipe:1',
];
const TAIL4 = [
  '-map',
  '0:v:0',
  '-an',
  '-sn',
  '-dn',
  '-vf',
  VF,
  '-vsync',
  '0',
  '-f',
  'rawvideo',
  '-pix_fmt',
  'rgb24',
  'pipe:1',
];

const RTSP: FfmpegInput = { kind: 'rtsp', url: 'rtsp://u:p@10.0.0.5:554/s', transport: 'tcp', timeoutSec: 5 };

describe('buildFfmpegArgs', () => {
  it('RTSP client on FFmpeg 5.x: -timeout in microseconds, -fps_mode passthrough', () => {
    expect(buildFfmpegArgs(RTSP, OUT, V5)).toEqual([
      ...HEAD,
      ...['-rtsp_transport', 'tcp', '-timeout', '5000000'],
      ...FAST,
      ...['-i', 'rtsp://u:p@10.0.0.5:554/s'],
      ...TAIL5,
    ]);
  });

  it('RTSP client on FFmpeg 4.x: -stimeout (there -timeout would make it listen), -vsync 0', () => {
    expect(buildFfmpegArgs(RTSP, OUT, V4)).toEqual([
      ...HEAD,
      ...['-rtsp_transport', 'tcp', '-stimeout', '5000000'],
      ...FAST,
      ...['-i', 'rtsp://u:p@10.0.0.5:554/s'],
      ...TAIL4,
    ]);
  });

  it('UDP transport and fractional timeouts', () => {
    const args = buildFfmpegArgs({ ...RTSP, transport: 'udp', timeoutSec: 2.5 }, OUT, V5);
    expect(args.slice(5, 9)).toEqual(['-rtsp_transport', 'udp', '-timeout', '2500000']);
  });

  it('FFmpeg 5.0 has the new -timeout but not yet -fps_mode (added in 5.1)', () => {
    const args = buildFfmpegArgs(RTSP, OUT, { major: 5, minor: 0 });
    expect(args).toContain('-timeout');
    expect(args).not.toContain('-fps_mode');
    expect(args.join(' ')).toContain('-vsync 0');
    expect(buildFfmpegArgs(RTSP, OUT, { major: 7, minor: 0 })).toContain('-fps_mode');
  });

  it('RTSP listener: -rtsp_flags listen and -listen_timeout in seconds, the same on 4.x and 5.x', () => {
    const input: FfmpegInput = { kind: 'rtsp-listen', url: 'rtsp://0.0.0.0:8554/cam', timeoutSec: 30 };
    expect(buildFfmpegArgs(input, OUT, V5)).toEqual([
      ...HEAD,
      ...['-rtsp_flags', 'listen', '-listen_timeout', '30'],
      ...FAST,
      ...['-i', 'rtsp://0.0.0.0:8554/cam'],
      ...TAIL5,
    ]);
    expect(buildFfmpegArgs(input, OUT, V4).slice(0, 14)).toEqual(
      buildFfmpegArgs(input, OUT, V5).slice(0, 14),
    );
    expect(buildFfmpegArgs({ ...input, timeoutSec: 0 }, OUT, V5)).toContain('-1');
  });

  it('RTMP listener: -listen 1', () => {
    expect(buildFfmpegArgs({ kind: 'rtmp-listen', url: 'rtmp://0.0.0.0:1935/live/key' }, OUT, V4)).toEqual([
      ...HEAD,
      ...['-listen', '1'],
      ...FAST,
      ...['-i', 'rtmp://0.0.0.0:1935/live/key'],
      ...TAIL4,
    ]);
  });

  it('file: -re when real time, -stream_loop -1 when looping, no fast-start probing, file: prefix', () => {
    expect(
      buildFfmpegArgs({ kind: 'file', path: '/clips/cam:1.mp4', realtime: true, loop: true }, OUT, V5),
    ).toEqual([...HEAD, ...['-re', '-stream_loop', '-1', '-i', 'file:/clips/cam:1.mp4'], ...TAIL5]);
    expect(buildFfmpegArgs({ kind: 'file', path: 'a.mp4', realtime: false, loop: false }, OUT, V5)).toEqual([
      ...HEAD,
      ...['-i', 'file:a.mp4'],
      ...TAIL5,
    ]);
  });

  it('stdin for WebRTC: H.264 with wall-clock timestamps and without -fflags nobuffer, IVF, SDP', () => {
    const h264 = buildFfmpegArgs({ kind: 'pipe', format: 'h264' }, OUT, V5);
    expect(h264).toEqual([
      ...HEAD,
      ...['-use_wallclock_as_timestamps', '1', ...FAST, '-f', 'h264', '-i', 'pipe:0'],
      ...TAIL5,
    ]);
    expect(h264).not.toContain('-fflags');
    expect(buildFfmpegArgs({ kind: 'pipe', format: 'ivf' }, OUT, V5).slice(5, 11)).toEqual([
      ...FAST,
      '-f',
      'ivf',
    ]);
    expect(buildFfmpegArgs({ kind: 'pipe', format: 'sdp' }, OUT, V5).slice(5, 15)).toEqual([
      ...['-protocol_whitelist', 'pipe,udp,rtp', ...FAST, '-f', 'sdp', '-i', 'pipe:0'],
    ]);
  });

  it('puts the analysis rate and box in the filter', () => {
    const args = buildFfmpegArgs(RTSP, { fps: 5, maxWidth: 640, maxHeight: 480 }, V5);
    expect(args[args.indexOf('-vf') + 1]).toBe(
      "fps=5,scale=w='min(iw,640)':h='min(ih,480)':force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2",
    );
  });

  it('rejects output settings that cannot work', () => {
    for (const out of [
      { ...OUT, fps: 0 },
      { ...OUT, maxWidth: 1 },
      { ...OUT, maxHeight: 10.5 },
    ]) {
      let thrown: unknown;
      try {
        buildFfmpegArgs(RTSP, out, V5);
      } catch (err) {
        thrown = err;
      }
      expect(isArgusError(thrown, 'ARGUS_E_CONFIG_INVALID')).toBe(true);
    }
  });
});
