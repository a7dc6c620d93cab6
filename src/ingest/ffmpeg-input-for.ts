import type { FfmpegInput } from './ffmpeg/ffmpeg-args';
import { rtspInputUrl, type SourceUrl } from './source-url';
import type { StreamOptions } from './stream-options';

/** How FFmpeg reads a parsed source; WebRTC sources arrive on stdin in the feed's format. */
export function ffmpegInputFor(
  source: SourceUrl,
  o: StreamOptions,
  feedFormat?: 'h264' | 'ivf',
): FfmpegInput {
  switch (source.kind) {
    case 'rtsp':
      return {
        kind: 'rtsp',
        url: rtspInputUrl(source),
        transport: o.rtspTransport,
        timeoutSec: o.ioTimeoutSec,
      };
    case 'rtsp-listen':
      // Wait for a publisher for ever: the supervisor, not FFmpeg, decides when waiting is wrong.
      return {
        kind: 'rtsp-listen',
        url: `rtsp://${hostPart(source.host)}:${source.port}${source.path}`,
        timeoutSec: 0,
      };
    case 'rtmp-listen':
      return {
        kind: 'rtmp-listen',
        url: `rtmp://${hostPart(source.host)}:${source.port}/${source.app}/${source.key}`,
      };
    case 'file':
      return { kind: 'file', path: source.path, realtime: o.realtime, loop: o.loop };
    case 'whip':
    case 'whep':
      return { kind: 'pipe', format: feedFormat ?? 'h264' };
  }
}

/** Sources where FFmpeg (or the feed) legitimately waits, frameless, for a publisher. */
export function waitsForPublisher(source: SourceUrl): boolean {
  return source.kind === 'rtsp-listen' || source.kind === 'rtmp-listen' || source.kind === 'whip';
}

function hostPart(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
