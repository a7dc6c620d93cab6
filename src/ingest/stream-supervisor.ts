import { ArgusError } from '../errors/argus-error';
import { ERROR_CATALOGUE } from '../errors/error-catalogue';
import type { Logger } from '../logging/create-logger';
import { Backoff, type BackoffOptions } from './backoff';
import { classifyFfmpegError } from './ffmpeg/classify-ffmpeg-error';
import { buildFfmpegArgs } from './ffmpeg/ffmpeg-args';
import type { ResolvedFfmpeg } from './ffmpeg/ffmpeg-binary';
import { type FfmpegProcess, spawnFfmpeg } from './ffmpeg/ffmpeg-process';
import { parseInputCodec } from './ffmpeg/input-codec-parser';
import { OutputSizeParser } from './ffmpeg/output-size-parser';
import { ffmpegInputFor, waitsForPublisher } from './ffmpeg-input-for';
import { FrameBufferPool } from './frame-buffer-pool';
import { FrameSlot } from './frame-slot';
import { RawVideoFramer } from './rawvideo-framer';
import { redactText, redactUrl } from './redact-url';
import { parseSourceUrl, type SourceUrl, secretsOf } from './source-url';
import type { StreamOptions } from './stream-options';
import {
  initialStatus,
  reduceStatus,
  type StreamError,
  type StreamEvent,
  type StreamStatus,
} from './stream-state';
import type { VideoFrame } from './video-frame';
import type { MediaFeed } from './webrtc/media-feed';

/** WebRTC feeds for `whip:` and `whep+http(s):` sources. */
export interface FeedProvider {
  /** Resolves with the next publisher's feed (WHIP) or a new pull session (WHEP). Abortable. */
  nextFeed(source: SourceUrl, streamId: string, signal: AbortSignal): Promise<MediaFeed>;
}

export interface SupervisorDeps {
  ffmpeg: ResolvedFfmpeg;
  logger: Logger;
  feeds?: FeedProvider;
  /** false: the first exit is final (argus probe). */
  retry?: boolean;
  backoff?: BackoffOptions;
  /** Between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  spawn?: typeof spawnFfmpeg;
  now?: () => number;
}

export interface StreamSnapshot extends StreamStatus {
  id: string;
  /** Credentials removed. */
  url: string;
  width?: number;
  height?: number;
  codec?: string;
  /** Time from start() to the first frame, in ms. */
  ttffMs?: number;
}

/** Frames held back before FFmpeg states their size; a stream that never does is broken. */
const MAX_UNSIZED_BYTES = 64 * 1024 * 1024;
const STDERR_TAIL = 30;
const MIN_SECRET_LENGTH = 4;
const WATCHDOG_TICK_MS = 250;
/** A publisher that leaves is normal for listeners: wait for the next one almost at once. */
const PUBLISHER_RESPAWN_MS = 100;

/**
 * Keeps one stream decoding for as long as it is wanted: spawns FFmpeg, frames its output into a
 * newest-frame slot, and on any exit or stall restarts it with backoff, unless the failure is one
 * that retrying cannot fix (bad credentials, no video track), which leaves the stream 'failed'.
 */
export class StreamSupervisor {
  readonly slot = new FrameSlot<VideoFrame>();
  private status: StreamStatus;
  private readonly backoff: Backoff;
  private readonly source: SourceUrl | undefined;
  private readonly secrets: string[];
  private readonly now: () => number;
  private proc: FfmpegProcess | undefined;
  private feed: MediaFeed | undefined;
  private feedAbort: AbortController | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private seq = 0;
  private startedAt = 0;
  private info: { width?: number; height?: number; codec?: string; ttffMs?: number } = {};
  private readonly statusListeners = new Set<(s: StreamSnapshot) => void>();
  private readonly frameListeners = new Set<(f: VideoFrame) => void>();

  constructor(
    readonly options: StreamOptions,
    private readonly deps: SupervisorDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.status = initialStatus(this.now());
    this.backoff = new Backoff(deps.backoff);
    let source: SourceUrl | undefined;
    try {
      source = parseSourceUrl(options.url);
    } catch (err) {
      this.configError(err);
    }
    this.source = source;
    // Secrets this short would blank ordinary words out of messages ("u" in "Connection refused");
    // URL userinfo is redacted by pattern whatever its length.
    this.secrets = (source ? secretsOf(source) : []).filter((x) => x.length >= MIN_SECRET_LENGTH);
  }

