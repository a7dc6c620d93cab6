import type { Principal } from '../auth/api-key-store';
import { ArgusError, toArgusError } from '../errors/argus-error';
import { matchesFilter } from './alert-filter';
import type {
  AlertEvent,
  AlertInput,
  AlertUpdateEvent,
  HubEvent,
  ServerMessage,
  StreamStatusEvent,
  StreamStatusInput,
  SubscriptionFilter,
} from './alert-messages';
import { EventHistory } from './event-history';
import { parseClientMessage } from './parse-client-message';

/** Close codes the hub uses (4000-4999 are the application's own). */
export const CLOSE_CODES = {
  slowConsumer: 4008,
  revoked: 4001,
  shutdown: 1001,
} as const;

export type DisconnectReason =
  | 'client'
  | 'slow-consumer'
  | 'heartbeat'
  | 'revoked'
  | 'oversized'
  | 'shutdown'
  | 'error';

/** The hub's view of one connection; the ws adapter implements it. */
export interface AlertConnection {
  /** Bytes queued for this peer and not yet written to the socket. */
  bufferedAmount(): number;
  /** One JSON message: a string, or its UTF-8 bytes (shared by every subscriber of an event). */
  send(text: string | Buffer): void;
  /** Closes with a code and reason; the adapter must call `hub.detach` once it is gone. */
  close(code: number, reason: string): void;
}

export interface AlertHubOptions {
  /** Events kept for `resume`. Default 1000. */
  historySize?: number;
  /** A client whose unsent bytes exceed this is disconnected (4008). Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Streams + watchlists + identities one subscription may name. Default 100. */
  maxFilterValues?: number;
  /** Whether a principal may see an event; default: every role sees every event. */
  canSee?: (principal: Principal, event: HubEvent) => boolean;
  now?: () => Date;
}

export interface HubClient {
  readonly principal: Principal;
  readonly connection: AlertConnection;
  filter: SubscriptionFilter | undefined;
  /** Set when the hub closes the client, so the adapter reports the right reason. */
  closing: DisconnectReason | undefined;
}

export interface AlertHubStats {
  clients: number;
  published: number;
  lastEventId: number;
  historySize: number;
  disconnects: Record<DisconnectReason, number>;
}

/**
 * Fans alerts and stream status out to subscribed clients. No I/O of its own: a connection is
 * anything with send/close/bufferedAmount, so the ws adapter stays thin and this is testable alone.
 */
export class AlertHub {
  private readonly clients = new Set<HubClient>();
  private readonly history: EventHistory;
  private readonly maxBufferedBytes: number;
  private readonly maxFilterValues: number;
  private readonly canSee: (principal: Principal, event: HubEvent) => boolean;
  private readonly now: () => Date;
  private lastEventId = 0;
  private published = 0;
  private closed = false;
  private readonly disconnects: Record<DisconnectReason, number> = {
    client: 0,
    'slow-consumer': 0,
    heartbeat: 0,
    revoked: 0,
    oversized: 0,
    shutdown: 0,
    error: 0,
  };

  constructor(o: AlertHubOptions = {}) {
    this.history = new EventHistory(o.historySize ?? 1000);
    this.maxBufferedBytes = o.maxBufferedBytes ?? 1024 * 1024;
    this.maxFilterValues = o.maxFilterValues ?? 100;
    this.canSee = o.canSee ?? (() => true);
    this.now = o.now ?? (() => new Date());
  }

  attach(principal: Principal, connection: AlertConnection): HubClient {
    const client: HubClient = { principal, connection, filter: undefined, closing: undefined };
    if (this.closed) {
      this.disconnect(client, 'shutdown', CLOSE_CODES.shutdown, 'server shutting down');
      return client;
    }
    this.clients.add(client);
    return client;
  }

  /** Called by the adapter once a connection is gone; counts it under its reason. */
  detach(client: HubClient, reason: DisconnectReason = 'client'): void {
    // Already counted when the hub itself closed it.
    if (!this.clients.delete(client)) return;
    client.closing = reason;
    this.disconnects[reason]++;
  }

  /** Handles one text message from a client; problems are answered with an `error` message. */
  receive(client: HubClient, text: string): void {
    try {
      const msg = parseClientMessage(text, this.maxFilterValues);
      if (msg.type === 'subscribe') {
        const { type: _t, v: _v, ...filter } = msg;
        client.filter = filter;
        this.send(client, { v: 1, type: 'subscribed', filter, lastEventId: this.lastEventId });
      } else {
        this.resume(client, msg.lastEventId);
      }
    } catch (err) {
      this.sendError(client, toArgusError(err));
    }
  }

  sendError(client: HubClient, err: ArgusError): void {
    this.send(client, { v: 1, type: 'error', error: err.toJSON() });
  }

