import { isArgusError } from '../../../src/errors/argus-error';
import { Backoff } from '../../../src/ingest/backoff';

/** random() returning the given values in turn (then the last one for ever). */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
}

describe('Backoff (equal jitter)', () => {
  it('doubles the ceiling from 500 ms to the 30 s cap; with random()=0 the delay is half the ceiling', () => {
    const b = new Backoff({ random: () => 0 });
    const delays = Array.from({ length: 10 }, (_, i) => b.next(i));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 15000, 15000, 15000, 15000]);
    expect(b.attempts).toBe(10);
  });

  it('with random() near 1 the delay approaches the ceiling, never beyond', () => {
    const b = new Backoff({ random: () => 0.999999 });
    const delays = Array.from({ length: 9 }, (_, i) => b.next(i));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('is deterministic for an injected random and stays within [ceiling/2, ceiling]', () => {
    const run = () => {
      const b = new Backoff({ random: sequence(0.1, 0.9, 0.5, 0.3) });
      return [b.next(0), b.next(0), b.next(0), b.next(0)];
    };
    expect(run()).toEqual(run());
    expect(run()).toEqual([275, 950, 1500, 2600]);
  });

  it('does not overflow after very many failures', () => {
    const b = new Backoff({ random: () => 0.5 });
    let last = 0;
    for (let i = 0; i < 5000; i++) last = b.next(i);
    expect(last).toBe(22500);
  });

  it('resets the attempt counter after an attempt stayed healthy for healthyResetMs', () => {
    const b = new Backoff({ random: () => 0 });
    for (let i = 0; i < 6; i++) b.next(0);
    b.onAttemptStart(1000);
    b.markHealthy(2000); // first frame
    b.markHealthy(30_000); // later frames do not move the start of the healthy period
    expect(b.next(62_000)).toBe(250);
    expect(b.attempts).toBe(1);
  });

  it('keeps growing when the attempt was healthy for less than that', () => {
    const b = new Backoff({ random: () => 0 });
    b.next(0);
    b.next(0);
    b.onAttemptStart(1000);
    b.markHealthy(2000);
    expect(b.next(61_999)).toBe(1000);
  });

  it('does not count health from a previous attempt', () => {
    const b = new Backoff({ random: () => 0 });
    b.next(0);
    b.onAttemptStart(0);
    b.markHealthy(0);
    b.onAttemptStart(100_000); // new attempt: never healthy
    expect(b.next(200_000)).toBe(500);
  });

  it('reset() starts over', () => {
    const b = new Backoff({ random: () => 0 });
    b.next(0);
    b.next(0);
    b.reset();
    expect(b.next(0)).toBe(250);
  });

  it('rejects nonsensical options as a configuration error', () => {
    for (const options of [{ initialMs: 0 }, { maxMs: 10 }, { factor: 0.5 }, { healthyResetMs: -1 }]) {
      let thrown: unknown;
      try {
        new Backoff(options);
      } catch (err) {
        thrown = err;
      }
      expect(isArgusError(thrown, 'ARGUS_E_CONFIG_INVALID')).toBe(true);
    }
  });
});
