import type { FivePoints } from '../../../src/domain/geometry';
import type { RgbImage } from '../../../src/domain/image';
import { landmarkPlausibility } from '../../../src/vision/landmarks/five-points';
import {
  combineQuality,
  laplacianVariance,
  poseScore,
  sharpnessScore,
  sizeScore,
} from '../../../src/vision/quality/face-quality';

const frontal: FivePoints = [
  [38.3, 51.7],
  [73.5, 51.5],
  [56.0, 71.7],
  [41.5, 92.4],
  [70.7, 92.2],
];

describe('face quality', () => {
  const o = { minFaceSizeForId: 40, goodFaceSize: 80 };

  it('scores size 0 at half the identification size, 0.5 at it, 1 from the good size', () => {
    expect(sizeScore(20, o)).toBe(0);
    expect(sizeScore(40, o)).toBeCloseTo(0.5);
    expect(sizeScore(60, o)).toBeCloseTo(0.75);
    expect(sizeScore(200, o)).toBe(1);
  });

  it('scores a frontal face near 1 and a turned or rolled one lower', () => {
    expect(poseScore(frontal)).toBeGreaterThan(0.95);
    const turned: FivePoints = [frontal[0], frontal[1], [72, 71.7], frontal[3], frontal[4]];
    expect(poseScore(turned)).toBeLessThan(0.4);
    const rot = (p: readonly [number, number]): [number, number] => {
      const c = Math.cos(Math.PI / 4);
      const s = Math.sin(Math.PI / 4);
      return [c * p[0] - s * p[1], s * p[0] + c * p[1]];
    };
    const rolled = frontal.map(rot) as unknown as FivePoints;
    expect(poseScore(rolled)).toBeLessThan(poseScore(frontal));
    expect(poseScore(rolled)).toBeGreaterThan(0.3);
  });

  it('measures sharpness: texture beats a flat patch', () => {
    const flat: RgbImage = { width: 112, height: 112, data: new Uint8Array(112 * 112 * 3).fill(128) };
    const noisy: RgbImage = {
      width: 112,
      height: 112,
      data: Uint8Array.from({ length: 112 * 112 * 3 }, (_, i) => ((i * 7919) % 251) & 255),
    };
    expect(laplacianVariance(flat)).toBe(0);
    expect(sharpnessScore(flat)).toBe(0);
    expect(sharpnessScore(noisy)).toBe(1);
  });

  it('lets one bad part pull the overall quality down', () => {
    expect(combineQuality({ size: 1, sharpness: 1, pose: 1 })).toBe(1);
    expect(combineQuality({ size: 0, sharpness: 1, pose: 1 })).toBeLessThan(0.15);
    expect(combineQuality({ size: 1, sharpness: 1, pose: 0.5 })).toBeGreaterThan(0.7);
  });
});

describe('landmarkPlausibility', () => {
  const box = { x: 20, y: 30, w: 75, h: 95 };

  it('accepts a face-shaped layout', () => {
    expect(landmarkPlausibility(frontal, box)).toBe(1);
  });

  it('rejects a box too tall for a face (a hand or an arm)', () => {
    expect(landmarkPlausibility(frontal, { x: 30, y: 20, w: 50, h: 140 })).toBe(0);
  });

  it('scores a scrambled layout below the default threshold', () => {
    const flipped = frontal.map(([x, y]) => [112 - x, 144 - y] as const) as unknown as FivePoints;
    expect(landmarkPlausibility(flipped, box)).toBeLessThan(0.8);
  });
});
