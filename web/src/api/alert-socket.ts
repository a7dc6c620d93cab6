import type { ServerMessage } from '../../../src/alerts/alert-messages';
import {
  initialSocketState,
  type SocketInput,
  type SocketState,
  stepSocket,
} from '../lib/alert-socket-machine';

/** The WebSocket subprotocol of /v1/alerts; the key rides along as `bearer.<KEY>`. */
const SUBPROTOCOL = 'argus.v1';

/** ws(s)://this-host/v1/alerts */
export function alertsUrl(loc: Location = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/v1/alerts`;
}

/**
 * The browser side of the alerts connection: a thin adapter that runs the pure state machine
 * (alert-socket-machine.ts) and carries out its effects with a WebSocket and timers.
 */
export class AlertSocket {
  private state: SocketState = initialSocketState();
  private ws: WebSocket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly url: string,
    private readonly key: string,
    private readonly onMessage: (msg: ServerMessage) => void,
    private readonly onState: (s: SocketState) => void,
  ) {}

  start(): void {
    this.run({ kind: 'start' });
  }

  stop(): void {
    this.run({ kind: 'stop' });
  }

  private run(input: SocketInput<ServerMessage>): void {
    const { state, effects } = stepSocket(this.state, input);
    const changed = state !== this.state;
    this.state = state;
    for (const e of effects) {
      switch (e.kind) {
        case 'connect':
          this.connect();
          break;
        case 'send':
          if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(e.msg));
          break;
        case 'deliver':
          this.onMessage(e.msg);
          break;
        case 'schedule-retry':
          clearTimeout(this.timer);
          this.timer = setTimeout(() => this.run({ kind: 'retry' }), e.delayMs);
          break;
        case 'disconnect':
          clearTimeout(this.timer);
          this.ws?.close(1000, 'dashboard closed');
          this.ws = undefined;
          break;
      }
    }
    if (changed) this.onState(state);
  }

  private connect(): void {
    const ws = new WebSocket(this.url, [SUBPROTOCOL, `bearer.${this.key}`]);
    this.ws = ws;
    // Events of a socket that was replaced (or closed by stop) are ignored.
    ws.onopen = () => ws === this.ws && this.run({ kind: 'open' });
    ws.onmessage = (ev) => {
      if (ws !== this.ws || typeof ev.data !== 'string') return;
      let msg: ServerMessage;
      try {
        msg = JSON.parse(ev.data) as ServerMessage;
      } catch {
        return;
      }
      this.run({ kind: 'message', msg });
    };
    ws.onclose = (ev) => {
      if (ws !== this.ws) return;
      this.ws = undefined;
      this.run({ kind: 'close', code: ev.code, reason: ev.reason });
    };
  }
}
