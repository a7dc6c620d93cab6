import {
  boxToMeasurement,
  invertInPlace,
  KalmanBoxFilter,
  measurementToBox,
} from '../../../src/tracking/kalman-box-filter';

describe('invertInPlace', () => {
  it('inverts a 4x4 matrix', () => {
    const a = [4, 1, 0, 0, 1, 3, 1, 0, 0, 1, 2, 1, 0, 0, 1, 5];
    const inv = Float64Array.from(a);
    expect(invertInPlace(inv, 4)).toBe(true);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += a[i * 4 + k]! * inv[k * 4 + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });

  it('reports a singular matrix', () => {
    expect(invertInPlace(Float64Array.from([1, 2, 2, 4]), 2)).toBe(false);
  });
});

describe('KalmanBoxFilter', () => {
  it('round-trips boxes through the measurement space', () => {
    const b = { x: 10, y: 20, w: 40, h: 80 };
    const m = boxToMeasurement(b);
    expect(m).toEqual([30, 60, 3200, 0.5]);
    const back = measurementToBox(m[0]!, m[1]!, m[2]!, m[3]!);
    expect(back.x).toBeCloseTo(10);
    expect(back.y).toBeCloseTo(20);
    expect(back.w).toBeCloseTo(40);
    expect(back.h).toBeCloseTo(80);
  });

  it('keeps a stationary box where it is', () => {
    const f = new KalmanBoxFilter({ x: 100, y: 100, w: 50, h: 50 });
    for (let i = 0; i < 10; i++) {
      f.predict(1);
      f.update({ x: 100, y: 100, w: 50, h: 50 });
    }
    const p = f.predict(1);
    expect(p.x).toBeCloseTo(100, 1);
    expect(p.w).toBeCloseTo(50, 1);
  });

  it('learns a constant velocity and extrapolates it', () => {
    const f = new KalmanBoxFilter({ x: 0, y: 50, w: 40, h: 40 });
    for (let i = 1; i <= 20; i++) {
      f.predict(1);
      f.update({ x: 8 * i, y: 50 - 2 * i, w: 40, h: 40 });
    }
    expect(f.velocity().vx).toBeCloseTo(8, 0);
    expect(f.velocity().vy).toBeCloseTo(-2, 0);
    const p = f.predict(3); // three frames ahead (e.g. missed detections)
    expect(p.x).toBeCloseTo(8 * 23, -1);
    expect(p.y).toBeCloseTo(50 - 2 * 23, -1);
    expect(p.w).toBeCloseTo(40, 0);
  });

  it('treats a non-positive or non-finite dt as no time passing', () => {
    const f = new KalmanBoxFilter({ x: 5, y: 5, w: 10, h: 10 });
    expect(f.predict(0)).toEqual(f.box());
    expect(f.predict(Number.NaN)).toEqual(f.box());
    expect(f.predict(-2)).toEqual(f.box());
  });

  it('never predicts a box with no size when the area shrinks fast', () => {
    const f = new KalmanBoxFilter({ x: 0, y: 0, w: 100, h: 100 });
    for (const w of [80, 60, 40, 20]) {
      f.predict(1);
      f.update({ x: 0, y: 0, w, h: w });
    }
    const p = f.predict(20);
    expect(p.w).toBeGreaterThan(0);
    expect(p.h).toBeGreaterThan(0);
    expect(Number.isFinite(p.x)).toBe(true);
  });
});
