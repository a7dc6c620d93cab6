import type { FrameSlot } from '../ingest/frame-slot';
import type { VideoFrame } from '../ingest/video-frame';

/** A frame's analysis in two stages: the next frame may start once `firstStage` has settled. */
export interface StagedAnalysis {
  firstStage: Promise<unknown>;
  finished: Promise<void>;
}

/** A one-stage handler: the next frame starts when this one is done. */
export function singleStage(
  handle: (frame: VideoFrame) => Promise<void>,
): (frame: VideoFrame) => StagedAnalysis {
  return (frame) => {
    const finished = handle(frame);
    return { firstStage: finished, finished };
  };
}

/**
 * Takes the newest frame of a stream, hands it to `handle`, repeats. Frames that arrive while the
 * analysis is busy replace each other in the slot (counted as dropped there), so latency stays
 * bounded whatever the load: the analysis rate adapts instead of a queue growing. At most two
 * frames are in flight: the next one's first stage (detection) overlaps this one's second.
 */
export class AnalysisLoop {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private analysed = 0;
  private failures = 0;

  constructor(
    private readonly slot: FrameSlot<VideoFrame>,
    private readonly handle: (frame: VideoFrame) => StagedAnalysis,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  /** Stops taking frames and waits for the ones in flight. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  stats(): { analysed: number; failures: number } {
    return { analysed: this.analysed, failures: this.failures };
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let previous: Promise<void> = Promise.resolve();
    while (!signal.aborted) {
      let frame: VideoFrame;
      try {
        frame = await this.slot.next(signal);
      } catch {
        break;
      }
      let staged: StagedAnalysis;
      try {
        staged = this.handle(frame);
      } catch (err) {
        this.failed(err);
        continue;
      }
      const counted = staged.finished.then(
        () => {
          this.analysed++;
        },
        (err: unknown) => this.failed(err),
      );
      // A failure there shows up in `finished`, counted once.
      await staged.firstStage.catch(() => undefined);
      await previous;
      previous = counted;
    }
    await previous;
  }

  private failed(err: unknown): void {
    this.failures++;
    this.onError(err);
  }
}
