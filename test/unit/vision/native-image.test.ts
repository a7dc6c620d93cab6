import type { RgbImage } from '../../../src/domain/image';
import { mulberry32 } from '../../../src/util/mulberry32';
import { halveImage, halveImageJs } from '../../../src/vision/preprocess/mip-chain';
import {
  NATIVE_MODE,
  type NativeImage,
  nativeImage,
  nativeImageLoadError,
} from '../../../src/vision/preprocess/native-image';
import {
  type ResizeRequest,
  resizeToTensor,
  resizeToTensorJs,
} from '../../../src/vision/preprocess/resize-to-tensor';
import type { TensorSpec } from '../../../src/vision/preprocess/tensor-spec';

// The addon is built by `npm run build:native` (npm ci runs it). A missing addon fails here rather
// than skipping, so CI cannot lose it silently; ARGUS_NATIVE_IMAGE=0 is the deliberate opt-out.
const disabled = process.env.ARGUS_NATIVE_IMAGE === '0';

function addon(): NativeImage {
  const a = nativeImage();
  if (!a)
    throw new Error(`argus_image addon not loaded (${nativeImageLoadError()}): run npm run build:native`);
  return a;
}

// Seeded, so a failure names a reproducible case.
const prng = mulberry32;

type Rand = ReturnType<typeof prng>;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** `length` bytes, often as a view at a non-zero byteOffset of a plain, shared or Node buffer. */
function bytes(r: Rand, length: number): Uint8Array {
  const pre = pick(r, [0, 0, 1, 3, 8]);
  const kind = pick(r, ['plain', 'shared', 'buffer'] as const);
  const backing =
    kind === 'shared'
      ? new Uint8Array(new SharedArrayBuffer(pre + length + 4))
      : kind === 'buffer'
        ? Buffer.alloc(pre + length + 4)
        : new Uint8Array(pre + length + 4);
  let x = int(r, 1, 0x7fffffff); // xorshift32: fills megabyte frames much faster than r()
  for (let i = 0; i < backing.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    backing[i] = x >>> 24;
  }
  return backing.subarray(pre, pre + length);
}

function randomImage(r: Rand): RgbImage {
  const shape = pick(r, ['small', 'small', 'row', 'column', 'wide'] as const);
  const width = shape === 'column' ? 1 : shape === 'wide' ? int(r, 60, 300) : int(r, 1, 40);
  const height = shape === 'row' ? 1 : shape === 'wide' ? int(r, 1, 12) : int(r, 1, 40);
  return { width, height, data: bytes(r, width * height * 3) };
}

interface Case {
  img: RgbImage;
  req: ResizeRequest;
  spec: TensorSpec;
  offset: number;
  /** A 1:1 copy of a region inside the image (the copy path). */
  copy: boolean;
}

function randomCase(r: Rand): Case {
  const img = randomImage(r);
  const { width: W, height: H } = img;
  const copy = r() < 0.25;
  let sx: number;
  let sy: number;
  let sw: number;
  let sh: number;
  let dw: number;
  let dh: number;
  if (copy) {
    sx = int(r, 0, W - 1);
    sy = int(r, 0, H - 1);
    dw = sw = int(r, 1, W - sx);
    dh = sh = int(r, 1, H - sy);
  } else {
    // Rects partly or wholly outside the image, fractional, down- and upscaled, now and then
    // degenerate (zero or negative size, empty content).
    const frac = r() < 0.7;
    sx = frac ? (r() * 1.6 - 0.4) * W : int(r, -3, W);
    sy = frac ? (r() * 1.6 - 0.4) * H : int(r, -3, H);
    sw = r() < 0.03 ? -r() * W : r() < 0.03 ? 0 : (0.2 + r() * 1.5) * W;
    sh = r() < 0.03 ? -r() * H : r() < 0.03 ? 0 : (0.2 + r() * 1.5) * H;
    dw = r() < 0.03 ? 0 : int(r, 1, 48);
    dh = r() < 0.03 ? 0 : int(r, 1, 48);
  }
  const tw = dw + (r() < 0.5 ? 0 : int(r, 1, 6));
  const th = dh + (r() < 0.5 ? 0 : int(r, 1, 6));
  const req: ResizeRequest = { sx, sy, sw, sh, dw, dh, tw, th };
  if (r() < 0.5) req.padValue = int(r, 0, 255);
  // Normalised ranges like the real models' (std 128 or 256): see TOLERANCE.
  const spec: TensorSpec = {
    mean: pick(r, [0, 127, 127.5, r() * 128]),
    std: pick(r, [128, 256, 64 + r() * 192]),
    colorOrder: pick(r, ['RGB', 'BGR', 'GREY'] as const),
  };
  return { img, req, spec, offset: r() < 0.3 ? 0 : int(r, 1, 9), copy };
}

