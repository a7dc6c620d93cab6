export interface PyramidScheduleOptions {
  /** The full pyramid runs at least once every this many frames; 1 = on every frame. */
  fullEveryNFrames: number;
  /** A live track narrower than coarseMinFace times this keeps the full pyramid on every frame. */
  smallFaceMargin: number;
}

export const DEFAULT_PYRAMID_SCHEDULE_OPTIONS: Readonly<PyramidScheduleOptions> = Object.freeze({
  fullEveryNFrames: 5,
  smallFaceMargin: 1.5,
});

/**
 * Decides, per frame of one stream, whether detection may skip its finest pyramid level. That
 * level exists only for the smallest faces and costs more than all the others together (on a 720p
 * frame ~39 of ~50 ms of inference), while most cameras show no face that small most of the time.
 * So the finest level runs every Nth frame to notice small faces (a new one is found at most N-1
 * frames late), and on every frame while a tracked face is near or below the coarse levels' floor.
 */
export class PyramidSchedule {
  private readonly o: PyramidScheduleOptions;
  private frame = 0;
  /** The coarse levels' smallest face for this stream's frame size; null: nothing to skip. */
  private coarseMinFace: number | null = null;

  constructor(o: Partial<PyramidScheduleOptions> = {}) {
    this.o = { ...DEFAULT_PYRAMID_SCHEDULE_OPTIONS, ...o };
  }

  /**
   * Whether the next frame may skip the finest level, given the smallest side (px) of any live
   * track's box (undefined when there are no tracks).
   */
  skipFinest(smallestTrackSide: number | undefined): boolean {
    const i = this.frame++;
    if (this.o.fullEveryNFrames <= 1 || this.coarseMinFace === null) return false;
    if (i % this.o.fullEveryNFrames === 0) return false;
    return (
      smallestTrackSide === undefined || smallestTrackSide >= this.coarseMinFace * this.o.smallFaceMargin
    );
  }

  /** What the detector reported for the last frame (its frame size may change with the source). */
  observe(coarseMinFace: number | null): void {
    this.coarseMinFace = coarseMinFace;
  }

  /** The stream restarted: start over with a full frame. */
  reset(): void {
    this.frame = 0;
    this.coarseMinFace = null;
  }
}
