/**
 * The fan-out benchmark's subscribers, in their own process (forked by fanout.ts) so receiving
 * 100,000 messages a second does not run on the server's event loop. Opens N real `ws` clients,
 * subscribes them, and measures receive time - emitTime of each alert in 1 ms bins. One client
 * subscribes to everything and then stops reading (its socket paused): the server must cut it off.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { ClientsReport, FromClients, ToClients } from './fanout-protocol';
import { LatencyHistogram } from './latency-histogram';

const CONNECT_CONCURRENCY = 16;
const EMIT_KEY = '"emitTime":"';

function send(msg: FromClients): void {
  process.send?.(msg);
}

interface Client {
  ws: WebSocket;
  received: number;
  closed: boolean;
}

let burstStartMs = Number.POSITIVE_INFINITY;
const perSecond: LatencyHistogram[] = [];
const clients: Client[] = [];
let stalled: { ws: WebSocket; received: number; code: number | null; reason: string; at: number | null };
const lag = monitorEventLoopDelay({ resolution: 10 });

function onAlert(c: Client, data: Buffer): void {
  const now = Date.now();
  const text = data.toString('utf8');
  // Cheap on purpose: a full JSON.parse of every message would make this process the bottleneck.
  if (!text.startsWith('{"v":1,"type":"alert"')) return;
  const i = text.indexOf(EMIT_KEY);
  if (i < 0) return;
  const emit = Date.parse(text.slice(i + EMIT_KEY.length, i + EMIT_KEY.length + 24));
  if (emit < burstStartMs) return;
  c.received++;
  const second = Math.floor((emit - burstStartMs) / 1000);
  perSecond[second] ??= new LatencyHistogram();
  perSecond[second]!.add(now - emit);
}

function open(url: string, key: string, filter: Record<string, unknown>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${key}` }, perMessageDeflate: false });
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate();
      reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }));
    });
    ws.once('error', reject);
    ws.once('open', () => {
      ws.send(JSON.stringify({ v: 1, type: 'subscribe', ...filter }));
      ws.once('message', (data: Buffer) => {
        const msg = JSON.parse(data.toString('utf8')) as { type: string };
        if (msg.type === 'subscribed') resolve(ws);
        else reject(new Error(`expected subscribed, got ${msg.type}`));
      });
    });
  });
}

async function connectAll(m: Extract<ToClients, { type: 'connect' }>): Promise<number> {
  let retries = 0;
  const one = async (i: number): Promise<WebSocket> => {
    const key = m.keys[Math.floor(i / m.perKey)]!;
    const filter = i === m.stalledIndex ? {} : m.filter;
    for (let attempt = 0; ; attempt++) {
      try {
        return await open(m.url, key, filter);
      } catch (err) {
        const status = (err as { status?: number }).status;
        // 503: too many key checks in flight; retry like a real client would.
        if ((status !== 503 && status !== 429) || attempt > 50) throw err;
        retries++;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 400));
      }
    }
  };
  // The first connection of each key runs scrypt on the server; its other connections hit the
  // server's verification cache. Opening them all at once would run scrypt once per connection.
  const firstOfKey = Array.from({ length: m.clients }, (_, i) => i).filter((i) => i % m.perKey === 0);
  const rest = Array.from({ length: m.clients }, (_, i) => i).filter((i) => i % m.perKey !== 0);
  for (const batch of [firstOfKey, rest]) {
    let next = 0;
    const worker = async () => {
      while (next < batch.length) await connectOne(batch[next++]!);
    };
    await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  }
  return retries;

  async function connectOne(i: number): Promise<void> {
    const ws = await one(i);
    if (i === m.stalledIndex) {
      stalled = { ws, received: 0, code: null, reason: '', at: null };
      ws.on('message', () => stalled.received++);
      ws.on('close', (code, reason) => {
        stalled.code = code;
        stalled.reason = reason.toString();
        stalled.at = Date.now() - burstStartMs;
      });
      ws.on('error', () => undefined);
      // Stop reading: the kernel buffers fill, then the server's send buffer grows.
      ws.pause();
      return;
    }
    const c: Client = { ws, received: 0, closed: false };
    ws.on('message', (data: Buffer) => onAlert(c, data));
    ws.on('close', () => {
      c.closed = true;
    });
    ws.on('error', () => undefined);
    clients.push(c);
  }
}

function report(): ClientsReport {
  const counts = clients.map((c) => c.received);
  return {
    type: 'report',
    perSecond: Array.from({ length: perSecond.length }, (_, i) => perSecond[i]?.toSparse() ?? []),
    receivedMin: Math.min(...counts),
    receivedMax: Math.max(...counts),
    closedOrdinary: clients.filter((c) => c.closed).length,
    stalled: {
      closeCode: stalled?.code ?? null,
      closeReason: stalled?.reason ?? '',
      closedAtMs: stalled?.at ?? null,
      received: stalled?.received ?? 0,
    },
    // Delay beyond the 10 ms sampling period, as src/metrics/event-loop-monitor.ts reports it.
    clientLoopLagP99Ms: Math.max(0, Math.round((lag.percentile(99) / 1e6 - 10) * 10) / 10),
  };
}

process.on('message', (m: ToClients) => {
  if (m.type === 'connect') {
    const t0 = Date.now();
    connectAll(m)
      .then((retries) =>
        send({ type: 'ready', connected: clients.length + 1, connectMs: Date.now() - t0, retries }),
      )
      .catch((err: unknown) =>
        send({ type: 'failed', error: err instanceof Error ? err.message : String(err) }),
      );
  } else if (m.type === 'start') {
    burstStartMs = m.burstStartMs;
    lag.enable();
  } else {
    lag.disable();
    // Read again, so the stalled client sees whatever close the server managed to send it.
    stalled?.ws.resume();
    const waitClose = new Promise((r) => {
      if (!stalled || stalled.at !== null) return r(undefined);
      stalled.ws.once('close', r);
      setTimeout(r, 3000);
    });
    void waitClose.then(() => {
      send(report());
      for (const c of clients) c.ws.terminate();
      stalled?.ws.terminate();
      setTimeout(() => process.exit(0), 100);
    });
  }
});
// The parent is gone: nothing left to measure for.
process.on('disconnect', () => process.exit(0));
