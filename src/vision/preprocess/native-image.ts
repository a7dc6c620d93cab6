import path from 'node:path';
import { packageRoot } from '../../util/package-root';

/** Colour order codes of the addon's `mode` argument. */
export const NATIVE_MODE = { RGB: 0, BGR: 1, GREY: 2 } as const;

/**
 * The C versions of the preprocessing loops (native/image.c). Each validates its arguments and
 * throws a TypeError/RangeError on a bad one; typed arrays may be views (byteOffset honoured).
 */
export interface NativeImage {
  /** See ResizeRequest / TensorSpec in resize-to-tensor.ts; padValue undefined means mean. */
  resizeToTensor(
    src: Uint8Array,
    width: number,
    height: number,
    sx: number,
    sy: number,
    sw: number,
    sh: number,
    dw: number,
    dh: number,
    tw: number,
    th: number,
    mean: number,
    std: number,
    padValue: number | undefined,
    mode: (typeof NATIVE_MODE)[keyof typeof NATIVE_MODE],
    out: Float32Array,
    offset: number,
  ): void;
  /** Writes the (width >> 1) x (height >> 1) halving of src into out. */
  halveImage(src: Uint8Array, width: number, height: number, out: Uint8Array): void;
}

/** A width/height/size argument the addon accepts (it rejects the rest, the JS versions do not). */
export function isNativeSize(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0x7fffffff;
}

let addon: NativeImage | null | undefined;
let loadError: string | undefined;

/**
 * The addon, loaded on first use, or null when it is not built (`npm run build:native`); the
 * callers then use the JavaScript versions. ARGUS_NATIVE_IMAGE=0 forces the JavaScript path, to
 * compare the two and to rule the addon out when debugging.
 */
export function nativeImage(): NativeImage | null {
  if (addon !== undefined) return addon;
  if (process.env.ARGUS_NATIVE_IMAGE === '0') {
    loadError = 'disabled by ARGUS_NATIVE_IMAGE=0';
    addon = null;
    return addon;
  }
  try {
    addon = require(
      path.join(packageRoot(), 'native', 'build', 'Release', 'argus_image.node'),
    ) as NativeImage;
  } catch (err) {
    loadError = err instanceof Error ? err.message : String(err);
    addon = null;
  }
  return addon;
}

/** Why nativeImage() returned null (undefined when it loaded or was not tried yet). */
export function nativeImageLoadError(): string | undefined {
  return loadError;
}
