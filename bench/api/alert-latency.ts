import WebSocket from 'ws';

/**
 * A WebSocket subscriber that records, for each alert, receive time minus the alert's
 * captureTime (frame captured -> alert on the client, in ms; same host, same clock). `mark()`
 * starts a new phase, so one connection measures idle and loaded periods.
 */
export class AlertLatencyProbe {
  private readonly ws: WebSocket;
  private phase = 'idle';
  readonly samples = new Map<string, number[]>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const received = Date.now();
      let msg: { type?: string; captureTime?: string };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return;
      }
      if (msg.type !== 'alert' || typeof msg.captureTime !== 'string') return;
      const list = this.samples.get(this.phase) ?? [];
      list.push(received - Date.parse(msg.captureTime));
      this.samples.set(this.phase, list);
    });
  }

  static async connect(url: string, key: string): Promise<AlertLatencyProbe> {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${key}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'subscribe' }));
    return new AlertLatencyProbe(ws);
  }

  mark(phase: string): void {
    this.phase = phase;
  }

  of(phase: string): number[] {
    return this.samples.get(phase) ?? [];
  }

  close(): void {
    this.ws.terminate();
  }
}
