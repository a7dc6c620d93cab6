import type { RgbImage } from '../../domain/image';
import { isNativeSize, NATIVE_MODE, nativeImage } from './native-image';
import { GREY_WEIGHTS, type TensorSpec } from './tensor-spec';

/** A source rectangle (may extend past the image: edge pixels are repeated) resized into a tensor. */
export interface ResizeRequest {
  /** Source rectangle in image pixels. */
  sx: number;
  sy: number;
  sw: number;
  sh: number;
  /** Size of the resized content, written at the tensor's top-left. */
  dw: number;
  dh: number;
  /** Tensor plane size; the area right of / below the content is padding. */
  tw: number;
  th: number;
  /** Raw pixel value used for padding (before normalisation). */
  padValue?: number;
}

/**
 * Bilinear resize + normalisation + HWC->CHW in one pass, written into `out` at `offset`
 * (so a batch is filled in place). Pixel centres are aligned (half-pixel convention).
 * Runs the C version (native/image.c) when the addon is built, else resizeToTensorJs.
 */
export function resizeToTensor(
  img: RgbImage,
  req: ResizeRequest,
  spec: TensorSpec,
  out: Float32Array,
  offset = 0,
): void {
  const native = nativeImage();
  if (native === null || !nativeAccepts(img, req, offset)) {
    resizeToTensorJs(img, req, spec, out, offset);
    return;
  }
  const channels = spec.colorOrder === 'GREY' ? 1 : 3;
  // Checked here as well: the addon's errors belong to the realm that loaded it, which under jest
  // is not the caller's, so `instanceof RangeError` would fail on them.
  if (out.length < offset + req.tw * req.th * channels) throw new RangeError('tensor buffer too small');
  native.resizeToTensor(
    img.data,
    img.width,
    img.height,
    req.sx,
    req.sy,
    req.sw,
    req.sh,
    req.dw,
    req.dh,
    req.tw,
    req.th,
    spec.mean,
    spec.std,
    req.padValue,
    NATIVE_MODE[spec.colorOrder],
    out,
    offset,
  );
}

/**
 * Requests the addon takes. It throws on the rest, where the JS version has always written
 * something (NaN for a non-finite rect, nothing at a fractional offset): those keep that behaviour.
 */
function nativeAccepts(img: RgbImage, req: ResizeRequest, offset: number): boolean {
  const { sx, sy, sw, sh, dw, dh, tw, th } = req;
  return (
    Number.isFinite(sx) &&
    Number.isFinite(sy) &&
    Number.isFinite(sw) &&
    Number.isFinite(sh) &&
    isNativeSize(dw) &&
    isNativeSize(dh) &&
    isNativeSize(tw) &&
    isNativeSize(th) &&
    dw <= tw &&
    dh <= th &&
    Number.isSafeInteger(offset) &&
    offset >= 0 &&
    isNativeSize(img.width) &&
    isNativeSize(img.height) &&
    img.width > 0 &&
    img.height > 0 &&
    img.data.length >= img.width * img.height * 3
  );
}

