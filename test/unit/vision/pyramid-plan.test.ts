import { planPyramid } from '../../../src/vision/detect/pyramid-plan';

const o = { baseSize: 320, minFaceSize: 20, minNetFace: 12, maxLevelFaceSize: 64, align: 64 };

describe('planPyramid', () => {
  it('goes down to a 1280-wide level for 20 px faces in 1080p', () => {
    const levels = planPyramid(1920, 1080, o);
    expect(levels.map((l) => l.contentWidth)).toEqual([320, 640, 1280]);
    expect(levels.map((l) => [l.inputWidth, l.inputHeight])).toEqual([
      [320, 192],
      [640, 384],
      [1280, 768],
    ]);
    expect(levels[0]!.maxNetSize).toBe(Number.POSITIVE_INFINITY);
    expect(levels[2]!.maxNetSize).toBe(64);
  });

  it('stops earlier when only larger faces are wanted', () => {
    expect(planPyramid(1920, 1080, { ...o, minFaceSize: 40 }).map((l) => l.contentWidth)).toEqual([320, 640]);
  });

  it('uses one level for small images and never upsamples finer levels past 1:1', () => {
    expect(planPyramid(320, 240, o)).toHaveLength(1);
    expect(planPyramid(800, 600, o).map((l) => l.contentWidth)).toEqual([320, 640]);
    const levels = planPyramid(500, 400, { ...o, minFaceSize: 8 });
    expect(levels.map((l) => l.scale)).toEqual([0.64, 1]);
    expect(levels.at(-1)!.contentWidth).toBe(500);
  });

  it('skips a middle level when its neighbours already overlap enough', () => {
    // With 128 net px allowed on the finest level, 1280 sees faces 18-192 px and 320 sees >= 72 px.
    const levels = planPyramid(1920, 1080, { ...o, maxLevelFaceSize: 128 });
    expect(levels.map((l) => l.contentWidth)).toEqual([320, 1280]);
  });
});
