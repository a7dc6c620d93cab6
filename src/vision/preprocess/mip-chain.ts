import type { RgbImage } from '../../domain/image';
import { isNativeSize, nativeImage } from './native-image';

/**
 * Halves an RGB image with a 2x2 box filter (odd last row/column dropped). Runs the C version
 * (native/image.c) when the addon is built, else halveImageJs; both give the same bytes.
 */
export function halveImage(img: RgbImage): RgbImage {
  const native = nativeImage();
  const { width, height, data } = img;
  if (native === null || !isNativeSize(width) || !isNativeSize(height) || data.length < width * height * 3) {
    return halveImageJs(img);
  }
  const w = width >> 1;
  const h = height >> 1;
  const out = new Uint8Array(w * h * 3);
  native.halveImage(data, width, height, out);
  return { width: w, height: h, data: out };
}

/** The JavaScript reference of halveImage (and its fallback when the addon is not built). */
export function halveImageJs(img: RgbImage): RgbImage {
  const w = img.width >> 1;
  const h = img.height >> 1;
  const out = new Uint8Array(w * h * 3);
  const src = img.data;
  const stride = img.width * 3;
  let o = 0;
  for (let y = 0; y < h; y++) {
    let r0 = 2 * y * stride;
    let r1 = r0 + stride;
    for (let x = 0; x < w; x++) {
      out[o] = (src[r0]! + src[r0 + 3]! + src[r1]! + src[r1 + 3]! + 2) >> 2;
      out[o + 1] = (src[r0 + 1]! + src[r0 + 4]! + src[r1 + 1]! + src[r1 + 4]! + 2) >> 2;
      out[o + 2] = (src[r0 + 2]! + src[r0 + 5]! + src[r1 + 2]! + src[r1 + 5]! + 2) >> 2;
      o += 3;
      r0 += 6;
      r1 += 6;
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * Successive halvings of one frame, built lazily and shared by every resize of that frame.
 * Bilinear sampling aliases badly below half scale; picking the level where the remaining scale
 * is at least 0.5 keeps every resize, crop and warp in bilinear's good range for ~1/3 extra work.
 */
export class MipChain {
  private readonly levels: RgbImage[];

  constructor(base: RgbImage) {
    this.levels = [base];
  }

  get base(): RgbImage {
    return this.levels[0]!;
  }

  /**
   * The level to sample for an output/input scale `scale` (<= 1 means shrinking), and its size
   * factor. An exact halving (scale 0.5, 0.25, ...) takes the halved level itself: sampling it 1:1
   * is a plain copy, where bilinear at 0.5 would compute the same 2x2 average at ~4x the cost.
   */
  pick(scale: number): { image: RgbImage; factor: number } {
    let level = 0;
    let factor = 1;
    while (scale / factor <= 0.5) {
      const next = this.level(level + 1);
      if (!next || next.width < 2 || next.height < 2) break;
      level++;
      factor /= 2;
    }
    return { image: this.levels[level]!, factor };
  }

  private level(i: number): RgbImage | undefined {
    while (this.levels.length <= i) {
      const prev = this.levels[this.levels.length - 1]!;
      if (prev.width < 4 || prev.height < 4) return undefined;
      this.levels.push(halveImage(prev));
    }
    return this.levels[i];
  }
}
