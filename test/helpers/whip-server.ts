import Fastify, { type FastifyInstance } from 'fastify';
import type { FeedLogger } from '../../src/ingest/webrtc/peer-media-feed';
import { WhipIngest, type WhipIngestOptions } from '../../src/ingest/webrtc/whip-ingest';
import { type WhipRoutesOptions, whipRoutes } from '../../src/ingest/webrtc/whip-routes';

export interface WhipTestServer {
  app: FastifyInstance;
  ingest: WhipIngest;
  /** http://127.0.0.1:PORT */
  base: string;
  close(): Promise<void>;
}

/** Log lines on the console when WEBRTC_DEBUG is set (timings while investigating), else none. */
export function testLogger(): FeedLogger | undefined {
  if (!process.env.WEBRTC_DEBUG) return undefined;
  const line = (obj: object, msg?: string) => console.log(`${msg ?? ''} ${JSON.stringify(obj)}`);
  return { info: line, warn: line, debug: line } as unknown as FeedLogger;
}

/** A Fastify server with the WHIP routes on a free loopback port, ICE on loopback only. */
export async function startWhipServer(
  opts: WhipIngestOptions = {},
  extra?: (app: FastifyInstance) => void,
  authorize?: WhipRoutesOptions['authorize'],
): Promise<WhipTestServer> {
  const logger = testLogger();
  const ingest = new WhipIngest({ iceLoopbackOnly: true, ...(logger ? { logger } : {}), ...opts });
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(whipRoutes, { ingest, ...(authorize ? { authorize } : {}) });
  extra?.(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    app,
    ingest,
    base: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await ingest.closeAll();
      await app.close();
    },
  };
}
