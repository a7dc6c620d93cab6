import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ArgusError } from '../../../../src/errors/argus-error';
import type { MediaFeed } from '../../../../src/ingest/webrtc/media-feed';
import { decodeFeed } from '../../../helpers/decode-feed';
import { publishWhip, type TestCodec, type WhipPublisher } from '../../../helpers/werift-publisher';
import { startWhipServer, type WhipTestServer } from '../../../helpers/whip-server';

jest.setTimeout(120_000);

const CHROMIUM_OFFER = readFileSync(
  path.resolve(__dirname, '../../../unit/ingest/webrtc/fixtures/chromium-offer.sdp'),
  'utf8',
);

/** The `error.code` of an Argus JSON error body. */
async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { error?: { code?: string } };
  return body.error?.code ?? '(no code)';
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function nextFeed(server: WhipTestServer, streamId: string): Promise<MediaFeed> {
  return new Promise((resolve) => {
    const off = server.ingest.onFeed(streamId, (feed) => {
      off();
      resolve(feed);
    });
  });
}

describe('WHIP ingest with a werift publisher (loopback)', () => {
  let server: WhipTestServer;
  const publishers: WhipPublisher[] = [];

  beforeEach(async () => {
    server = await startWhipServer();
    server.ingest.register('cam1');
  });

  afterEach(async () => {
    await Promise.all(publishers.splice(0).map((p) => p.stop({ skipDelete: true }).catch(() => undefined)));
    await server.close();
  });

  it.each<[TestCodec, TestCodec[]]>([
    ['h264', ['vp8', 'h264']],
    ['vp8', ['vp8']],
  ])('decodes %s frames of 640x360 (offer: %j)', async (codec, offer) => {
    const feedPromise = nextFeed(server, 'cam1');
    const publisher = await publishWhip(`${server.base}/whip/cam1`, codec, { offer });
    publishers.push(publisher);
    const feed = await feedPromise;
    expect(feed.codec).toBe(codec);
    expect(feed.format).toBe(codec === 'h264' ? 'h264' : 'ivf');

    const result = await decodeFeed(feed.stream, feed.format, {
      frames: 10,
      timeoutMs: 60_000,
      onFirstFrame: () => feed.firstFrameDecoded(),
    });
    const ttff = result.firstFrameAt === undefined ? undefined : result.firstFrameAt - publisher.postedAt;
    console.log(
      `WHIP ${codec}: POST -> first decoded frame ${ttff} ms; stats ${JSON.stringify(feed.stats())}`,
    );
    expect({ frames: result.frames >= 10, width: result.width, height: result.height }).toEqual({
      frames: true,
      width: 640,
      height: 360,
    });
    // A keyframe request reaches the publisher as an RTCP PLI.
    const plis = publisher.plisReceived();
    feed.requestKeyframe();
    await waitFor(() => publisher.plisReceived() > plis, 10_000);

    // DELETE on the Location ends the feed.
    const res = await fetch(publisher.location, { method: 'DELETE' });
    expect(res.status).toBe(200);
    await expect(feed.closed).resolves.toBeUndefined();
    expect(server.ingest.isRegistered('cam1')).toBe(true);
  });

  it('sends a PLI every second until the first frame is decoded, then stops', async () => {
    const feedPromise = nextFeed(server, 'cam1');
    const publisher = await publishWhip(`${server.base}/whip/cam1`, 'h264');
    publishers.push(publisher);
    const feed = await feedPromise;
    feed.stream.resume(); // a consumer that keeps up, so no frame is dropped for being late
    await waitFor(() => feed.stats().packets > 0, 30_000);
    const start = publisher.plisReceived();
    await new Promise((r) => setTimeout(r, 3_300));
    expect(publisher.plisReceived() - start).toBeGreaterThanOrEqual(2);
    feed.firstFrameDecoded();
    await new Promise((r) => setTimeout(r, 300));
    const after = publisher.plisReceived();
    await new Promise((r) => setTimeout(r, 2_500));
    expect(publisher.plisReceived()).toBe(after);
  });
});

