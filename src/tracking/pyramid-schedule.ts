export interface PyramidScheduleOptions {
  /** The full pyramid runs at least once every this many frames; 1 = on every frame. */
  fullEveryNFrames: number;
  /** A level stays on while a live track is narrower than the coarser levels' floor times this. */
  smallFaceMargin: number;
  /**
   * Shifts which frames run the full pyramid. Streams that start together would otherwise all
   * run their costly full frames at the same moment and queue behind each other on the workers;
   * giving each stream its own phase spreads them out.
   */
  phase: number;
}

export const DEFAULT_PYRAMID_SCHEDULE_OPTIONS: Readonly<PyramidScheduleOptions> = Object.freeze({
  fullEveryNFrames: 5,
  smallFaceMargin: 1.5,
  phase: 0,
});

/**
 * Decides, per frame of one stream, how many of detection's finest pyramid levels may be left
 * out. Each finer level exists only for smaller faces and costs ~4x the level above it (on a 720p
 * frame: ~35 ms of inference for the 1280 level, ~11 for 640, ~4 for 320), while most cameras
 * show no face that small most of the time. So the full pyramid runs every Nth frame to notice
 * small faces (a new one is found at most N-1 frames late), and in between only the levels that
 * the smallest live track needs: a level is left out only while every tracked face is at least
 * smallFaceMargin times the floor of the levels that remain.
 */
export class PyramidSchedule {
  private readonly o: PyramidScheduleOptions;
  private frame = 0;
  /**
   * The smallest face (px) detection finds with k finest levels left out, at index k, for this
   * stream's frame size; null until the first frame.
   */
  private floors: readonly number[] | null = null;

  constructor(o: Partial<PyramidScheduleOptions> = {}) {
    this.o = { ...DEFAULT_PYRAMID_SCHEDULE_OPTIONS, ...o };
  }

  /**
   * How many finest levels the next frame may leave out, given the smallest side (px) of any live
   * track's box (undefined when there are no tracks).
   */
  skipLevels(smallestTrackSide: number | undefined): number {
    const i = this.frame++;
    const floors = this.floors;
    if (this.o.fullEveryNFrames <= 1 || floors === null || floors.length < 2) return 0;
    if ((i + this.o.phase) % this.o.fullEveryNFrames === 0) return 0;
    let k = floors.length - 1;
    if (smallestTrackSide === undefined) return k;
    while (k > 0 && smallestTrackSide < floors[k]! * this.o.smallFaceMargin) k--;
    return k;
  }

  /** What the detector reported for the last frame (its frame size may change with the source). */
  observe(levelFloors: readonly number[]): void {
    this.floors = levelFloors;
  }

  /** The stream restarted: start over with a full frame. */
  reset(): void {
    this.frame = 0;
    this.floors = null;
  }
}
