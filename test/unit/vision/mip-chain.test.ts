import type { RgbImage } from '../../../src/domain/image';
import { halveImage, MipChain } from '../../../src/vision/preprocess/mip-chain';

function ramp(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 251;
  return { width, height, data };
}

describe('MipChain.pick', () => {
  const base = ramp(64, 36);

  it('samples the full image for scales above one half', () => {
    const chain = new MipChain(base);
    expect(chain.pick(1)).toEqual({ image: base, factor: 1 });
    expect(chain.pick(0.51).factor).toBe(1);
  });

  it('takes the halved level itself for an exact halving, so the resize is a 1:1 copy', () => {
    const chain = new MipChain(base);
    const half = chain.pick(0.5);
    expect(half.factor).toBe(0.5);
    expect(half.image.width).toBe(32);
    expect(half.image.data).toEqual(halveImage(base).data);
    const quarter = chain.pick(0.25);
    expect(quarter.factor).toBe(0.25);
    expect(quarter.image).toMatchObject({ width: 16, height: 9 });
  });

  it('takes the level of a 1080p frame that a 1/6 scale (the 320 detector level) needs', () => {
    const p = new MipChain(ramp(1920, 1080)).pick(1 / 6);
    expect(p.factor).toBe(0.25);
    expect(p.image.width).toBe(480);
  });

  it('keeps the remaining scale above one half between exact halvings', () => {
    const chain = new MipChain(base);
    for (const scale of [0.9, 0.6, 0.4, 0.3, 0.2]) {
      const { factor } = chain.pick(scale);
      expect(scale / factor).toBeGreaterThan(0.5);
      expect(scale / factor).toBeLessThanOrEqual(1);
    }
  });

  it('halveImage averages 2x2 blocks with rounding', () => {
    const img: RgbImage = {
      width: 2,
      height: 2,
      data: Uint8Array.from([0, 10, 255, 1, 11, 255, 2, 12, 0, 4, 13, 1]),
    };
    expect(Array.from(halveImage(img).data)).toEqual([2, 12, 128]);
  });
});