/** The JavaScript reference of resizeToTensor (and its fallback when the addon is not built). */
export function resizeToTensorJs(
  img: RgbImage,
  req: ResizeRequest,
  spec: TensorSpec,
  out: Float32Array,
  offset = 0,
): void {
  const { sx, sy, sw, sh, dw, dh, tw, th } = req;
  const channels = spec.colorOrder === 'GREY' ? 1 : 3;
  const plane = tw * th;
  if (out.length < offset + plane * channels) throw new RangeError('tensor buffer too small');
  const inv = 1 / spec.std;
  const padNorm = ((req.padValue ?? spec.mean) - spec.mean) * inv;
  const src = img.data;
  const W = img.width;
  const H = img.height;
  const stride = W * 3;
  const scaleX = sw / dw;
  const scaleY = sh / dh;
  if (scaleX === 1 && scaleY === 1 && isInside(sx, sy, sw, sh, W, H)) {
    copyToTensor(img, req, spec, out, offset, padNorm);
    return;
  }

  // Column taps are the same for every row: compute them once.
  const x0s = new Int32Array(dw);
  const x1s = new Int32Array(dw);
  const fxs = new Float32Array(dw);
  for (let x = 0; x < dw; x++) {
    let fx = sx + (x + 0.5) * scaleX - 0.5;
    if (fx < 0) fx = 0;
    if (fx > W - 1) fx = W - 1;
    const x0 = Math.floor(fx);
    x0s[x] = x0 * 3;
    x1s[x] = Math.min(x0 + 1, W - 1) * 3;
    fxs[x] = fx - x0;
  }
  const bgr = spec.colorOrder === 'BGR';
  const [gw0, gw1, gw2] = GREY_WEIGHTS;

  for (let y = 0; y < th; y++) {
    const rowOut = offset + y * tw;
    if (y >= dh) {
      for (let c = 0; c < channels; c++) out.fill(padNorm, rowOut + c * plane, rowOut + c * plane + tw);
      continue;
    }
    let fy = sy + (y + 0.5) * scaleY - 0.5;
    if (fy < 0) fy = 0;
    if (fy > H - 1) fy = H - 1;
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    const r0 = y0 * stride;
    const r1 = Math.min(y0 + 1, H - 1) * stride;
    for (let x = 0; x < dw; x++) {
      const a = r0 + x0s[x]!;
      const b = r0 + x1s[x]!;
      const c = r1 + x0s[x]!;
      const d = r1 + x1s[x]!;
      const wx = fxs[x]!;
      const w00 = (1 - wx) * (1 - wy);
      const w01 = wx * (1 - wy);
      const w10 = (1 - wx) * wy;
      const w11 = wx * wy;
      const r = src[a]! * w00 + src[b]! * w01 + src[c]! * w10 + src[d]! * w11;
      const g = src[a + 1]! * w00 + src[b + 1]! * w01 + src[c + 1]! * w10 + src[d + 1]! * w11;
      const bl = src[a + 2]! * w00 + src[b + 2]! * w01 + src[c + 2]! * w10 + src[d + 2]! * w11;
      if (channels === 1) {
        out[rowOut + x] = (r * gw0 + g * gw1 + bl * gw2 - spec.mean) * inv;
      } else {
        out[rowOut + x] = ((bgr ? bl : r) - spec.mean) * inv;
        out[rowOut + x + plane] = (g - spec.mean) * inv;
        out[rowOut + x + 2 * plane] = ((bgr ? r : bl) - spec.mean) * inv;
      }
    }
    if (dw < tw)
      for (let c = 0; c < channels; c++) out.fill(padNorm, rowOut + c * plane + dw, rowOut + c * plane + tw);
  }
}

function isInside(sx: number, sy: number, sw: number, sh: number, W: number, H: number): boolean {
  return Number.isInteger(sx) && Number.isInteger(sy) && sx >= 0 && sy >= 0 && sx + sw <= W && sy + sh <= H;
}

/**
 * The 1:1 case (a detector level at full resolution): bilinear weights would all be 0 or 1, so
 * this is a plain copy through a 256-entry normalisation table, several times faster.
 */
function copyToTensor(
  img: RgbImage,
  req: ResizeRequest,
  spec: TensorSpec,
  out: Float32Array,
  offset: number,
  padNorm: number,
): void {
  const { sx, sy, dw, dh, tw, th } = req;
  const channels = spec.colorOrder === 'GREY' ? 1 : 3;
  const plane = tw * th;
  const inv = 1 / spec.std;
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = (v - spec.mean) * inv;
  const [gw0, gw1, gw2] = GREY_WEIGHTS;
  const first = spec.colorOrder === 'BGR' ? 2 : 0;
  const last = 2 - first;
  const src = img.data;
  const stride = img.width * 3;
  for (let y = 0; y < th; y++) {
    const rowOut = offset + y * tw;
    if (y >= dh) {
      for (let c = 0; c < channels; c++) out.fill(padNorm, rowOut + c * plane, rowOut + c * plane + tw);
      continue;
    }
    let i = (sy + y) * stride + sx * 3;
    if (channels === 1) {
      for (let x = 0; x < dw; x++, i += 3) {
        out[rowOut + x] = (src[i]! * gw0 + src[i + 1]! * gw1 + src[i + 2]! * gw2 - spec.mean) * inv;
      }
    } else {
      for (let x = 0; x < dw; x++, i += 3) {
        out[rowOut + x] = lut[src[i + first]!]!;
        out[rowOut + x + plane] = lut[src[i + 1]!]!;
        out[rowOut + x + 2 * plane] = lut[src[i + last]!]!;
      }
    }
    if (dw < tw)
      for (let c = 0; c < channels; c++) out.fill(padNorm, rowOut + c * plane + dw, rowOut + c * plane + tw);
  }
}
