export interface PyramidLevel {
  /** Network pixels per image pixel. */
  scale: number;
  /** Resized image size. */
  contentWidth: number;
  contentHeight: number;
  /** Network input size: content padded up to a multiple of `align`. */
  inputWidth: number;
  inputHeight: number;
  /** Largest face (network px) this level reports; the coarsest level reports all. */
  maxNetSize: number;
}

export interface PyramidOptions {
  /** Long side of the coarsest level. */
  baseSize: number;
  /** Smallest face (image px) that must be found. */
  minFaceSize: number;
  /** Smallest face (network px) the detector finds reliably. */
  minNetFace: number;
  /** Finer levels drop boxes above this network size. */
  maxLevelFaceSize: number;
  /** Input sizes are padded to a multiple of this (the largest stride keeps priors exact). */
  align: number;
}

/**
 * Levels from coarse to fine, each twice the scale of the previous, until the finest finds faces of
 * `minFaceSize`. Never upsamples past 1:1 on finer levels: extra pixels there are invented.
 */
/** Face sizes seen by two adjacent levels must overlap by this factor, or the level between stays. */
const MIN_OVERLAP = 2;

export function planPyramid(width: number, height: number, o: PyramidOptions): PyramidLevel[] {
  const base = o.baseSize / Math.max(width, height);
  const scales: number[] = [];
  let scale = base;
  for (;;) {
    scales.push(scale);
    if (o.minNetFace / scale <= o.minFaceSize || scale >= 1) break;
    scale = Math.min(1, scale * 2);
  }
  // A middle level is redundant when its neighbours' face ranges already overlap by MIN_OVERLAP:
  // each level costs in proportion to its area, so skipping one is a real saving.
  for (let i = 1; i < scales.length - 1; ) {
    const coarserMin = o.minNetFace / scales[i - 1]!;
    const finerMax = o.maxLevelFaceSize / scales[i + 1]!;
    if (finerMax >= coarserMin * MIN_OVERLAP) scales.splice(i, 1);
    else i++;
  }
  const levels: PyramidLevel[] = [];
  for (const scale of scales) {
    const cw = Math.max(1, Math.round(width * scale));
    const ch = Math.max(1, Math.round(height * scale));
    levels.push({
      scale,
      contentWidth: cw,
      contentHeight: ch,
      inputWidth: roundUp(cw, o.align),
      inputHeight: roundUp(ch, o.align),
      maxNetSize: levels.length === 0 ? Number.POSITIVE_INFINITY : o.maxLevelFaceSize,
    });
  }
  return levels;
}

function roundUp(v: number, m: number): number {
  return Math.ceil(v / m) * m;
}
