import sharp from 'sharp';
import { cropRegion, encodeFaceCrop } from '../../../src/alerts/crop-jpeg';
import { isArgusError } from '../../../src/errors/argus-error';
import { fixture } from '../../helpers/fixtures';

/** A synthetic RGB24 frame: left half red, right half blue, so the crop's position is visible. */
function frame(width: number, height: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (x < width / 2) data[i] = 255;
      else data[i + 2] = 255;
    }
  }
  return { width, height, data };
}

describe('cropRegion', () => {
  it('adds the margin on every side', () => {
    expect(cropRegion({ width: 640, height: 480 }, { x: 100, y: 100, w: 40, h: 80 }, 0.25)).toEqual({
      left: 90,
      top: 80,
      width: 60,
      height: 120,
    });
  });

  it('accepts the alert FaceBox shape too', () => {
    expect(cropRegion({ width: 640, height: 480 }, { x: 100, y: 100, width: 40, height: 80 }, 0)).toEqual({
      left: 100,
      top: 100,
      width: 40,
      height: 80,
    });
  });

  it('clamps to the frame, even for a box partly or wholly outside it', () => {
    expect(cropRegion({ width: 100, height: 100 }, { x: -20, y: 90, w: 40, h: 40 }, 0.25)).toEqual({
      left: 0,
      top: 80,
      width: 30,
      height: 20,
    });
    const r = cropRegion({ width: 100, height: 100 }, { x: 500, y: 500, w: 10, h: 10 }, 0.25);
    expect(r.left + r.width).toBeLessThanOrEqual(100);
    expect(r.width).toBeGreaterThanOrEqual(1);
    expect(r.height).toBeGreaterThanOrEqual(1);
  });
});

describe('encodeFaceCrop (real sharp)', () => {
  it('encodes the face with margin as a JPEG of the expected size and content', async () => {
    const f = frame(640, 480);
    // Face straddling the red/blue boundary at x = 320.
    const jpeg = await encodeFaceCrop(f, { x: 300, y: 200, w: 40, h: 40 });
    const meta = await sharp(jpeg).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([60, 60]);
    expect(meta.exif).toBeUndefined();
    const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) =>
      Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    expect(px(5, 30)[0]).toBeGreaterThan(200);
    expect(px(5, 30)[2]).toBeLessThan(60);
    expect(px(55, 30)[2]).toBeGreaterThan(200);
    expect(px(55, 30)[0]).toBeLessThan(60);
  });

  it('downscales to maxSide, never enlarges, and honours quality', async () => {
    const f = frame(1920, 1080);
    const big = await encodeFaceCrop(f, { x: 500, y: 200, w: 600, h: 600 });
    const meta = await sharp(big).metadata();
    expect(Math.max(meta.width!, meta.height!)).toBe(256);
    const small = await encodeFaceCrop(f, { x: 10, y: 10, w: 20, h: 20 }, { maxSide: 256 });
    expect((await sharp(small).metadata()).width).toBe(30);
    const hi = await encodeFaceCrop(f, { x: 500, y: 200, w: 600, h: 600 }, { quality: 100 });
    const lo = await encodeFaceCrop(f, { x: 500, y: 200, w: 600, h: 600 }, { quality: 20 });
    expect(hi.length).toBeGreaterThan(lo.length);
  });

  it('encodes a real face photo', async () => {
    const { data, info } = await sharp(fixture('face_recognition', 'obama.jpg'))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const jpeg = await encodeFaceCrop(
      { width: info.width, height: info.height, data },
      { x: info.width * 0.3, y: info.height * 0.2, w: info.width * 0.4, h: info.height * 0.5 },
    );
    const meta = await sharp(jpeg).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(256);
  });

  it('refuses a buffer that does not match the frame size', async () => {
    const err = await encodeFaceCrop(
      { width: 10, height: 10, data: new Uint8Array(10) },
      { x: 0, y: 0, w: 5, h: 5 },
    ).catch((e: unknown) => e);
    expect(isArgusError(err, 'ARGUS_E_IMAGE_CORRUPT')).toBe(true);
  });
});
