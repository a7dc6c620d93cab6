import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../../logging/create-logger';
import { warmUpWebRtc } from './warm-up';
import { WebRtcFeedProvider } from './webrtc-feed-provider';
import { WhipIngest } from './whip-ingest';
import { whipRoutes } from './whip-routes';

export interface WebRtcServiceOptions {
  /** Where the WHIP endpoint listens; loopback unless the operator says otherwise. */
  host: string;
  port: number;
  logger: Logger;
}

/**
 * WHIP ingest on its own small HTTP server, plus the feed provider supervisors use for whip: and
 * whep+http(s): sources. `argus serve` will mount whipRoutes on its main server instead.
 */
export class WebRtcService {
  readonly ingest: WhipIngest;
  readonly feeds: WebRtcFeedProvider;
  private app: FastifyInstance | undefined;

  constructor(private readonly o: WebRtcServiceOptions) {
    this.ingest = new WhipIngest({ logger: o.logger });
    this.feeds = new WebRtcFeedProvider(this.ingest, { timeoutMs: 15_000 });
  }

  /** Starts the WHIP endpoint; resolves with its base URL. */
  async start(): Promise<string> {
    // The first session otherwise pays werift's cold start (~300 ms more to the first packet).
    await warmUpWebRtc();
    const app = Fastify({ logger: false });
    await app.register(whipRoutes, { ingest: this.ingest });
    await app.listen({ host: this.o.host, port: this.o.port });
    this.app = app;
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : this.o.port;
    return `http://${this.o.host.includes(':') ? `[${this.o.host}]` : this.o.host}:${port}`;
  }

  async stop(): Promise<void> {
    await this.ingest.closeAll();
    await this.app?.close();
  }
}