  /**
   * Publishes an alert. `input` may be a function of the new event id (a crop URL names it);
   * `persist` runs after the id is assigned and before any client sees the event, so an alert a
   * client receives is already recorded.
   */
  publish(
    input: AlertInput | ((eventId: number) => AlertInput),
    persist?: (e: AlertEvent) => void,
  ): AlertEvent {
    const eventId = ++this.lastEventId;
    const event: AlertEvent = {
      v: 1,
      type: 'alert',
      eventId,
      ...(typeof input === 'function' ? input(eventId) : input),
      emitTime: this.now().toISOString(),
      review: 'pending',
    };
    persist?.(event);
    this.fanOut(event);
    return event;
  }

  /** Publishes stronger evidence for the alert whose eventId is `alertId`. */
  publishUpdate(
    alertId: number,
    input: AlertInput,
    persist?: (e: AlertUpdateEvent) => void,
  ): AlertUpdateEvent {
    const event: AlertUpdateEvent = {
      v: 1,
      type: 'alert-update',
      eventId: ++this.lastEventId,
      alertId,
      ...input,
      emitTime: this.now().toISOString(),
      review: 'pending',
    };
    persist?.(event);
    this.fanOut(event);
    return event;
  }

  /** Event ids continue from here (the newest id persisted before a restart), so they never repeat. */
  continueFrom(eventId: number): void {
    if (eventId > this.lastEventId) this.lastEventId = eventId;
  }

  publishStatus(input: StreamStatusInput): StreamStatusEvent {
    const event: StreamStatusEvent = {
      v: 1,
      type: 'stream-status',
      eventId: ++this.lastEventId,
      ...input,
      emitTime: this.now().toISOString(),
    };
    this.fanOut(event);
    return event;
  }

  /** Disconnects every client of a key (it was revoked). */
  dropKey(keyId: string): void {
    for (const c of [...this.clients]) {
      if (c.principal.id === keyId) this.disconnect(c, 'revoked', CLOSE_CODES.revoked, 'api key revoked');
    }
  }

  /** Connections currently open for a key. */
  connectionsOf(keyId: string): number {
    let n = 0;
    for (const c of this.clients) if (c.principal.id === keyId) n++;
    return n;
  }

  stats(): AlertHubStats {
    return {
      clients: this.clients.size,
      published: this.published,
      lastEventId: this.lastEventId,
      historySize: this.history.capacity,
      disconnects: { ...this.disconnects },
    };
  }

  /** Closes every client (1001) and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const c of [...this.clients]) {
      this.disconnect(c, 'shutdown', CLOSE_CODES.shutdown, 'server shutting down');
    }
  }

  /** Closes one client and counts it; the adapter's later `detach` is then a no-op. */
  disconnect(client: HubClient, reason: DisconnectReason, code: number, text: string): void {
    if (client.closing !== undefined) return;
    client.closing = reason;
    this.clients.delete(client);
    this.disconnects[reason]++;
    client.connection.close(code, text);
  }

  private resume(client: HubClient, lastSeen: number): void {
    if (lastSeen > this.lastEventId) {
      throw new ArgusError('ARGUS_E_WS_RESUME_FUTURE', {
        lastEventId: lastSeen,
        newest: this.lastEventId,
      });
    }
    // Resuming without a subscription means "everything", as a bare subscribe would.
    client.filter ??= {};
    const oldest = this.history.oldestId() ?? this.lastEventId + 1;
    if (oldest > lastSeen + 1) {
      this.send(client, { v: 1, type: 'gap', fromEventId: lastSeen + 1, toEventId: oldest - 1 });
    }
    for (const e of this.history.after(lastSeen)) {
      if (client.closing !== undefined) return;
      if (this.visible(client, e)) this.send(client, e);
    }
  }

  private fanOut(event: HubEvent): void {
    this.published++;
    this.history.push(event);
    // Serialise and encode once for all subscribers: a burst to 1,000 clients costs one stringify
    // and one UTF-8 encoding (sending the string would encode it again per client: ~20% of the cost).
    const text = Buffer.from(JSON.stringify(event));
    for (const c of [...this.clients]) {
      if (this.visible(c, event)) this.sendText(c, text);
    }
  }

  private visible(client: HubClient, event: HubEvent): boolean {
    return (
      client.filter !== undefined &&
      matchesFilter(client.filter, event) &&
      this.canSee(client.principal, event)
    );
  }

  private send(client: HubClient, msg: ServerMessage): void {
    this.sendText(client, JSON.stringify(msg));
  }

  /** Never waits on a peer: a client that cannot keep up is cut off instead of slowing the rest. */
  private sendText(client: HubClient, text: string | Buffer): void {
    if (client.closing !== undefined) return;
    if (client.connection.bufferedAmount() > this.maxBufferedBytes) {
      this.disconnect(
        client,
        'slow-consumer',
        CLOSE_CODES.slowConsumer,
        `slow consumer: over ${this.maxBufferedBytes} bytes unsent`,
      );
      return;
    }
    client.connection.send(text);
  }
}
