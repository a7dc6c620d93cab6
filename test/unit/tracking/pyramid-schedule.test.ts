import { PyramidSchedule } from '../../../src/tracking/pyramid-schedule';

/** A 720p stream's floors: all levels 20 px, without the 1280 level 24 px, without 640 too 48 px. */
const FLOORS = [20, 24, 48];

function decisions(s: PyramidSchedule, sides: (number | undefined)[], floors = FLOORS): number[] {
  return sides.map((side) => {
    const skip = s.skipLevels(side);
    s.observe(floors);
    return skip;
  });
}

describe('PyramidSchedule', () => {
  it('runs the full pyramid on the first frame and every Nth, only the coarsest level between when nothing is tracked', () => {
    const s = new PyramidSchedule({ fullEveryNFrames: 3 });
    expect(decisions(s, Array(7).fill(undefined))).toEqual([0, 2, 2, 0, 2, 2, 0]);
  });

  it('keeps every level the smallest live track needs, within the margin', () => {
    const s = new PyramidSchedule({ fullEveryNFrames: 100, smallFaceMargin: 1.5 });
    // Coarsest only needs faces >= 48 x 1.5 = 72 px; 320+640 needs >= 24 x 1.5 = 36 px.
    expect(decisions(s, [undefined, 72, 71.9, 36, 35.9, 200])).toEqual([0, 2, 1, 1, 0, 2]);
  });

  it('never skips when N is 1 or when the pyramid has a single level', () => {
    const always = new PyramidSchedule({ fullEveryNFrames: 1 });
    expect(decisions(always, [undefined, undefined, 200])).toEqual([0, 0, 0]);
    const single = new PyramidSchedule({ fullEveryNFrames: 3 });
    expect(decisions(single, [undefined, undefined, undefined], [20])).toEqual([0, 0, 0]);
  });

  it('follows a change of frame size (the floors of the new size apply from the next frame)', () => {
    const s = new PyramidSchedule({ fullEveryNFrames: 100 });
    expect(decisions(s, [undefined, undefined], [20, 36])).toEqual([0, 1]);
    expect(decisions(s, [undefined], FLOORS)).toEqual([1]);
    expect(decisions(s, [undefined], FLOORS)).toEqual([2]);
  });

  it('a phase shifts the full frames, so streams started together do not run them at once', () => {
    const a = new PyramidSchedule({ fullEveryNFrames: 3, phase: 0 });
    const b = new PyramidSchedule({ fullEveryNFrames: 3, phase: 1 });
    const none = Array(7).fill(undefined);
    // Frame 0 is always full (the floors are not known yet); then every 3rd, shifted by the phase.
    expect(decisions(a, none)).toEqual([0, 2, 2, 0, 2, 2, 0]);
    expect(decisions(b, none)).toEqual([0, 2, 0, 2, 2, 0, 2]);
  });

  it('starts over with a full frame after reset', () => {
    const s = new PyramidSchedule({ fullEveryNFrames: 3 });
    decisions(s, [undefined, undefined]);
    s.reset();
    expect(decisions(s, [undefined, undefined])).toEqual([0, 2]);
  });
});
