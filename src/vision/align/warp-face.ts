import type { RgbImage } from '../../domain/image';
import type { Similarity } from './similarity-transform';

/**
 * Renders the `size` x `size` aligned face: each output pixel is inverse-mapped through `t`
 * (image -> template) and sampled bilinearly; outside the image reads the nearest edge pixel.
 * `t` must map coordinates of `img` (pass a mip level with a transform rescaled to it).
 */
export function warpFace(img: RgbImage, t: Similarity, size: number): RgbImage {
  const det = t.a * t.a + t.b * t.b;
  const ia = t.a / det;
  const ib = t.b / det;
  const out = new Uint8Array(size * size * 3);
  const W = img.width;
  const H = img.height;
  const src = img.data;
  let o = 0;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const du = u - t.tx;
      const dv = v - t.ty;
      let x = ia * du + ib * dv;
      let y = -ib * du + ia * dv;
      if (x < 0) x = 0;
      else if (x > W - 1) x = W - 1;
      if (y < 0) y = 0;
      else if (y > H - 1) y = H - 1;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const x1 = x0 + 1 < W ? x0 + 1 : x0;
      const y1 = y0 + 1 < H ? y0 + 1 : y0;
      const wx = x - x0;
      const wy = y - y0;
      const a = (y0 * W + x0) * 3;
      const b = (y0 * W + x1) * 3;
      const c = (y1 * W + x0) * 3;
      const d = (y1 * W + x1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = src[a + ch]! + (src[b + ch]! - src[a + ch]!) * wx;
        const bot = src[c + ch]! + (src[d + ch]! - src[c + ch]!) * wx;
        out[o++] = top + (bot - top) * wy + 0.5;
      }
    }
  }
  return { width: size, height: size, data: out };
}