/**
 * The JS blends in double, the addon in float (and normalises before the horizontal pass); with
 * outputs of magnitude <= ~4 (std >= 64) the float rounding stays near 1e-6, far below 2e-5, while
 * a wrong tap or weight moves a value by >= 1/std ~ 4e-3.
 */
const TOLERANCE = 2e-5;
const SENTINEL = -12345.25;

/** A Float32Array view of `length` elements at a non-zero byteOffset, inside sentinel-filled storage. */
function sentinelOut(r: Rand, length: number): { out: Float32Array; backing: Float32Array } {
  const pre = pick(r, [0, 1, 5]);
  const backing = new Float32Array(pre + length + int(r, 0, 5)).fill(SENTINEL);
  return { out: backing.subarray(pre, pre + length), backing };
}

function describeCase(seed: number, c: Case): string {
  const { img, req, spec, offset } = c;
  return `seed ${seed}: ${img.width}x${img.height} ${JSON.stringify(req)} ${JSON.stringify(spec)} offset ${offset}`;
}

(disabled ? describe.skip : describe)('native image addon (argus_image)', () => {
  it('resizes like resizeToTensorJs over random requests, touching nothing outside its range', () => {
    const native = addon();
    for (let seed = 1; seed <= 1500; seed++) {
      const r = prng(seed);
      const c = randomCase(r);
      const { img, req, spec, offset } = c;
      const channels = spec.colorOrder === 'GREY' ? 1 : 3;
      const written = req.tw * req.th * channels;
      const length = offset + written + int(r, 0, 4);
      const js = new Float32Array(length).fill(SENTINEL);
      resizeToTensorJs(img, req, spec, js, offset);
      const { out, backing } = sentinelOut(r, length);
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
      const outStart = out.byteOffset / 4;
      for (let i = 0; i < backing.length; i++) {
        const k = i - outStart - offset;
        if (k < 0 || k >= written) {
          if (backing[i] !== SENTINEL) throw new Error(`${describeCase(seed, c)}: wrote outside at ${i}`);
          continue;
        }
        const a = js[offset + k]!;
        const b = backing[i]!;
        // The copy path uses the same table (and double grey) as the JS: exact, not just close.
        const ok = c.copy && channels === 3 ? a === b : Math.abs(a - b) <= TOLERANCE;
        if (!ok) throw new Error(`${describeCase(seed, c)}: element ${k}: js ${a} native ${b}`);
      }
    }
  });

  it('resizes a detector level (1920x1080 -> 1280x720, padded to 1280x736) like the JS', () => {
    const r = prng(7);
    const img: RgbImage = { width: 1920, height: 1080, data: bytes(r, 1920 * 1080 * 3) };
    const req = { sx: 0, sy: 0, sw: 1920, sh: 1080, dw: 1280, dh: 720, tw: 1280, th: 736 };
    const spec: TensorSpec = { mean: 127, std: 128, colorOrder: 'RGB' };
    const js = new Float32Array(3 * 1280 * 736);
    const nat = new Float32Array(3 * 1280 * 736);
    resizeToTensorJs(img, req, spec, js);
    resizeToTensor(img, req, spec, nat);
    let worst = 0;
    for (let i = 0; i < js.length; i++) worst = Math.max(worst, Math.abs(js[i]! - nat[i]!));
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
  });

  it('halves like halveImageJs, byte for byte, on odd and even sizes', () => {
    const native = addon();
    const sizes: [number, number][] = [
      [0, 0],
      [1, 1],
      [1, 7],
      [7, 1],
      [2, 2],
      [3, 3],
      [2, 9],
      [129, 3],
      [130, 4],
      [257, 5],
      [1920, 1080],
    ];
    const r = prng(42);
    for (let i = 0; i < 60; i++) sizes.push([int(r, 1, 300), int(r, 1, 40)]);
    for (const [width, height] of sizes) {
      const img: RgbImage = { width, height, data: bytes(r, width * height * 3) };
      const expected = halveImageJs(img);
      const n = expected.data.length;
      const backing = new Uint8Array(n + 6).fill(0xa5);
      native.halveImage(img.data, width, height, backing.subarray(3, 3 + n));
      const context = `${width}x${height}`;
      expect([context, Buffer.from(backing.subarray(3, 3 + n)).equals(expected.data)]).toEqual([
        context,
        true,
      ]);
      expect([context, [...backing.subarray(0, 3), ...backing.subarray(3 + n)]]).toEqual([
        context,
        [0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5],
      ]);
    }
  });

  it('is what resizeToTensor and halveImage run', () => {
    const native = addon();
    const resize = jest.spyOn(native, 'resizeToTensor');
    const halve = jest.spyOn(native, 'halveImage');
    try {
      const img: RgbImage = { width: 4, height: 4, data: new Uint8Array(48).fill(9) };
      resizeToTensor(
        img,
        { sx: 0, sy: 0, sw: 4, sh: 4, dw: 2, dh: 2, tw: 2, th: 2 },
        { mean: 0, std: 1, colorOrder: 'RGB' },
        new Float32Array(12),
      );
      expect(halveImage(img).data).toEqual(new Uint8Array(12).fill(9));
      expect(resize).toHaveBeenCalledTimes(1);
      expect(halve).toHaveBeenCalledTimes(1);
    } finally {
      resize.mockRestore();
      halve.mockRestore();
    }
  });

  it('keeps the JS behaviour for requests the addon rejects (NaN rect, content wider than the plane)', () => {
    const img: RgbImage = { width: 3, height: 3, data: new Uint8Array(27).fill(100) };
    const spec: TensorSpec = { mean: 0, std: 100, colorOrder: 'GREY' };
    for (const req of [
      { sx: Number.NaN, sy: 0, sw: 3, sh: 3, dw: 2, dh: 2, tw: 2, th: 2 },
      { sx: 0, sy: 0, sw: 3, sh: 3, dw: 3, dh: 2, tw: 2, th: 3 },
    ]) {
      const js = new Float32Array(8).fill(SENTINEL);
      const out = new Float32Array(8).fill(SENTINEL);
      resizeToTensorJs(img, req, spec, js);
      resizeToTensor(img, req, spec, out);
      expect(out).toEqual(js);
    }
  });

  it('rejects a too-small tensor buffer with the same RangeError as the JS', () => {
    const img: RgbImage = { width: 2, height: 2, data: new Uint8Array(12) };
    const req = { sx: 0, sy: 0, sw: 2, sh: 2, dw: 2, dh: 2, tw: 2, th: 2 };
    const spec: TensorSpec = { mean: 0, std: 1, colorOrder: 'RGB' };
    expect(() => resizeToTensor(img, req, spec, new Float32Array(11))).toThrow(
      new RangeError('tensor buffer too small'),
    );
    expect(() => resizeToTensor(img, req, spec, new Float32Array(13), 2)).toThrow(RangeError);
  });

  describe('bad arguments throw instead of crashing', () => {
    // The addon's errors come from the main realm, not jest's: compare names, not classes.
    function error(f: () => void): string {
      try {
        f();
      } catch (err) {
        return `${(err as Error).name}: ${(err as Error).message}`;
      }
      return 'no error';
    }

    const src = new Uint8Array(4 * 3 * 3);
    // src, width, height, sx, sy, sw, sh, dw, dh, tw, th, mean, std, padValue, mode, out, offset
    const good = (): unknown[] => [
      src,
      4,
      3,
      0,
      0,
      4,
      3,
      2,
      2,
      2,
      2,
      0,
      1,
      undefined,
      0,
      new Float32Array(12),
      0,
    ];
    const resize = (args: unknown[]) => () =>
      (addon().resizeToTensor as (...a: unknown[]) => void)(...(args as unknown[]));
    const withArg = (i: number, v: unknown): unknown[] => {
      const a = good();
      a[i] = v;
      return a;
    };

    it('accepts the baseline arguments', () => {
      expect(error(resize(good()))).toBe('no error');
    });

    it.each([
      ['src not a typed array', withArg(0, [1, 2, 3]), /^TypeError: src/],
      ['src a Float32Array', withArg(0, new Float32Array(36)), /^TypeError: src/],
      ['src a Uint8ClampedArray', withArg(0, new Uint8ClampedArray(36)), /^TypeError: src/],
      ['width a string', withArg(1, '4'), /^TypeError: width/],
      ['width negative', withArg(1, -4), /^RangeError: width/],
      ['width NaN', withArg(1, Number.NaN), /^RangeError: width/],
      ['height fractional', withArg(2, 2.5), /^RangeError: height/],
      ['height Infinity', withArg(2, Number.POSITIVE_INFINITY), /^RangeError: height/],
      ['src shorter than width*height*3', withArg(2, 4), /^RangeError: source shorter/],
      ['sx NaN', withArg(3, Number.NaN), /^RangeError: sx/],
      ['sw Infinity', withArg(5, Number.POSITIVE_INFINITY), /^RangeError: sw/],
      ['sh a bigint', withArg(6, 3n), /^TypeError: sh/],
      ['dw negative', withArg(7, -1), /^RangeError: dw/],
      ['dh NaN', withArg(8, Number.NaN), /^RangeError: dh/],
      ['content wider than the plane', withArg(7, 3), /^RangeError: content/],
      ['mean undefined', withArg(11, undefined), /^TypeError: mean/],
      ['padValue a string', withArg(13, '0'), /^TypeError: padValue/],
      ['mode 3', withArg(14, 3), /^RangeError: mode/],
      ['mode 0.5', withArg(14, 0.5), /^RangeError: mode/],
      ['out a Float64Array', withArg(15, new Float64Array(12)), /^TypeError: out/],
      ['out a plain array', withArg(15, new Array(12).fill(0)), /^TypeError: out/],
      ['out too small', withArg(15, new Float32Array(11)), /^RangeError: tensor buffer too small/],
      ['offset pushes past the end', withArg(16, 1), /^RangeError: tensor buffer too small/],
      ['offset negative', withArg(16, -1), /^RangeError: offset/],
      ['too few arguments', good().slice(0, 16), /^TypeError: expected 17 arguments/],
    ])('resizeToTensor: %s', (_name, args, expected) => {
      expect(error(resize(args))).toMatch(expected);
    });

    it('resizeToTensor: empty source with content to write', () => {
      expect(
        error(resize([new Uint8Array(0), 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, new Float32Array(3), 0])),
      ).toMatch(/^RangeError: empty source image/);
    });

    const halve =
      (...args: unknown[]) =>
      () =>
        (addon().halveImage as (...a: unknown[]) => void)(...args);
    it.each([
      ['src not a typed array', halve('abc', 1, 1, new Uint8Array(0)), /^TypeError: src/],
      ['out a Float32Array', halve(new Uint8Array(12), 2, 2, new Float32Array(3)), /^TypeError: out/],
      ['out too small', halve(new Uint8Array(12), 2, 2, new Uint8Array(2)), /^RangeError: output shorter/],
      ['src too short', halve(new Uint8Array(11), 2, 2, new Uint8Array(3)), /^RangeError: source shorter/],
      ['width negative', halve(new Uint8Array(12), -2, 2, new Uint8Array(3)), /^RangeError: width/],
      ['height NaN', halve(new Uint8Array(12), 2, Number.NaN, new Uint8Array(3)), /^RangeError: height/],
      ['width huge', halve(new Uint8Array(12), 2 ** 40, 2, new Uint8Array(3)), /^RangeError: width/],
      ['too few arguments', halve(new Uint8Array(12), 2, 2), /^TypeError: expected 4 arguments/],
    ])('halveImage: %s', (_name, f, expected) => {
      expect(error(f)).toMatch(expected);
    });
  });
});

describe('native image addon loading', () => {
  it('loads (npm run build:native), unless ARGUS_NATIVE_IMAGE=0 asks for the JS path', () => {
    if (disabled) expect(nativeImage()).toBeNull();
    else expect(addon()).not.toBeNull();
  });
});
