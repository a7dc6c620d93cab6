import type { ErrorCode } from '../errors/error-catalogue';

/**
 * - starting: an FFmpeg process is running, no frame yet.
 * - live: frames are flowing.
 * - reconnecting: the process is gone (or being killed); the next one starts after a backoff delay.
 * - failed: the configuration is wrong (bad URL, rejected credentials, no video track). Not
 *   retried: only a configuration change starts the stream again, as a new stream.
 * - stopped: stopped on request; terminal.
 */
export type StreamState = 'starting' | 'live' | 'reconnecting' | 'failed' | 'stopped';

export interface StreamError {
  code: ErrorCode;
  message: string;
  /** From the error catalogue: false sends the stream to 'failed'. */
  retryable: boolean;
}

export type StreamEvent =
  /** A new FFmpeg process was started (first start or after a backoff delay). */
  | { type: 'spawned' }
  | { type: 'frame' }
  /** The process exited; `error` is its classification (ARGUS_E_SOURCE_ENDED for a clean exit). */
  | { type: 'exited'; error: StreamError }
  /** No frame for too long: the process is being killed. `message` is ARGUS_E_SOURCE_STALLED's. */
  | { type: 'watchdog'; message: string }
  | { type: 'stop' }
  /** The configuration cannot work (e.g. an invalid URL, FFmpeg missing). */
  | { type: 'config-error'; error: StreamError };

/** An event as the table sees it: an exit splits by whether its error is retryable. */
type EventKey = Exclude<StreamEvent['type'], 'exited'> | 'exited-retryable' | 'exited-fatal';

/**
 * Every (state, event) pair, spelled out so that none is handled by accident.
 * Notes on the less obvious cells:
 * - reconnecting + exited: the process the watchdog killed has now exited. Its error is a
 *   consequence of the kill, not a verdict on the configuration, so it never leads to 'failed'.
 * - reconnecting + frame: a last frame from a process being killed; it does not make the stream live.
 * - failed and stopped ignore everything except that a failed stream can still be stopped.
 */
const TABLE: Record<StreamState, Record<EventKey, StreamState>> = {
  starting: {
    spawned: 'starting',
    frame: 'live',
    'exited-retryable': 'reconnecting',
    'exited-fatal': 'failed',
    watchdog: 'reconnecting',
    stop: 'stopped',
    'config-error': 'failed',
  },
  live: {
    spawned: 'starting',
    frame: 'live',
    'exited-retryable': 'reconnecting',
    'exited-fatal': 'failed',
    watchdog: 'reconnecting',
    stop: 'stopped',
    'config-error': 'failed',
  },
  reconnecting: {
    spawned: 'starting',
    frame: 'reconnecting',
    'exited-retryable': 'reconnecting',
    'exited-fatal': 'reconnecting',
    watchdog: 'reconnecting',
    stop: 'stopped',
    'config-error': 'failed',
  },
  failed: {
    spawned: 'failed',
    frame: 'failed',
    'exited-retryable': 'failed',
    'exited-fatal': 'failed',
    watchdog: 'failed',
    stop: 'stopped',
    'config-error': 'failed',
  },
  stopped: {
    spawned: 'stopped',
    frame: 'stopped',
    'exited-retryable': 'stopped',
    'exited-fatal': 'stopped',
    watchdog: 'stopped',
    stop: 'stopped',
    'config-error': 'stopped',
  },
};

export function transition(state: StreamState, event: StreamEvent): StreamState {
  return TABLE[state][eventKey(event)];
}

function eventKey(event: StreamEvent): EventKey {
  if (event.type !== 'exited') return event.type;
  return event.error.retryable ? 'exited-retryable' : 'exited-fatal';
}

/** What the API and `argus probe` report for a stream. Times are epoch milliseconds. */
export interface StreamStatus {
  state: StreamState;
  lastError?: { code: ErrorCode; message: string; at: number };
  framesDecoded: number;
  /** Frames replaced in the FrameSlot before analysis; the supervisor copies FrameSlot stats here. */
  framesDropped: number;
  /** Processes started after the first one. */
  restarts: number;
  lastFrameAt?: number;
  /** Decoded frames per second, smoothed over the last few frames; 0 when not live. */
  fps: number;
  startedAt: number;
}

export function initialStatus(now: number): StreamStatus {
  return { state: 'starting', framesDecoded: 0, framesDropped: 0, restarts: 0, fps: 0, startedAt: now };
}

/** Weight of the newest frame interval in the smoothed interval (about the last 5 frames count). */
const FPS_SMOOTHING = 0.2;

/** Applies `event` (at time `now`) to `status`; returns a new status. */
export function reduceStatus(status: StreamStatus, event: StreamEvent, now: number): StreamStatus {
  const state = transition(status.state, event);
  if (status.state === 'stopped' || (status.state === 'failed' && state === 'failed')) {
    return state === status.state ? status : { ...status, state };
  }
  const next: StreamStatus = { ...status, state };
  switch (event.type) {
    case 'spawned':
      // The first process starts from 'starting'; every later one comes after 'reconnecting'.
      if (status.state === 'reconnecting') next.restarts++;
      break;
    case 'frame':
      if (state !== 'live') break;
      next.framesDecoded++;
      next.fps = status.state === 'live' ? smoothFps(status.fps, now - (status.lastFrameAt ?? now)) : 0;
      next.lastFrameAt = now;
      break;
    case 'exited':
    case 'config-error':
      if (status.state === 'reconnecting' && event.type === 'exited') break;
      next.lastError = { code: event.error.code, message: event.error.message, at: now };
      break;
    case 'watchdog':
      next.lastError = { code: 'ARGUS_E_SOURCE_STALLED', message: event.message, at: now };
      break;
    case 'stop':
      break;
  }
  if (state !== 'live') next.fps = 0;
  return next;
}

function smoothFps(fps: number, intervalMs: number): number {
  if (intervalMs <= 0) return fps;
  if (fps <= 0) return 1000 / intervalMs;
  const smoothed = (1 - FPS_SMOOTHING) * (1000 / fps) + FPS_SMOOTHING * intervalMs;
  return 1000 / smoothed;
}
