import type { StreamSupervisor } from '../../../../src/ingest/stream-supervisor';
import { WebRtcFeedProvider } from '../../../../src/ingest/webrtc/webrtc-feed-provider';
import { stopAllStreams, superviseStream } from '../../../helpers/supervised-stream';
import { waitFor } from '../../../helpers/wait-for';
import { publishWhip, type WhipPublisher } from '../../../helpers/werift-publisher';
import { startWhepServer, type WhepTestServer } from '../../../helpers/werift-whep-server';
import { startWhipServer, type WhipTestServer } from '../../../helpers/whip-server';

function frameCounter(s: StreamSupervisor): () => number {
  let n = 0;
  s.onFrame(() => n++);
  return () => n;
}

describe('WebRTC sources through the stream supervisor (werift peers, real FFmpeg)', () => {
  let server: WhipTestServer | undefined;
  let whep: WhepTestServer | undefined;
  const publishers: WhipPublisher[] = [];

  afterEach(async () => {
    await stopAllStreams();
    await Promise.all(publishers.splice(0).map((p) => p.stop({ skipDelete: true }).catch(() => undefined)));
    await server?.close();
    await whep?.close();
    server = undefined;
    whep = undefined;
  });

  it('whip:ID waits for a publisher, decodes it, and waits again when it leaves', async () => {
    server = await startWhipServer();
    const feeds = new WebRtcFeedProvider(server.ingest, { timeoutMs: 20_000, iceLoopbackOnly: true });
    const s = await superviseStream({ url: 'whip:cam1', watchdogSec: 3 }, { feeds });
    const frames = frameCounter(s);
    await new Promise((r) => setTimeout(r, 500));
    expect(s.snapshot().state).toBe('starting');
    expect(server.ingest.isRegistered('cam1')).toBe(true);

    const first = await publishWhip(`${server.base}/whip/cam1`, 'h264');
    publishers.push(first);
    await waitFor('frames from the first publisher', () => frames() >= 10, 60_000);
    expect(s.snapshot().state).toBe('live');
    expect([s.snapshot().width, s.snapshot().height]).toEqual([640, 360]);

    await first.stop();
    await waitFor('waiting again', () => s.snapshot().state !== 'live', 30_000);
    // No publisher: the watchdog must leave a waiting listener alone.
    await new Promise((r) => setTimeout(r, 4000));
    expect(s.snapshot().state).not.toBe('failed');

    const second = await publishWhip(`${server.base}/whip/cam1`, 'vp8');
    publishers.push(second);
    const before = frames();
    await waitFor('frames from the second publisher', () => frames() >= before + 10, 60_000);
  });

  it('whep+http:// pulls from a WHEP server and deletes the session on stop', async () => {
    whep = await startWhepServer('h264');
    server = await startWhipServer();
    const feeds = new WebRtcFeedProvider(server.ingest, { timeoutMs: 20_000, iceLoopbackOnly: true });
    const s = await superviseStream({ url: `whep+${whep.endpoint}` }, { feeds });
    const frames = frameCounter(s);
    await waitFor('frames over WHEP', () => frames() >= 10, 60_000);
    expect(s.snapshot().codec).toBe('h264');
    await s.stop();
    await waitFor('WHEP session deleted', () => whep!.deleted() >= 1, 15_000);
  });
});
