import { z } from 'zod';

/** streams[] entries (part of the config schema). */
export const streamSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/)
    .describe(
      'Stream id: letters, digits, "-" and "_", up to 64 characters; used in routes, alerts and logs.',
    ),
  url: z
    .string()
    .min(1)
    .max(4096)
    .describe(
      'Source: rtsp://[user:pass@]host[:port]/path (pull), rtsp-listen://host:port/path and rtmp-listen://host:port/app/key (a camera publishes to Argus), whip:ID (WebRTC publishers via POST /whip/ID), whep+http(s)://... (Argus pulls over WebRTC), or a video file path. Credentials are never logged or returned.',
    ),
  enabled: z
    .boolean()
    .default(true)
    .describe(
      'Analyse this stream from start-up; false keeps it defined but stopped (start it over the API).',
    ),
  fps: z
    .number()
    .min(0.5)
    .max(60)
    .default(10)
    .describe('Analysis frame rate; FFmpeg drops the frames in between.'),
  maxWidth: z
    .number()
    .int()
    .min(64)
    .max(7680)
    .default(1280)
    .describe('Frames are scaled down (never up) to fit this width.'),
  maxHeight: z
    .number()
    .int()
    .min(64)
    .max(4320)
    .default(720)
    .describe('Frames are scaled down (never up) to fit this height.'),
  rtspTransport: z
    .enum(['tcp', 'udp'])
    .default('tcp')
    .describe('RTSP transport for rtsp:// pulls; TCP survives lossy links and NAT.'),
  watchdogSec: z
    .number()
    .min(1)
    .max(600)
    .default(5)
    .describe(
      'No frame for this many seconds: FFmpeg is killed and restarted (a listener waiting for its first publisher is exempt).',
    ),
  ioTimeoutSec: z.number().min(1).max(600).default(5).describe('RTSP socket timeout handed to FFmpeg.'),
  loop: z
    .boolean()
    .default(true)
    .describe('File sources: start over at the end, like a camera that never stops.'),
  realtime: z
    .boolean()
    .default(true)
    .describe("File sources: play at the file's own speed rather than as fast as possible."),
});
