import type { RgbImage } from '../../../src/domain/image';
import { warpFace } from '../../../src/vision/align/warp-face';

function gradient(w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      data[i] = x;
      data[i + 1] = y;
      data[i + 2] = 100;
    }
  return { width: w, height: h, data };
}

describe('warpFace', () => {
  it('copies pixels under a pure translation', () => {
    const img = gradient(200, 200);
    const out = warpFace(img, { a: 1, b: 0, tx: -50, ty: -20 }, 8);
    // output (u, v) reads source (u + 50, v + 20)
    expect(out.data[0]).toBe(50);
    expect(out.data[1]).toBe(20);
    expect(out.data[(3 * 8 + 5) * 3]).toBe(55);
    expect(out.data[(3 * 8 + 5) * 3 + 1]).toBe(23);
  });

  it('interpolates bilinearly under a 2x zoom', () => {
    const img = gradient(100, 100);
    const out = warpFace(img, { a: 2, b: 0, tx: 0, ty: 0 }, 4);
    expect(out.data[3]).toBe(1); // u = 1 reads x = 0.5 -> 0.5 rounds to 1
    expect(out.data[6]).toBe(1);
  });

  it('repeats edge pixels outside the image instead of reading garbage', () => {
    const img = gradient(10, 10);
    const out = warpFace(img, { a: 1, b: 0, tx: 5, ty: 5 }, 4);
    expect(out.data[0]).toBe(0);
    expect(out.data[1]).toBe(0);
  });
});
