import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import WebSocket from 'ws';
import { AlertHub, type AlertHubOptions } from '../../../src/alerts/alert-hub';
import type { AlertInput } from '../../../src/alerts/alert-messages';
import {
  type KeyVerifier,
  WsAlertServer,
  type WsAlertServerOptions,
} from '../../../src/alerts/ws-alert-server';

const SCHEMAS = path.resolve(__dirname, '../../../schemas');
const ajv = new Ajv({
  allErrors: true,
  formats: { 'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/ },
});
const load = (name: string): ValidateFunction =>
  ajv.compile(JSON.parse(readFileSync(path.join(SCHEMAS, name), 'utf8')) as object);
export const validateClient = load('alerts-client-message.schema.json');
export const validateServer = load('alerts-server-message.schema.json');

export type Msg = Record<string, unknown> & { type: string };

export interface Harness {
  url: string;
  port: number;
  hub: AlertHub;
  server: http.Server;
  alerts: WsAlertServer;
  clients: TestClient[];
  close(): Promise<void>;
}

/** An http.Server on a free loopback port with the alerts endpoint attached. */
export async function startHarness(
  keys: KeyVerifier,
  o: { hub?: AlertHubOptions; ws?: WsAlertServerOptions } = {},
): Promise<Harness> {
  const server = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hub = new AlertHub(o.hub);
  const alerts = new WsAlertServer(server, hub, keys, o.ws);
  const clients: TestClient[] = [];
  return {
    url: `ws://127.0.0.1:${port}/v1/alerts`,
    port,
    hub,
    server,
    alerts,
    clients,
    async close() {
      for (const c of clients) c.ws.terminate();
      await alerts.close();
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A real `ws` client that records every message and checks it against the server schema. */
export class TestClient {
  readonly messages: Msg[] = [];
  readonly schemaViolations: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      // The protocol is JSON text frames (browsers get strings, not Blobs).
      if (isBinary) this.schemaViolations.push('binary frame');
      const msg = JSON.parse(data.toString('utf8')) as Msg;
      const valid = validateServer(msg) as boolean;
      if (!valid) {
        this.schemaViolations.push(`${msg.type}: ${ajv.errorsText(validateServer.errors)}`);
      }
      this.messages.push(msg);
      for (const w of this.waiters) w();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const w of this.waiters) w();
      });
    });
    ws.on('error', () => undefined);
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  of(type: string): Msg[] {
    return this.messages.filter((m) => m.type === type);
  }

  /** Resolves once `pred` holds for the messages received so far. */
  waitFor(pred: (messages: Msg[]) => boolean, timeoutMs = 10_000): Promise<void> {
    return waitUntil(
      () => pred(this.messages),
      timeoutMs,
      (notify) => this.waiters.push(notify),
    );
  }

  /** Sends a subscribe and waits for its acknowledgement. */
  async subscribe(filter: Record<string, unknown> = {}): Promise<void> {
    const before = this.of('subscribed').length;
    this.send({ v: 1, type: 'subscribe', ...filter });
    await this.waitFor(() => this.of('subscribed').length > before);
  }
}

export function connect(
  h: Harness,
  o: { key?: string; protocols?: string[]; maxPayload?: number } = {},
): Promise<TestClient> {
  const ws = new WebSocket(h.url, o.protocols ?? [], {
    ...(o.key ? { headers: { Authorization: `Bearer ${o.key}` } } : {}),
  });
  const client = new TestClient(ws);
  h.clients.push(client);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Attempts an upgrade that should be refused; resolves with the HTTP status and JSON body. */
export function expectRefused(
  h: Harness,
  o: { key?: string; protocols?: string[]; path?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const url = o.path ? `ws://127.0.0.1:${h.port}${o.path}` : h.url;
  const ws = new WebSocket(url, o.protocols ?? [], {
    ...(o.key ? { headers: { Authorization: `Bearer ${o.key}` } } : {}),
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        req.destroy();
        resolve({
          status: res.statusCode ?? 0,
          body: body ? (JSON.parse(body) as Record<string, unknown>) : undefined,
        });
      });
    });
    ws.once('error', (err) => reject(err));
  });
}

export function waitUntil(
  cond: () => boolean,
  timeoutMs = 10_000,
  subscribe?: (notify: () => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (cond()) {
      resolve();
      return;
    }
    const poll = setInterval(check, 20);
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`condition not met within ${timeoutMs} ms`));
    }, timeoutMs);
    function check() {
      if (!cond()) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve();
    }
    subscribe?.(check);
  });
}

let track = 0;
export function alertInput(over: Partial<AlertInput> = {}): AlertInput {
  track++;
  return {
    streamId: 'cam1',
    captureTime: new Date().toISOString(),
    trackId: `t${track}`,
    identity: { id: 'id-ana', name: 'Ana', watchlists: ['vip'] },
    similarity: 0.62,
    margin: 0.2,
    fmr: 1e-5,
    evidenceCount: 2,
    box: { x: 10, y: 20, width: 80, height: 96 },
    quality: 0.8,
    modelId: 'fr_feature',
    ...over,
  };
}
