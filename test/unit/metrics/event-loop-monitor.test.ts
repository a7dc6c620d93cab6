import { setTimeout as sleep } from 'node:timers/promises';
import { EventLoopMonitor } from '../../../src/metrics/event-loop-monitor';

function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Deliberately hold the event loop.
  }
}

describe('EventLoopMonitor', () => {
  it('detects a deliberate 200 ms block in max, and forgets it after two windows', async () => {
    const m = new EventLoopMonitor({ resolutionMs: 10, windowSec: 1 });
    try {
      await sleep(300);
      const before = m.snapshot();
      block(200);
      await sleep(50);
      const after = m.snapshot();
      expect(after.max).toBeGreaterThanOrEqual(180);
      expect(after.max).toBeGreaterThan(before.max);
      expect(after.p50).toBeLessThan(after.max);
      // The window rolls: two windows later the block is out of it (a busy machine may add lag,
      // but not another 200 ms stall on purpose).
      await sleep(2300);
      expect(m.snapshot().max).toBeLessThan(after.max);
    } finally {
      m.stop();
    }
  });

  it('reads ~0 before any sample and after stop does not keep the process alive', () => {
    const m = new EventLoopMonitor();
    expect(m.snapshot()).toEqual({ p50: 0, p99: 0, max: 0 });
    m.stop();
  });
});
