import {
  BACKOFF,
  backoffDelay,
  initialSocketState,
  type ServerMessageLike,
  type SocketEffect,
  type SocketInput,
  type SocketState,
  stepSocket,
} from '../../../web/src/lib/alert-socket-machine';

/** Runs inputs through the machine, collecting every effect (random fixed at 1: the full delay). */
function run(inputs: SocketInput[], from: SocketState = initialSocketState()) {
  let state = from;
  const effects: SocketEffect[] = [];
  for (const input of inputs) {
    const r = stepSocket(state, input, () => 1);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

const msg = (m: ServerMessageLike): SocketInput => ({ kind: 'message', msg: m });
const sent = (effects: SocketEffect[]) => effects.flatMap((e) => (e.kind === 'send' ? [e.msg] : []));
const delivered = (effects: SocketEffect[]) => effects.flatMap((e) => (e.kind === 'deliver' ? [e.msg] : []));

describe('alerts connection state machine', () => {
  test('first connection subscribes; `subscribed` sets the resume point', () => {
    const r = run([{ kind: 'start' }, { kind: 'open' }, msg({ type: 'subscribed', lastEventId: 41 })]);
    expect(r.effects[0]).toEqual({ kind: 'connect' });
    expect(sent(r.effects)).toEqual([{ type: 'subscribe' }]);
    expect(r.state).toMatchObject({ status: 'open', attempt: 0, lastEventId: 41 });
  });

  test('events advance lastEventId; a reconnect resumes from it, then subscribes again', () => {
    const a = run([
      { kind: 'start' },
      { kind: 'open' },
      msg({ type: 'subscribed', lastEventId: 0 }),
      msg({ type: 'alert', eventId: 1 }),
      msg({ type: 'stream-status', eventId: 2 }),
      { kind: 'close', code: 1006, reason: '' },
    ]);
    expect(a.state).toMatchObject({ status: 'waiting', attempt: 1, lastEventId: 2 });
    expect(a.effects.at(-1)).toEqual({ kind: 'schedule-retry', delayMs: BACKOFF.baseMs });
    const b = run([{ kind: 'retry' }, { kind: 'open' }], a.state);
    expect(b.effects[0]).toEqual({ kind: 'connect' });
    expect(sent(b.effects)).toEqual([{ type: 'resume', lastEventId: 2 }, { type: 'subscribe' }]);
  });

  test('replayed events already seen are dropped; new ones delivered once', () => {
    const r = run([
      { kind: 'start' },
      { kind: 'open' },
      msg({ type: 'subscribed', lastEventId: 5 }),
      msg({ type: 'alert', eventId: 4 }),
      msg({ type: 'alert', eventId: 6 }),
      msg({ type: 'alert', eventId: 6 }),
      msg({ type: 'gap', eventId: undefined }),
    ]);
    expect(delivered(r.effects).map((m) => [m.type, m.eventId])).toEqual([
      ['subscribed', undefined],
      ['alert', 6],
      ['gap', undefined],
    ]);
    expect(r.state.lastEventId).toBe(6);
  });

  test('backoff doubles per failed attempt up to the cap and resets after `subscribed`', () => {
    let s = run([{ kind: 'start' }]).state;
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      const r = run([{ kind: 'close', code: 1006, reason: '' }], s);
      const d = r.effects.find((e) => e.kind === 'schedule-retry');
      delays.push(d && d.kind === 'schedule-retry' ? d.delayMs : -1);
      s = run([{ kind: 'retry' }], r.state).state;
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    s = run([{ kind: 'open' }, msg({ type: 'subscribed', lastEventId: 0 })], s).state;
    expect(s.attempt).toBe(0);
  });

  test('jitter keeps the delay between half and all of the ceiling', () => {
    expect(backoffDelay(1, 0)).toBe(250);
    expect(backoffDelay(1, 1)).toBe(500);
    expect(backoffDelay(3, 0.5)).toBe(1500);
    expect(backoffDelay(50, 0)).toBe(15000);
  });

  test('a revoked key (4001) stops for good; stop() disconnects and ignores the close', () => {
    const r = run([
      { kind: 'start' },
      { kind: 'open' },
      { kind: 'close', code: 4001, reason: 'api key revoked' },
    ]);
    expect(r.state).toMatchObject({ status: 'stopped', detail: 'API key revoked' });
    expect(r.effects.some((e) => e.kind === 'schedule-retry')).toBe(false);
    const s = run([
      { kind: 'start' },
      { kind: 'open' },
      { kind: 'stop' },
      { kind: 'close', code: 1000, reason: '' },
    ]);
    expect(s.state.status).toBe('stopped');
    expect(s.effects.filter((e) => e.kind === 'disconnect')).toHaveLength(1);
    expect(s.effects.some((e) => e.kind === 'schedule-retry')).toBe(false);
  });

  test('a resume the server cannot serve (ids restarted) falls back to its newest id', () => {
    const first = run([
      { kind: 'start' },
      { kind: 'open' },
      msg({ type: 'subscribed', lastEventId: 900 }),
      { kind: 'close', code: 1001, reason: 'server shutting down' },
      { kind: 'retry' },
      { kind: 'open' },
    ]);
    expect(first.state.detail).toBe('closed (1001): server shutting down');
    const r = run(
      [
        msg({ type: 'error', error: { code: 'ARGUS_E_WS_RESUME_FUTURE', message: 'future' } }),
        msg({ type: 'subscribed', lastEventId: 3 }),
        msg({ type: 'alert', eventId: 4 }),
      ],
      first.state,
    );
    expect(r.state.lastEventId).toBe(4);
    expect(delivered(r.effects).map((m) => m.type)).toEqual(['error', 'subscribed', 'alert']);
  });

  test('inputs that do not fit the state change nothing', () => {
    const idle = initialSocketState();
    expect(stepSocket(idle, { kind: 'open' }).effects).toEqual([]);
    expect(stepSocket(idle, { kind: 'retry' }).effects).toEqual([]);
    const open = run([{ kind: 'start' }, { kind: 'open' }]).state;
    expect(stepSocket(open, { kind: 'start' }).effects).toEqual([]);
    expect(stepSocket(open, { kind: 'retry' }).effects).toEqual([]);
  });
});