describe('WHIP over HTTP: answers and errors', () => {
  let server: WhipTestServer;
  const publishers: WhipPublisher[] = [];

  beforeAll(async () => {
    server = await startWhipServer();
    server.ingest.register('cam1');
    server.ingest.register('cam2');
  });

  afterAll(async () => {
    await Promise.all(publishers.splice(0).map((p) => p.stop({ skipDelete: true }).catch(() => undefined)));
    await server.close();
  });

  async function post(streamId: string, body: string, contentType = 'application/sdp') {
    const res = await fetch(`${server.base}/whip/${streamId}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    const text = await res.text();
    return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) };
  }

  it("answers a browser's audio+video offer with H.264 only, a Location, and ends it on DELETE", async () => {
    const res = await post('cam2', CHROMIUM_OFFER);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/sdp/);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(/^\/whip\/cam2\/[0-9a-f-]{36}$/);
    expect(res.text).toMatch(/^m=audio /m);
    expect(res.text).toMatch(/^m=video \d+ UDP\/TLS\/RTP\/SAVPF 102$/m);
    expect(res.text).toMatch(/^a=candidate:.* 127\.0\.0\.1 \d+ typ host/m);
    expect(res.text).toMatch(/^a=end-of-candidates/m);
    expect(res.text).not.toMatch(/^a=candidate:.* (?!127\.0\.0\.1)\d+\.\d+\.\d+\.\d+ /m);

    const busy = await post('cam2', CHROMIUM_OFFER);
    expect({ status: busy.status, code: busy.json().error.code }).toEqual({
      status: 409,
      code: 'ARGUS_E_WHIP_BUSY',
    });

    const del = await fetch(`${server.base}${location}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    const again = await fetch(`${server.base}${location}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(await errorCode(again)).toBe('ARGUS_E_WHIP_SESSION_UNKNOWN');
  });

  it('refuses a second publisher on a live stream with 409', async () => {
    const feedPromise = nextFeed(server, 'cam1');
    const publisher = await publishWhip(`${server.base}/whip/cam1`, 'vp8');
    publishers.push(publisher);
    // Ends once media flows: werift keeps retransmitting a DTLS handshake that a close cut short.
    const feed = await feedPromise;
    await waitFor(() => feed.stats().packets > 0, 30_000);
    const res = await post('cam1', CHROMIUM_OFFER);
    expect({ status: res.status, code: res.json().error.code }).toEqual({
      status: 409,
      code: 'ARGUS_E_WHIP_BUSY',
    });
    await publisher.stop();
  });

  it.each([
    ['garbage SDP', 'cam1', 'not an sdp', 'application/sdp', 400, 'ARGUS_E_WHIP_SDP_INVALID'],
    ['an empty body', 'cam1', '', 'application/sdp', 400, 'ARGUS_E_WHIP_SDP_INVALID'],
    [
      'an offer without video',
      'cam1',
      CHROMIUM_OFFER.replace(/m=video[\s\S]*$/, ''),
      'application/sdp',
      400,
      'ARGUS_E_WHIP_SDP_INVALID',
    ],
    [
      'an oversized offer',
      'cam1',
      `${CHROMIUM_OFFER}a=x:${'y'.repeat(70_000)}\r\n`,
      'application/sdp',
      413,
      'ARGUS_E_WHIP_SDP_TOO_LARGE',
    ],
    ['an unknown stream id', 'nope', CHROMIUM_OFFER, 'application/sdp', 404, 'ARGUS_E_WHIP_STREAM_UNKNOWN'],
    [
      'a JSON body',
      'cam1',
      JSON.stringify({ sdp: CHROMIUM_OFFER }),
      'application/json',
      415,
      'ARGUS_E_WHIP_CONTENT_TYPE',
    ],
    ['a text/plain body', 'cam1', CHROMIUM_OFFER, 'text/plain', 415, 'ARGUS_E_WHIP_CONTENT_TYPE'],
  ])('answers %s with its error code', async (_what, streamId, body, contentType, status, code) => {
    const res = await post(streamId, body, contentType);
    expect({ status: res.status, code: res.json().error.code }).toEqual({ status, code });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(typeof res.json().error.message).toBe('string');
  });

  it('answers DELETE of an unknown session or stream with 404', async () => {
    const a = await fetch(`${server.base}/whip/cam1/no-such-session`, { method: 'DELETE' });
    expect({ status: a.status, code: await errorCode(a) }).toEqual({
      status: 404,
      code: 'ARGUS_E_WHIP_SESSION_UNKNOWN',
    });
    const b = await fetch(`${server.base}/whip/nope/x`, { method: 'DELETE' });
    expect({ status: b.status, code: await errorCode(b) }).toEqual({
      status: 404,
      code: 'ARGUS_E_WHIP_STREAM_UNKNOWN',
    });
  });

  it('unregister() ends the live session and refuses new publishers', async () => {
    server.ingest.register('cam3');
    const feedPromise = nextFeed(server, 'cam3');
    const publisher = await publishWhip(`${server.base}/whip/cam3`, 'vp8');
    publishers.push(publisher);
    const feed = await feedPromise;
    await waitFor(() => feed.stats().packets > 0, 30_000);
    await server.ingest.unregister('cam3');
    await expect(feed.closed).resolves.toBeUndefined();
    const res = await post('cam3', CHROMIUM_OFFER);
    expect(res.status).toBe(404);
    await publisher.stop({ skipDelete: true });
  });
});

describe('WHIP routes with authorize()', () => {
  it('refuses before reading the body, so an oversized offer gets the auth error, not 413', async () => {
    const server = await startWhipServer({}, undefined, (req) => {
      if (req.headers.authorization !== 'Bearer ok')
        throw new ArgusError('ARGUS_E_USAGE', { reason: 'no token' });
    });
    try {
      server.ingest.register('cam1');
      const big = `${CHROMIUM_OFFER}a=x:${'y'.repeat(70_000)}\r\n`;
      const res = await fetch(`${server.base}/whip/cam1`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: big,
      });
      expect({ status: res.status, code: await errorCode(res) }).toEqual({
        status: 400,
        code: 'ARGUS_E_USAGE',
      });
      const ok = await fetch(`${server.base}/whip/cam1`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp', authorization: 'Bearer ok' },
        body: CHROMIUM_OFFER,
      });
      expect(ok.status).toBe(201);
    } finally {
      await server.close();
    }
  });
});
