import type { AnalyzedFace } from '../domain/face';
import type { FrameSlot } from '../ingest/frame-slot';
import type { VideoFrame } from '../ingest/video-frame';
import type { FaceAnalyzer } from '../vision/face-analyzer';

export interface AnalysedFrame {
  frame: Omit<VideoFrame, 'data'>;
  faces: AnalyzedFace[];
  /** From the frame leaving FFmpeg to the end of analysis. */
  latencyMs: number;
}

/**
 * Takes the newest frame of a stream, analyses it, repeats. Frames that arrive while one is being
 * analysed replace each other in the slot (counted as dropped there), so latency stays bounded
 * whatever the load: the analysis rate adapts instead of a queue growing.
 */
export class AnalysisLoop {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private analysed = 0;
  private failures = 0;

  constructor(
    private readonly slot: FrameSlot<VideoFrame>,
    private readonly analyzer: FaceAnalyzer,
    private readonly onResult: (r: AnalysedFrame) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  stats(): { analysed: number; failures: number } {
    return { analysed: this.analysed, failures: this.failures };
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        await this.slot.waitForFrame(signal);
      } catch {
        return;
      }
      const frame = this.slot.take();
      if (!frame) continue;
      try {
        const { faces } = await this.analyzer.analyze(
          { width: frame.width, height: frame.height, data: frame.data },
          { embed: true },
        );
        this.analysed++;
        const { data: _pixels, ...meta } = frame;
        this.onResult({ frame: meta, faces, latencyMs: Date.now() - frame.capturedAt });
      } catch (err) {
        this.failures++;
        this.onError(err);
      }
    }
  }
}
