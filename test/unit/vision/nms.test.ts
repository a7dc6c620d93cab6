import { iou, nms, suppressContained } from '../../../src/vision/detect/nms';

const d = (x: number, y: number, w: number, h: number, score: number) => ({ box: { x, y, w, h }, score });

describe('nms', () => {
  it('computes IoU', () => {
    expect(iou({ x: 0, y: 0, w: 10, h: 10 }, { x: 0, y: 0, w: 10, h: 10 })).toBe(1);
    expect(iou({ x: 0, y: 0, w: 10, h: 10 }, { x: 5, y: 0, w: 10, h: 10 })).toBeCloseTo(50 / 150);
    expect(iou({ x: 0, y: 0, w: 10, h: 10 }, { x: 20, y: 20, w: 5, h: 5 })).toBe(0);
  });

  it('keeps the best-scoring box of an overlapping group, whatever its position', () => {
    const out = nms([d(0, 10, 10, 10, 0.7), d(1, 9, 10, 10, 0.9), d(50, 50, 10, 10, 0.8)], 0.3);
    expect(out.map((o) => o.score)).toEqual([0.9, 0.8]);
  });

  it('honours maxOut', () => {
    expect(nms([d(0, 0, 5, 5, 0.5), d(20, 0, 5, 5, 0.6), d(40, 0, 5, 5, 0.7)], 0.3, 2)).toHaveLength(2);
  });

  it('drops a small box lying mostly inside a bigger one', () => {
    const out = suppressContained(
      [d(0, 0, 100, 100, 0.8), d(10, 10, 20, 20, 0.95), d(90, 90, 20, 20, 0.9)],
      0.6,
    );
    expect(out.map((o) => o.score)).toEqual([0.9, 0.8]);
  });
});
