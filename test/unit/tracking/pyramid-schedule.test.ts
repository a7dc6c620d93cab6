import { PyramidSchedule } from '../../../src/tracking/pyramid-schedule';

function decisions(s: PyramidSchedule, sides: (number | undefined)[]): boolean[] {
  return sides.map((side) => {
    const skip = s.skipFinest(side);
    s.observe(40);
    return skip;
  });
}

describe('PyramidSchedule', () => {
  it('runs the full pyramid on the first frame and every Nth, skipping the finest level between', () => {
    const s = new PyramidSchedule({ fullEveryNFrames: 3 });
    expect(decisions(s, Array(7).fill(undefined))).toEqual([false, true, true, false, true, true, false]);
  });

  it('keeps the full pyramid while a live track is within the margin of the coarse floor', () => {
    const s = new PyramidSchedule({ fullEveryNFrames: 3, smallFaceMargin: 1.5 });
    // Floor 40 px x 1.5 = 60: a 59 px face keeps it on, a 60 px face does not.
    expect(decisions(s, [undefined, 59, 59, 60, 60, 60])).toEqual([false, false, false, false, true, true]);
  });

  it('never skips when N is 1 or when the pyramid has a single level', () => {
    const always = new PyramidSchedule({ fullEveryNFrames: 1 });
    expect(decisions(always, [undefined, undefined, 200])).toEqual([false, false, false]);
    const single = new PyramidSchedule({ fullEveryNFrames: 3 });
    const skips = [0, 1, 2].map(() => {
      const skip = single.skipFinest(undefined);
      single.observe(null);
      return skip;
    });
    expect(skips).toEqual([false, false, false]);
  });

  it('starts over with a full frame after reset', () => {
    const s = new PyramidSchedule({ fullEveryNFrames: 3 });
    decisions(s, [undefined, undefined]);
    s.reset();
    expect(decisions(s, [undefined, undefined])).toEqual([false, true]);
  });
});
