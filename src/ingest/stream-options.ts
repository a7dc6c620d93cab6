/** Per-stream settings; defaults and documentation live in the config schema (streams[]). */
export interface StreamOptions {
  id: string;
  /** May carry credentials: only ever logged through redactUrl. */
  url: string;
  /** Analysis frame rate: FFmpeg keeps this many frames per second. */
  fps: number;
  maxWidth: number;
  maxHeight: number;
  rtspTransport: 'tcp' | 'udp';
  /** No frame for this long -> FFmpeg is killed and restarted. */
  watchdogSec: number;
  /** RTSP socket timeout handed to FFmpeg. */
  ioTimeoutSec: number;
  /** File sources: start again at the end. */
  loop: boolean;
  /** File sources: play at the file's own speed, like a camera. */
  realtime: boolean;
}

export const STREAM_DEFAULTS: Omit<StreamOptions, 'id' | 'url'> = {
  fps: 10,
  maxWidth: 1280,
  maxHeight: 720,
  rtspTransport: 'tcp',
  watchdogSec: 5,
  ioTimeoutSec: 5,
  loop: true,
  realtime: true,
};
