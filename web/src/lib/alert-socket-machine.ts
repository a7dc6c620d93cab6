import type { ClientMessage } from '../../../src/alerts/alert-messages';

/**
 * The live-alerts connection as a pure state machine: the browser adapter (alert-socket.ts) feeds
 * it what happened (opened, a message, closed, a timer fired) and carries out the effects it
 * returns (connect, send, schedule a retry). Kept free of WebSocket and timers so reconnection,
 * backoff and resume are unit-tested without a server.
 *
 * Protocol: the first connection sends `subscribe`; a later one sends `resume` from the newest
 * event id seen (the server replays what was missed, or says `gap`), then `subscribe` again, whose
 * `subscribed` answer proves the connection works and resets the backoff.
 */

export type SocketStatus = 'connecting' | 'open' | 'waiting' | 'stopped';

export interface SocketState {
  status: SocketStatus;
  /** Connections that failed since the last one that answered `subscribed`. */
  attempt: number;
  /** Newest event id seen (or the server's newest at subscribe time); null before any. */
  lastEventId: number | null;
  /** Why the last connection ended (shown next to the indicator). */
  detail?: string;
  /** When waiting: the delay before the next try. */
  retryInMs?: number;
}

/** The fields of a server message the machine looks at; the app gets the whole message. */
export interface ServerMessageLike {
  type: string;
  eventId?: number;
  lastEventId?: number;
  error?: { code: string; message: string };
}

export type SocketInput<M extends ServerMessageLike = ServerMessageLike> =
  | { kind: 'start' }
  | { kind: 'open' }
  | { kind: 'message'; msg: M }
  | { kind: 'close'; code: number; reason: string }
  | { kind: 'retry' }
  | { kind: 'stop' };

export type SocketEffect<M extends ServerMessageLike = ServerMessageLike> =
  | { kind: 'connect' }
  | { kind: 'send'; msg: ClientMessage }
  | { kind: 'deliver'; msg: M }
  | { kind: 'schedule-retry'; delayMs: number }
  | { kind: 'disconnect' };

export interface Step<M extends ServerMessageLike> {
  state: SocketState;
  effects: SocketEffect<M>[];
}

/** Close codes after which retrying cannot help (the hub's `revoked`). */
const TERMINAL_CLOSE: Record<number, string> = { 4001: 'API key revoked' };

export const BACKOFF = { baseMs: 500, maxMs: 30_000 } as const;

/**
 * Delay before retry number `attempt` (1-based): exponential, capped, with jitter in [50 %, 100 %]
 * so a restarted server is not hit by every dashboard at the same instant.
 */
export function backoffDelay(attempt: number, random: number): number {
  const ceiling = Math.min(BACKOFF.maxMs, BACKOFF.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + 0.5 * Math.min(1, Math.max(0, random))));
}

export function initialSocketState(): SocketState {
  return { status: 'stopped', attempt: 0, lastEventId: null };
}

export function stepSocket<M extends ServerMessageLike>(
  s: SocketState,
  input: SocketInput<M>,
  random: () => number = Math.random,
): Step<M> {
  switch (input.kind) {
    case 'start':
      if (s.status !== 'stopped') return { state: s, effects: [] };
      return { state: { ...s, status: 'connecting', detail: undefined }, effects: [{ kind: 'connect' }] };
    case 'open': {
      if (s.status !== 'connecting') return { state: s, effects: [] };
      const effects: SocketEffect<M>[] = [];
      if (s.lastEventId !== null) {
        effects.push({ kind: 'send', msg: { type: 'resume', lastEventId: s.lastEventId } });
      }
      effects.push({ kind: 'send', msg: { type: 'subscribe' } });
      return { state: { ...s, status: 'open', retryInMs: undefined }, effects };
    }
    case 'message':
      return onMessage(s, input.msg);
    case 'close': {
      if (s.status === 'stopped') return { state: s, effects: [] };
      const terminal = TERMINAL_CLOSE[input.code];
      if (terminal) {
        return { state: { ...s, status: 'stopped', detail: terminal, retryInMs: undefined }, effects: [] };
      }
      const attempt = s.attempt + 1;
      const delayMs = backoffDelay(attempt, random());
      const detail = input.reason
        ? `closed (${input.code}): ${input.reason}`
        : `connection lost (${input.code})`;
      return {
        state: { ...s, status: 'waiting', attempt, detail, retryInMs: delayMs },
        effects: [{ kind: 'schedule-retry', delayMs }],
      };
    }
    case 'retry':
      if (s.status !== 'waiting') return { state: s, effects: [] };
      return { state: { ...s, status: 'connecting', retryInMs: undefined }, effects: [{ kind: 'connect' }] };
    case 'stop':
      if (s.status === 'stopped') return { state: s, effects: [] };
      return {
        state: { ...s, status: 'stopped', detail: 'stopped', retryInMs: undefined },
        effects: [{ kind: 'disconnect' }],
      };
  }
}

function onMessage<M extends ServerMessageLike>(s: SocketState, msg: M): Step<M> {
  if (msg.type === 'subscribed') {
    const lastEventId = s.lastEventId ?? msg.lastEventId ?? null;
    return {
      state: { ...s, attempt: 0, lastEventId, detail: undefined },
      effects: [{ kind: 'deliver', msg }],
    };
  }
  if (msg.type === 'error' && msg.error?.code === 'ARGUS_E_WS_RESUME_FUTURE') {
    // The server's ids restarted below ours (a new data directory): start over from its newest,
    // which the `subscribe` sent right after the resume will tell.
    return { state: { ...s, lastEventId: null }, effects: [{ kind: 'deliver', msg }] };
  }
  if (typeof msg.eventId === 'number') {
    // A replay can overlap what was already shown; each event is delivered once.
    if (s.lastEventId !== null && msg.eventId <= s.lastEventId) return { state: s, effects: [] };
    return { state: { ...s, lastEventId: msg.eventId }, effects: [{ kind: 'deliver', msg }] };
  }
  return { state: s, effects: [{ kind: 'deliver', msg }] };
}