  /** Begins decoding; failures are reported through the status, never thrown. */
  start(): void {
    if (!this.source || this.status.state === 'failed' || this.stopping) return;
    this.startedAt = this.now();
    void this.attempt();
  }

  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearTimeout(this.restartTimer);
      this.feedAbort?.abort(new ArgusError('ARGUS_E_SOURCE_ENDED'));
      this.dispatch({ type: 'stop' });
      await this.proc?.stop(this.deps.killGraceMs ?? 2000);
      await this.feed?.close().catch(() => {});
      this.stopWatchdog();
    })();
    return this.stopping;
  }

  snapshot(): StreamSnapshot {
    return {
      ...this.status,
      framesDropped: this.slot.stats.dropped,
      id: this.options.id,
      url: redactUrl(this.options.url),
      ...this.info,
    };
  }

  /** Called on every state change (not per frame). */
  onStatus(listener: (s: StreamSnapshot) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Called for every frame as it is put in the slot (counting, latency measurement). */
  onFrame(listener: (f: VideoFrame) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  private async attempt(): Promise<void> {
    const source = this.source!;
    if (this.stopping) return;
    let feed: MediaFeed | undefined;
    if (source.kind === 'whip' || source.kind === 'whep') {
      if (!this.deps.feeds) {
        this.configError(
          new ArgusError('ARGUS_E_CONFIG_INVALID', {
            problems: `${source.kind} sources need the WebRTC service`,
          }),
        );
        return;
      }
      this.feedAbort = new AbortController();
      try {
        feed = await this.deps.feeds.nextFeed(source, this.options.id, this.feedAbort.signal);
      } catch (err) {
        if (this.stopping) return;
        this.onExit(undefined, [], 0, err instanceof ArgusError ? err : undefined);
        return;
      }
      if (this.stopping) {
        await feed.close();
        return;
      }
      this.feed = feed;
    }
    const args = buildFfmpegArgs(
      ffmpegInputFor(source, this.options, feed?.format),
      { fps: this.options.fps, maxWidth: this.options.maxWidth, maxHeight: this.options.maxHeight },
      this.deps.ffmpeg.version,
    );
    const spawnedAt = this.now();
    this.backoff.onAttemptStart(spawnedAt);
    const proc = (this.deps.spawn ?? spawnFfmpeg)({
      binary: this.deps.ffmpeg.path,
      args,
      ...(feed ? { stdin: feed.stream } : {}),
    });
    this.proc = proc;
    this.dispatch({ type: 'spawned' });
    const tail: string[] = [];
    const sizeParser = new OutputSizeParser();
    let inInput = false;
    let framer: RawVideoFramer | undefined;
    let pool: FrameBufferPool | undefined;
    let size: { width: number; height: number } | undefined;
    const pending: Buffer[] = [];
    let pendingBytes = 0;
    let frameStartAt: number | undefined;
    let framesThisProc = 0;
    let lastFrameAt = spawnedAt;

    proc.onStderrLine((line) => {
      // Kept raw in memory for classification; only redacted text leaves this class.
      tail.push(line);
      if (tail.length > STDERR_TAIL) tail.shift();
      if (/^Input #\d+/.test(line)) inInput = true;
      else if (/^\S/.test(line)) inInput = false;
      const codec = parseInputCodec(line, inInput);
      if (codec) this.info.codec = codec;
      const s = sizeParser.parseOutputSize(line);
      if (s && !framer) {
        size = s;
        this.info.width = s.width;
        this.info.height = s.height;
        pool = new FrameBufferPool(s.width * s.height * 3);
        const frames = pool;
        framer = new RawVideoFramer(frames.frameBytes, () => frames.take());
        for (const chunk of pending.splice(0)) onChunk(chunk);
      }
    });

    const onChunk = (chunk: Buffer): void => {
      if (!framer || !size) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes > MAX_UNSIZED_BYTES) void proc.stop(this.deps.killGraceMs ?? 2000);
        return;
      }
      const t = this.now();
      const wasMidFrame = framer.stats.pendingBytes > 0;
      frameStartAt = wasMidFrame ? (frameStartAt ?? t) : t;
      const frames = framer.push(chunk);
      for (const data of frames) {
        const putAt = this.now();
        const recycle = pool;
        const frame: VideoFrame = {
          streamId: this.options.id,
          seq: ++this.seq,
          width: size.width,
          height: size.height,
          // A subarray of FFmpeg's chunk would pin the whole chunk; frames outlive it in the slot.
          // A frame the framer assembled from several chunks is a buffer of its own: no copy.
          data: sharesChunk(data, chunk) ? Buffer.from(data) : data,
          capturedAt: frameStartAt ?? putAt,
          putAt,
          ...(recycle ? { release: () => recycle.release(data) } : {}),
        };
        frameStartAt = t;
        lastFrameAt = putAt;
        framesThisProc++;
        if (this.info.ttffMs === undefined) this.info.ttffMs = putAt - this.startedAt;
        if (framesThisProc === 1) feed?.firstFrameDecoded();
        this.backoff.markHealthy(putAt);
        // A frame replaced before anyone took it is read by no one.
        this.slot.put(frame)?.release?.();
        this.dispatch({ type: 'frame' });
        for (const l of this.frameListeners) l(frame);
      }
      if (framer.stats.pendingBytes === 0) frameStartAt = undefined;
    };
    proc.stdout.on('data', onChunk);

    // The watchdog: no frame for watchdogSec. A listener waiting for its first publisher is not stalled.
    const waits = waitsForPublisher(source);
    this.stopWatchdog();
    this.watchdog = setInterval(() => {
      if (this.proc !== proc || this.stopping) return;
      if (waits && framesThisProc === 0) return;
      const silentMs = this.now() - lastFrameAt;
      if (silentMs < this.options.watchdogSec * 1000) return;
      this.stopWatchdog();
      this.dispatch({
        type: 'watchdog',
        message: new ArgusError('ARGUS_E_SOURCE_STALLED', { seconds: Math.round(silentMs / 1000) }).message,
      });
      void proc.stop(this.deps.killGraceMs ?? 2000);
    }, WATCHDOG_TICK_MS);
    this.watchdog.unref();

    const exit = await proc.exited;
    this.deps.logger.debug(
      { stream: this.options.id, pid: proc.pid, code: exit.code, signal: exit.signal },
      'ffmpeg exited',
    );
    if (this.proc === proc) this.proc = undefined;
    await this.feed?.close().catch(() => {});
    this.feed = undefined;
    const spawnError = exit.spawnError
      ? new ArgusError('ARGUS_E_FFMPEG_NOT_FOUND', { reason: exit.spawnError })
      : undefined;
    this.onExit(exit, tail, this.now() - spawnedAt, spawnError, framesThisProc);
  }

  private onExit(
    exit: { code: number | null; signal: NodeJS.Signals | null } | undefined,
    tail: string[],
    elapsedMs: number,
    known?: ArgusError,
    framesThisProc = 0,
  ): void {
    this.stopWatchdog();
    if (this.stopping) return;
    const source = this.source!;
    let error: StreamError;
    if (known) {
      error = { code: known.code, message: known.message, retryable: known.retryable };
    } else {
      const c = classifyFfmpegError(tail, {
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        elapsedMs,
        ...(source.kind === 'rtsp' ? { ioTimeoutMs: this.options.ioTimeoutSec * 1000 } : {}),
      });
      error = {
        ...c,
        message: redactText(c.message, this.secrets),
        retryable: ERROR_CATALOGUE[c.code].retryable,
      };
    }
    // A file played once has simply finished.
    if (source.kind === 'file' && !this.options.loop && error.code === 'ARGUS_E_SOURCE_ENDED') {
      this.dispatch({ type: 'stop' });
      return;
    }
    this.dispatch({ type: 'exited', error });
    if (this.status.state !== 'reconnecting') return;
    if (this.deps.retry === false) return;
    const publisherLeft = waitsForPublisher(source) && framesThisProc > 0;
    const delay = publisherLeft ? PUBLISHER_RESPAWN_MS : this.backoff.next(this.now());
    if (publisherLeft) this.backoff.reset();
    this.deps.logger.warn(
      { stream: this.options.id, code: error.code, reason: error.message, retryInMs: delay },
      'stream source lost; reconnecting',
    );
    this.restartTimer = setTimeout(() => void this.attempt(), delay);
  }

  private configError(err: unknown): void {
    const e = err instanceof ArgusError ? err : new ArgusError('ARGUS_E_INTERNAL', { reason: String(err) });
    this.dispatch({ type: 'config-error', error: { code: e.code, message: e.message, retryable: false } });
  }

  private dispatch(event: StreamEvent): void {
    const before = this.status.state;
    this.status = reduceStatus(this.status, event, this.now());
    if (this.status.state !== before) {
      const snap = this.snapshot();
      this.deps.logger.info(
        {
          stream: this.options.id,
          source: snap.url,
          from: before,
          to: snap.state,
          code: snap.lastError?.code,
        },
        'stream state changed',
      );
      for (const l of this.statusListeners) l(snap);
    }
  }

  private stopWatchdog(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }
}

/** True when `frame` is a part (not the whole) of the memory `chunk` lives in. */
function sharesChunk(frame: Buffer, chunk: Buffer): boolean {
  return frame.buffer === chunk.buffer && frame.byteLength !== frame.buffer.byteLength;
}
