import type { RgbImage } from '../../../src/domain/image';
import { resizeToTensor } from '../../../src/vision/preprocess/resize-to-tensor';

function solid(w: number, h: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set(rgb, i * 3);
  return { width: w, height: h, data };
}

describe('resizeToTensor', () => {
  it('normalises and lays out planes as CHW in RGB order', () => {
    const img = solid(8, 6, [255, 127, 0]);
    const out = new Float32Array(3 * 4 * 3);
    resizeToTensor(
      img,
      { sx: 0, sy: 0, sw: 8, sh: 6, dw: 4, dh: 3, tw: 4, th: 3 },
      { mean: 127, std: 128, colorOrder: 'RGB' },
      out,
    );
    expect(out[0]).toBeCloseTo(1);
    expect(out[12]).toBeCloseTo(0);
    expect(out[24]).toBeCloseTo(-127 / 128);
  });

  it('swaps channels for BGR and mixes them for grey', () => {
    const img = solid(4, 4, [200, 100, 50]);
    const bgr = new Float32Array(3 * 16);
    resizeToTensor(
      img,
      { sx: 0, sy: 0, sw: 4, sh: 4, dw: 4, dh: 4, tw: 4, th: 4 },
      { mean: 0, std: 1, colorOrder: 'BGR' },
      bgr,
    );
    expect(bgr[0]).toBeCloseTo(50);
    expect(bgr[32]).toBeCloseTo(200);
    const grey = new Float32Array(16);
    resizeToTensor(
      img,
      { sx: 0, sy: 0, sw: 4, sh: 4, dw: 4, dh: 4, tw: 4, th: 4 },
      { mean: 0, std: 256, colorOrder: 'GREY' },
      grey,
    );
    expect(grey[5]).toBeCloseTo((0.299 * 200 + 0.587 * 100 + 0.114 * 50) / 256, 5);
  });

  it('fills padding with the normalised pad value and writes at an offset', () => {
    const img = solid(4, 4, [127, 127, 127]);
    const out = new Float32Array(10 + 3 * 6 * 6).fill(99);
    resizeToTensor(
      img,
      { sx: 0, sy: 0, sw: 4, sh: 4, dw: 4, dh: 4, tw: 6, th: 6, padValue: 255 },
      { mean: 127, std: 128, colorOrder: 'RGB' },
      out,
      10,
    );
    expect(out[9]).toBe(99);
    expect(out[10]).toBeCloseTo(0);
    expect(out[10 + 5]).toBeCloseTo(1);
    expect(out[10 + 6 * 5]).toBeCloseTo(1);
  });

  it('copies a 1:1 region exactly (the fast path) as the bilinear path would, in every colour order', () => {
    const w = 7;
    const h = 5;
    const data = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37 + 11) % 256);
    const img: RgbImage = { width: w, height: h, data };
    const req = { sx: 1, sy: 1, sw: 4, sh: 3, dw: 4, dh: 3, tw: 6, th: 4, padValue: 0 };
    for (const colorOrder of ['RGB', 'BGR', 'GREY'] as const) {
      const spec = { mean: 127, std: 128, colorOrder };
      const channels = colorOrder === 'GREY' ? 1 : 3;
      const out = new Float32Array(channels * 24);
      resizeToTensor(img, req, spec, out);
      const expected = new Float32Array(channels * 24).fill((0 - 127) / 128);
      for (let y = 0; y < 3; y++) {
        for (let x = 0; x < 4; x++) {
          const i = ((y + 1) * w + x + 1) * 3;
          const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
          const vals =
            colorOrder === 'GREY'
              ? [r * 0.299 + g * 0.587 + b * 0.114]
              : colorOrder === 'BGR'
                ? [b, g, r]
                : [r, g, b];
          vals.forEach((v, c) => {
            expected[c * 24 + y * 6 + x] = (v - 127) / 128;
          });
        }
      }
      expect(Array.from(out).map((v) => Number(v.toFixed(4)))).toEqual(
        Array.from(expected).map((v) => Number(v.toFixed(4))),
      );
    }
  });

  it('rejects a buffer that is too small', () => {
    expect(() =>
      resizeToTensor(
        solid(2, 2, [0, 0, 0]),
        { sx: 0, sy: 0, sw: 2, sh: 2, dw: 2, dh: 2, tw: 2, th: 2 },
        { mean: 0, std: 1, colorOrder: 'RGB' },
        new Float32Array(5),
      ),
    ).toThrow(RangeError);
  });
});
