import { toArgusError } from '../errors/argus-error';
import type { ResolvedFfmpeg } from '../ingest/ffmpeg/ffmpeg-binary';
import type { StreamOptions } from '../ingest/stream-options';
import { type FeedProvider, type StreamSnapshot, StreamSupervisor } from '../ingest/stream-supervisor';
import type { VideoFrame } from '../ingest/video-frame';
import type { Logger } from '../logging/create-logger';
import type { StreamInfo } from '../serve/service-ports';
import { toFrameRef } from '../vision/face-analyzer';
import { AnalysisLoop, type StagedAnalysis } from './analysis-loop';
import { RollingStats } from './rolling-stats';
import {
  type AlertGallery,
  type AlertSink,
  type FrameReport,
  StreamAnalysis,
  type StreamAnalysisOptions,
  type StreamVision,
} from './stream-analysis';

export interface StreamRuntimeDeps {
  ffmpeg: ResolvedFfmpeg;
  logger: Logger;
  feeds?: FeedProvider;
  vision: StreamVision;
  gallery: AlertGallery;
  sink: AlertSink;
  analysis: Partial<StreamAnalysisOptions>;
  /** This stream's PyramidSchedule phase (a counter shared by all streams spreads their full frames). */
  nextPyramidPhase?: () => number;
  /** Every state change of the decoder (stream-status events). */
  onStatus?: (snapshot: StreamSnapshot) => void;
  /** Every analysed frame (metrics). */
  onFrame?: (streamId: string, report: FrameReport, latencyMs: number) => void;
  /** Every failed frame (metrics); logging is done here. */
  onFrameError?: (streamId: string, code: string) => void;
}

/** Totals carried over when a stream is stopped and started again. */
interface Carried {
  framesDecoded: number;
  framesDropped: number;
  framesAnalysed: number;
  restarts: number;
}

/**
 * One stream while it runs: an FFmpeg supervisor feeding a newest-frame slot, an analysis loop,
 * and the stream's analysis state (tracks, evidence). `stop` ends every track; `start` after it
 * begins afresh with a new decoder (a supervisor is single-use). Counters survive stop/start.
 */
export class StreamRuntime {
  private supervisor: StreamSupervisor | undefined;
  private loop: AnalysisLoop | undefined;
  private readonly analysis: StreamAnalysis;
  private readonly stats = new RollingStats();
  private carried: Carried = { framesDecoded: 0, framesDropped: 0, framesAnalysed: 0, restarts: 0 };
  private faces = 0;
  private lastAlertAt: number | undefined;
  private failures = 0;
  private lastSnapshot: StreamSnapshot | undefined;
  /** The previous frame's second stage: the next one waits for it (tracks need capture order). */
  private secondStage: Promise<void> = Promise.resolve();

  constructor(
    readonly options: StreamOptions,
    private readonly deps: StreamRuntimeDeps,
  ) {
    this.analysis = new StreamAnalysis(options.id, deps.vision, deps.gallery, deps.sink, {
      ...deps.analysis,
      pyramid: { ...deps.analysis.pyramid, phase: deps.nextPyramidPhase?.() ?? 0 },
    });
  }

  get id(): string {
    return this.options.id;
  }

  get running(): boolean {
    return this.supervisor !== undefined;
  }

  start(): void {
    if (this.supervisor) return;
    const supervisor = new StreamSupervisor(
      { ...this.options },
      {
        ffmpeg: this.deps.ffmpeg,
        logger: this.deps.logger,
        ...(this.deps.feeds ? { feeds: this.deps.feeds } : {}),
      },
    );
    supervisor.onStatus((snap) => {
      this.lastSnapshot = snap;
      this.deps.onStatus?.(snap);
    });
    const loop = new AnalysisLoop(
      supervisor.slot,
      (frame) => this.analyse(frame),
      (err) => this.frameFailed(err),
    );
    this.supervisor = supervisor;
    this.loop = loop;
    supervisor.start();
    loop.start();
  }

  async stop(): Promise<void> {
    const { supervisor, loop } = this;
    if (!supervisor || !loop) return;
    await supervisor.stop();
    await loop.stop();
    const snap = supervisor.snapshot();
    this.lastSnapshot = snap;
    this.carried = {
      framesDecoded: this.carried.framesDecoded + snap.framesDecoded,
      framesDropped: this.carried.framesDropped + snap.framesDropped,
      framesAnalysed: this.carried.framesAnalysed + loop.stats().analysed,
      restarts: this.carried.restarts + snap.restarts,
    };
    this.supervisor = undefined;
    this.loop = undefined;
    this.analysis.reset();
    this.stats.reset();
    this.faces = 0;
  }

  reject(trackId: number, identityId: string): void {
    this.analysis.reject(trackId, identityId);
  }

  setMatchThresholds(threshold: number, margin: number): void {
    this.analysis.setMatchThresholds(threshold, margin);
  }

  noteAlert(atMs: number): void {
    this.lastAlertAt = atMs;
  }

  info(enabled: boolean): StreamInfo {
    const snap = this.supervisor?.snapshot() ?? this.lastSnapshot;
    const live = this.supervisor !== undefined;
    const c = this.carried;
    const info: StreamInfo = {
      id: this.id,
      url: snap?.url ?? '',
      enabled,
      state: live ? (snap?.state ?? 'starting') : 'stopped',
      fps: live ? this.stats.fps(Date.now()) : 0,
      framesDecoded: c.framesDecoded + (live ? (snap?.framesDecoded ?? 0) : 0),
      framesAnalysed: c.framesAnalysed + (this.loop?.stats().analysed ?? 0),
      framesDropped: c.framesDropped + (live ? (snap?.framesDropped ?? 0) : 0),
      restarts: c.restarts + (live ? (snap?.restarts ?? 0) : 0),
      faces: this.faces,
      deferredEmbeddings: this.analysis.deferredEmbeddings,
      latencyMs: this.stats.latency(),
    };
    if (snap?.lastError) info.lastError = { code: snap.lastError.code, message: snap.lastError.message };
    if (this.lastAlertAt !== undefined) info.lastAlertAt = new Date(this.lastAlertAt).toISOString();
    if (snap?.width !== undefined) info.width = snap.width;
    if (snap?.height !== undefined) info.height = snap.height;
    return info;
  }

  /** Detection of this frame may overlap the second stage of the previous one (see AnalysisLoop). */
  private analyse(frame: VideoFrame): StagedAnalysis {
    const ref = toFrameRef(frame);
    const detected = this.analysis.detect(ref);
    const previous = this.secondStage;
    const finished = (async () => {
      try {
        const d = await detected;
        await previous;
        this.record(frame, await this.analysis.finish(ref, frame.capturedAt, d));
      } finally {
        // Both stages are done with the pixels (alert crops are copies): the buffer may be reused.
        frame.release?.();
      }
    })();
    this.secondStage = finished.catch(() => undefined);
    return { firstStage: detected, finished };
  }

  private record(frame: VideoFrame, report: FrameReport): void {
    const now = Date.now();
    const latencyMs = now - frame.capturedAt;
    this.stats.record(now, latencyMs);
    this.faces = report.faces;
    if (report.alerts > 0) this.lastAlertAt = now;
    this.deps.onFrame?.(this.id, report, latencyMs);
  }

  private frameFailed(err: unknown): void {
    const code = toArgusError(err).code;
    this.deps.onFrameError?.(this.id, code);
    // Once, then every 100th: a broken stream must not flood the log.
    if (this.failures++ % 100 === 0) {
      this.deps.logger.warn({ streamId: this.id, code, failures: this.failures }, 'frame analysis failed');
    }
  }
}
