import type { FrameSlot } from '../ingest/frame-slot';
import type { VideoFrame } from '../ingest/video-frame';

/**
 * Takes the newest frame of a stream, hands it to `handle`, repeats. Frames that arrive while one
 * is being analysed replace each other in the slot (counted as dropped there), so latency stays
 * bounded whatever the load: the analysis rate adapts instead of a queue growing.
 */
export class AnalysisLoop {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private analysed = 0;
  private failures = 0;

  constructor(
    private readonly slot: FrameSlot<VideoFrame>,
    private readonly handle: (frame: VideoFrame) => Promise<void>,
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
        await this.handle(frame);
        this.analysed++;
      } catch (err) {
        this.failures++;
        this.onError(err);
      }
    }
  }
}
