import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../auth/api-key-store';
import { ArgusError } from '../errors/argus-error';
import type { AlertHub, DisconnectReason, HubClient } from './alert-hub';

/** The subprotocol spoken on `/v1/alerts`; browsers offer it next to `bearer.<KEY>`. */
export const ALERTS_SUBPROTOCOL = 'argus.v1';
const BEARER_PROTOCOL_PREFIX = 'bearer.';

/** What the server needs from the key store (ApiKeyStore fits). */
export interface KeyVerifier {
  verify(key: string): Promise<Principal | undefined>;
  onRevoked?(listener: (id: string) => void): () => void;
}

export interface WsAlertServerOptions {
  /** Default '/v1/alerts'. */
  path?: string;
  /** Require an API key. Default true; turning it off is for loopback demos only. */
  auth?: boolean;
  /** Open connections per API key; more get 429 before the upgrade. Default 10. */
  maxConnectionsPerKey?: number;
  /** Key checks (scrypt) in flight at once; more upgrades get 503, so a flood of bad keys stays cheap. Default 32. */
  maxPendingAuth?: number;
  /** Largest message a client may send; larger ones close the connection with 1009. Default 16 KiB. */
  maxPayloadBytes?: number;
  /** Ping interval; a peer that has not answered the previous ping is dropped. Default 30 000 ms. */
  heartbeatMs?: number;
  /** After a close frame, how long a peer has to answer before the socket is destroyed. Default 2000 ms. */
  closeGraceMs?: number;
}

const ANONYMOUS: Principal = { id: 'anonymous', role: 'viewer' };

/**
 * The ws adapter of the alert hub: authenticates upgrades on a shared http.Server, then relays
 * text frames to the hub and the hub's messages to the socket. All policy lives in AlertHub.
 */
