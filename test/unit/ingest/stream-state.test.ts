import {
  initialStatus,
  reduceStatus,
  type StreamEvent,
  type StreamState,
  type StreamStatus,
  transition,
} from '../../../src/ingest/stream-state';

const retryable: StreamEvent = {
  type: 'exited',
  error: { code: 'ARGUS_E_SOURCE_REFUSED', message: 'refused', retryable: true },
};
const fatal: StreamEvent = {
  type: 'exited',
  error: { code: 'ARGUS_E_SOURCE_AUTH', message: '401', retryable: false },
};
const configError: StreamEvent = {
  type: 'config-error',
  error: { code: 'ARGUS_E_SOURCE_URL_INVALID', message: 'bad', retryable: false },
};
const watchdog: StreamEvent = {
  type: 'watchdog',
  message: 'No frame from the source for 5 s; FFmpeg was restarted',
};
const EVENTS: Record<string, StreamEvent> = {
  spawned: { type: 'spawned' },
  frame: { type: 'frame' },
  'exited(retryable)': retryable,
  'exited(fatal)': fatal,
  watchdog,
  stop: { type: 'stop' },
  'config-error': configError,
};

describe('transition', () => {
  // The whole table, so a change to any cell is a visible change to this test.
  const expected: Record<StreamState, StreamState[]> = {
    //             spawned       frame           exited(r)       exited(f)       watchdog        stop       config-error
    starting: ['starting', 'live', 'reconnecting', 'failed', 'reconnecting', 'stopped', 'failed'],
    live: ['starting', 'live', 'reconnecting', 'failed', 'reconnecting', 'stopped', 'failed'],
    reconnecting: [
      'starting',
      'reconnecting',
      'reconnecting',
      'reconnecting',
      'reconnecting',
      'stopped',
      'failed',
    ],
    failed: ['failed', 'failed', 'failed', 'failed', 'failed', 'stopped', 'failed'],
    stopped: ['stopped', 'stopped', 'stopped', 'stopped', 'stopped', 'stopped', 'stopped'],
  };
  for (const [from, row] of Object.entries(expected) as [StreamState, StreamState[]][]) {
    it(`from ${from}`, () => {
      const actual = Object.values(EVENTS).map((e) => transition(from, e));
      expect(actual).toEqual(row);
    });
  }
});

describe('reduceStatus', () => {
  function run(events: [StreamEvent, number][], start = initialStatus(0)): StreamStatus {
    return events.reduce((s, [e, at]) => reduceStatus(s, e, at), start);
  }

  it('starts in starting with zero counters', () => {
    expect(initialStatus(1234)).toEqual({
      state: 'starting',
      framesDecoded: 0,
      framesDropped: 0,
      restarts: 0,
      fps: 0,
      startedAt: 1234,
    });
  });

  it('goes live on the first frame and measures fps from frame intervals', () => {
    const events: [StreamEvent, number][] = [[{ type: 'spawned' }, 0]];
    for (let i = 0; i < 50; i++) events.push([{ type: 'frame' }, 1000 + i * 100]);
    const s = run(events);
    expect(s.state).toBe('live');
    expect(s.framesDecoded).toBe(50);
    expect(s.lastFrameAt).toBe(1000 + 49 * 100);
    expect(s.fps).toBeCloseTo(10, 5);
    expect(s.restarts).toBe(0);
  });

  it('records the exit error, counts the restart, and resets fps while reconnecting', () => {
    const s = run([
      [{ type: 'spawned' }, 0],
      [{ type: 'frame' }, 100],
      [{ type: 'frame' }, 200],
      [retryable, 300],
    ]);
    expect(s).toMatchObject({
      state: 'reconnecting',
      fps: 0,
      lastError: { code: 'ARGUS_E_SOURCE_REFUSED', at: 300 },
    });
    const again = run([[{ type: 'spawned' }, 900]], s);
    expect(again).toMatchObject({ state: 'starting', restarts: 1 });
  });

  it('after a watchdog kill, the dying process exit does not overwrite the stall or fail the stream', () => {
    const s = run([
      [{ type: 'spawned' }, 0],
      [{ type: 'frame' }, 100],
      [watchdog, 5100],
      [fatal, 5200],
    ]);
    expect(s.state).toBe('reconnecting');
    expect(s.lastError).toEqual({ code: 'ARGUS_E_SOURCE_STALLED', message: watchdog.message, at: 5100 });
  });

  it('goes to failed on a non-retryable error and stays there until stopped', () => {
    const failed = run([
      [{ type: 'spawned' }, 0],
      [fatal, 50],
      [{ type: 'spawned' }, 60],
      [{ type: 'frame' }, 70],
    ]);
    expect(failed).toMatchObject({
      state: 'failed',
      framesDecoded: 0,
      lastError: { code: 'ARGUS_E_SOURCE_AUTH' },
    });
    expect(run([[{ type: 'stop' }, 80]], failed).state).toBe('stopped');
  });

  it('ignores everything once stopped', () => {
    const stopped = run([[{ type: 'stop' }, 1]]);
    expect(
      run(
        [
          [{ type: 'frame' }, 2],
          [configError, 3],
        ],
        stopped,
      ),
    ).toBe(stopped);
  });
});
