import { cropAround } from '../../../src/pipeline/crop-region';
import { RollingStats } from '../../../src/pipeline/rolling-stats';

describe('RollingStats', () => {
  it('reports fps over the window and latency percentiles over the last samples', () => {
    const s = new RollingStats(100, 10_000);
    expect(s.latency()).toBeNull();
    expect(s.fps(0)).toBe(0);
    for (let i = 0; i <= 50; i++) s.record(i * 100, i === 50 ? 500 : 20);
    expect(s.fps(5000)).toBeCloseTo(10, 0);
    expect(s.latency()).toEqual({ p50: 20, p99: 500 });
    // 20 s later nothing is recent.
    expect(s.fps(25_000)).toBe(0);
  });

  it('keeps only the newest samples', () => {
    const s = new RollingStats(10, 10_000);
    for (let i = 0; i < 10; i++) s.record(i, 1000);
    for (let i = 0; i < 10; i++) s.record(10 + i, 5);
    expect(s.latency()).toEqual({ p50: 5, p99: 5 });
  });
});

describe('cropAround', () => {
  const W = 10;
  const H = 8;
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) data.set([i, i, i], i * 3);

  it('copies the box plus a margin, with the face box in crop coordinates', () => {
    const c = cropAround({ width: W, height: H, data }, { x: 4, y: 4, w: 2, h: 2 }, 0.5);
    expect([c.width, c.height]).toEqual([4, 4]);
    expect(c.face).toEqual({ x: 1, y: 1, w: 2, h: 2 });
    expect(c.data[0]).toBe(3 * W + 3);
  });

  it('clamps to the frame', () => {
    const c = cropAround({ width: W, height: H, data }, { x: -5, y: 6, w: 20, h: 10 });
    expect(c.width).toBeLessThanOrEqual(W);
    expect(c.height).toBeLessThanOrEqual(H);
    expect(c.data.length).toBe(c.width * c.height * 3);
  });
});