export class WsAlertServer {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Map<WebSocket, { client: HubClient; alive: boolean }>();
  private readonly path: string;
  private readonly auth: boolean;
  private readonly maxPerKey: number;
  private readonly maxPendingAuth: number;
  private pendingAuth = 0;
  private readonly closeGraceMs: number;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribeRevoked: () => void;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void this.handleUpgrade(req, socket, head);
  };
  private closed = false;

  constructor(
    private readonly server: Server,
    private readonly hub: AlertHub,
    private readonly keys: KeyVerifier,
    o: WsAlertServerOptions = {},
  ) {
    this.path = o.path ?? '/v1/alerts';
    this.auth = o.auth ?? true;
    this.maxPerKey = o.maxConnectionsPerKey ?? 10;
    this.maxPendingAuth = o.maxPendingAuth ?? 32;
    this.closeGraceMs = o.closeGraceMs ?? 2000;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: o.maxPayloadBytes ?? 16 * 1024,
      clientTracking: false,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(ALERTS_SUBPROTOCOL) ? ALERTS_SUBPROTOCOL : false),
    });
    this.heartbeat = setInterval(() => this.beat(), o.heartbeatMs ?? 30_000);
    this.unsubscribeRevoked = keys.onRevoked?.((id) => hub.dropKey(id)) ?? (() => undefined);
    server.on('upgrade', this.onUpgrade);
  }

  /** Stops accepting, closes every connection (1001), and resolves once all are gone. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.server.off('upgrade', this.onUpgrade);
    clearInterval(this.heartbeat);
    this.unsubscribeRevoked();
    const gone = [...this.sockets.keys()].map(
      (ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())),
    );
    for (const { client } of this.sockets.values()) {
      this.hub.disconnect(client, 'shutdown', 1001, 'server shutting down');
    }
    await Promise.all(gone);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== this.path) {
      // Another handler on the shared server may own this path; answer only if there is none.
      if (this.server.listenerCount('upgrade') === 1) {
        rejectUpgrade(socket, 404, new ArgusError('ARGUS_E_FILE_NOT_FOUND', { path: url.pathname }));
      }
      return;
    }
    socket.on('error', () => socket.destroy());
    if (this.closed) {
      rejectUpgrade(socket, 503, new ArgusError('ARGUS_E_INTERNAL', { reason: 'shutting down' }));
      return;
    }
    let principal = ANONYMOUS;
    if (this.auth) {
      const key = keyFrom(req);
      if (key === undefined) {
        rejectUpgrade(socket, 401, new ArgusError('ARGUS_E_AUTH_REQUIRED'));
        return;
      }
      if (this.pendingAuth >= this.maxPendingAuth) {
        rejectUpgrade(
          socket,
          503,
          new ArgusError('ARGUS_E_AUTH_BUSY', { count: this.pendingAuth }),
          'Retry-After: 1',
        );
        return;
      }
      let found: Principal | undefined;
      this.pendingAuth++;
      try {
        found = await this.keys.verify(key);
      } catch {
        found = undefined;
      } finally {
        this.pendingAuth--;
      }
      if (found === undefined) {
        rejectUpgrade(socket, 401, new ArgusError('ARGUS_E_AUTH_INVALID_KEY'));
        return;
      }
      principal = found;
    }
    if (socket.destroyed || this.closed) {
      socket.destroy();
      return;
    }
    // No await between this count and attach below: concurrent upgrades cannot overshoot.
    const open = this.hub.connectionsOf(principal.id);
    if (open >= this.maxPerKey) {
      rejectUpgrade(
        socket,
        429,
        new ArgusError('ARGUS_E_AUTH_TOO_MANY_CONNECTIONS', { count: open }),
        'Retry-After: 5',
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, principal));
  }

  private accept(ws: WebSocket, principal: Principal): void {
    let graceTimer: NodeJS.Timeout | undefined;
    const client = this.hub.attach(principal, {
      bufferedAmount: () => ws.bufferedAmount,
      // Always a text frame, also when the hub hands over the message's bytes.
      // Always a text frame, also when the hub hands over the message's bytes.
      send: (text) => ws.send(text, { binary: false }),
      close: (code, reason) => {
        if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
        // A peer that does not read will never answer the close frame.
        graceTimer ??= setTimeout(() => ws.terminate(), this.closeGraceMs);
      },
    });
    if (client.closing !== undefined) return;
    const entry = { client, alive: true };
    this.sockets.set(ws, entry);
    ws.on('pong', () => {
      entry.alive = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        this.hub.sendError(
          client,
          new ArgusError('ARGUS_E_WS_BAD_MESSAGE', { reason: 'binary frames are not accepted' }),
        );
        return;
      }
      this.hub.receive(client, rawText(data));
    });
    ws.on('error', (err: Error & { code?: string }) => {
      const reason: DisconnectReason =
        err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'oversized' : 'error';
      this.hub.detach(client, reason);
    });
    ws.on('close', () => {
      clearTimeout(graceTimer);
      this.sockets.delete(ws);
      this.hub.detach(client, 'client');
    });
  }

  private beat(): void {
    for (const [ws, entry] of this.sockets) {
      if (!entry.alive) {
        this.hub.disconnect(entry.client, 'heartbeat', 1001, 'no pong to the last ping');
        ws.terminate();
        continue;
      }
      entry.alive = false;
      ws.ping();
    }
  }
}

/** The API key from `Authorization: Bearer KEY`, else from a `bearer.KEY` subprotocol. */
function keyFrom(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (m) return m[1];
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const bearer = protocols.find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
  return bearer ? bearer.slice(BEARER_PROTOCOL_PREFIX.length) : undefined;
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Answers the upgrade request with a plain HTTP error, before any WebSocket handshake. */
function rejectUpgrade(socket: Duplex, status: number, err: ArgusError, extraHeader?: string): void {
  const body = JSON.stringify({ error: err.toJSON() });
  const headers = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(status === 401 ? ['WWW-Authenticate: Bearer realm="argus"'] : []),
    ...(extraHeader ? [extraHeader] : []),
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}
