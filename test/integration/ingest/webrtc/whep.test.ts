import { isArgusError } from '../../../../src/errors/argus-error';
import type { MediaFeed } from '../../../../src/ingest/webrtc/media-feed';
import { connectWhep } from '../../../../src/ingest/webrtc/whep-client';
import { decodeFeed } from '../../../helpers/decode-feed';
import { startWhepServer, type WhepTestServer } from '../../../helpers/werift-whep-server';

jest.setTimeout(120_000);

describe('WHEP pull from a local werift server', () => {
  let server: WhepTestServer;
  const feeds: MediaFeed[] = [];

  beforeAll(async () => {
    server = await startWhepServer('h264');
  });

  afterEach(async () => {
    await Promise.all(feeds.splice(0).map((f) => f.close()));
    server.failWith = undefined;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('pulls the clip and FFmpeg decodes frames of 640x360; close() DELETEs the session', async () => {
    const started = Date.now();
    const feed = await connectWhep(server.endpoint, {
      timeoutMs: 20_000,
      iceLoopbackOnly: true,
      credentials: { username: 'argus', password: 's3cret' },
    });
    feeds.push(feed);
    expect(feed.codec).toBe('h264');
    const result = await decodeFeed(feed.stream, feed.format, {
      frames: 10,
      timeoutMs: 60_000,
      onFirstFrame: () => feed.firstFrameDecoded(),
    });
    const ttff = result.firstFrameAt === undefined ? undefined : result.firstFrameAt - started;
    console.log(
      `WHEP h264: connect -> first decoded frame ${ttff} ms; stats ${JSON.stringify(feed.stats())}`,
    );
    expect({ frames: result.frames >= 10, width: result.width, height: result.height }).toEqual({
      frames: true,
      width: 640,
      height: 360,
    });
    expect(server.authorizations.at(-1)).toBe(`Basic ${Buffer.from('argus:s3cret').toString('base64')}`);

    const deletedBefore = server.deleted();
    await feed.close();
    await expect(feed.closed).resolves.toBeUndefined();
    expect(server.deleted()).toBe(deletedBefore + 1);
  });

  it.each([
    [404, 'ARGUS_E_SOURCE_NOT_FOUND'],
    [401, 'ARGUS_E_SOURCE_AUTH'],
    [500, 'ARGUS_E_WHEP_FAILED'],
  ])('maps HTTP %i to %s', async (status, code) => {
    server.failWith = status;
    const err = await connectWhep(server.endpoint, { timeoutMs: 10_000, iceLoopbackOnly: true }).catch(
      (e) => e,
    );
    expect(isArgusError(err) ? err.code : err).toBe(code);
  });

  it('reports a refused connection as ARGUS_E_SOURCE_REFUSED, without the credentials', async () => {
    // A port that was just free: bind, read it, release it.
    const net = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const err = await connectWhep(`http://127.0.0.1:${port}/whep/x`, {
      timeoutMs: 10_000,
      iceLoopbackOnly: true,
      credentials: { username: '', password: 'tok3n' },
    }).catch((e) => e);
    expect(isArgusError(err) ? err.code : err).toBe('ARGUS_E_SOURCE_REFUSED');
    expect(String(err.message)).not.toContain('tok3n');
  });
});
