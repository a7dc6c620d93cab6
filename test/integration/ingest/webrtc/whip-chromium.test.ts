import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import type { MediaFeed } from '../../../../src/ingest/webrtc/media-feed';
import { CHROMIUM, chromiumArgs, chromiumRequired, makeY4m, WHIP_PAGE } from '../../../helpers/chromium-whip';
import { decodeFeed } from '../../../helpers/decode-feed';
import { startWhipServer, type WhipTestServer } from '../../../helpers/whip-server';

jest.setTimeout(180_000);

const run = chromiumRequired();
if (!run) console.warn(`Skipping the Chromium WHIP test: ${CHROMIUM} is missing (apt-get install chromium).`);

(run ? describe : describe.skip)('WHIP ingest from headless Chromium (loopback)', () => {
  let dir: string;
  let server: WhipTestServer | undefined;
  let browser: Browser | undefined;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'argus-whip-chromium-'));
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("publishes the fake camera and FFmpeg decodes Chromium's frames at 640x360", async () => {
    const y4m = makeY4m(dir);
    server = await startWhipServer({}, (app) => {
      app.get('/', (_req, reply) => reply.type('text/html').send(WHIP_PAGE));
    });
    server.ingest.register('cam1');
    const feedPromise = new Promise<MediaFeed>((resolve) => server!.ingest.onFeed('cam1', resolve));

    browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs(y4m), timeout: 60_000 });
    const page = await browser.newPage();
    await page.goto(`${server.base}/`);
    const { postedAt } = await page.evaluate(
      (url) => (globalThis as unknown as { publish(u: string): Promise<{ postedAt: number }> }).publish(url),
      `${server.base}/whip/cam1`,
    );
    const feed = await feedPromise;
    // Chromium offers VP8 first and six H.264 variants; Argus picks H.264.
    expect(feed.codec).toBe('h264');

    const result = await decodeFeed(feed.stream, feed.format, {
      frames: 10,
      timeoutMs: 90_000,
      onFirstFrame: () => feed.firstFrameDecoded(),
    });
    const ttff = result.firstFrameAt === undefined ? undefined : result.firstFrameAt - postedAt;
    console.log(
      `WHIP Chromium: POST -> first decoded frame ${ttff} ms; stats ${JSON.stringify(feed.stats())}`,
    );
    expect({ frames: result.frames >= 10, width: result.width, height: result.height }).toEqual({
      frames: true,
      width: 640,
      height: 360,
    });

    // The browser going away (no DELETE) ends the feed too: ICE fails or media stops.
    const stoppedAt = Date.now();
    await page.evaluate(() => (globalThis as unknown as { stop(): void }).stop());
    await expect(feed.closed).resolves.toBeUndefined();
    console.log(`WHIP Chromium: browser closed its peer -> feed closed in ${Date.now() - stoppedAt} ms`);
  });
});
