import { readFileSync } from 'node:fs';
import { ApiKeyStore } from '../../../src/auth/api-key-store';
import { fixture } from '../../helpers/fixtures';
import {
  type RtspTestServer,
  registerRtspServerCleanup,
  startRtspServer,
} from '../../helpers/rtsp-test-server';
import {
  descendants,
  enrolCli,
  newDataDir,
  type ServeProcess,
  startServe,
  subscriber,
  until,
  type WsMsg,
} from '../../helpers/serve-process';
import { pidAlive } from '../../helpers/wait-for';

/**
 * `argus serve` end to end, in a child process, with real parts only: the sample clip served by a
 * real RTSP server (GStreamer), a gallery with the demo identity and someone who is not in the
 * clip, the vision worker pool, and WebSocket clients: one that must receive an alert for the demo
 * identity only, one subscribed to another stream that must receive nothing, and one that resumes.
 * The alert is then in the history with its crop, and a reviewer's verdict is recorded.
 */
registerRtspServerCleanup();

let rtsp: RtspTestServer;
let serve: ServeProcess | undefined;
let viewerKey: string;
let operatorKey: string;
let demoId: string;
let obamaId: string;
let dataDir: string;
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

beforeAll(async () => {
  dataDir = newDataDir('argus-e2e-');
  demoId = await enrolCli(dataDir, 'Lin-Manuel Miranda', [
    fixture('face_recognition', 'lin-manuel-miranda.png'),
  ]);
  obamaId = await enrolCli(dataDir, 'Barack Obama', [
    fixture('face_recognition', 'knn_examples/train/obama/obama.jpg'),
  ]);
  const keys = ApiKeyStore.open(dataDir);
  try {
    viewerKey = (await keys.create({ role: 'viewer', label: 'e2e' })).key;
    operatorKey = (await keys.create({ role: 'operator', label: 'e2e' })).key;
  } finally {
    keys.close();
  }
}, 600_000);

afterAll(async () => {
  await serve?.stop();
}, 60_000);

describe('argus serve, end to end', () => {
  test('alerts the demo identity over RTSP within seconds, nobody else; filters, resume, history, review, enrolment, SIGTERM', async () => {
    rtsp = await startRtspServer({ file: fixture('face_recognition', 'short_hamilton_clip.mp4') });
    serve = await startServe({ dataDir, config: { streams: [{ id: 'cam1', url: rtsp.url }] } });
    const s = serve;
    expect(s.adminKey).toMatch(/^argus_/);
    expect(s.stderr()).not.toContain(s.adminKey);

    const all = await subscriber(s.wsUrl, viewerKey);
    const elsewhere = await subscriber(s.wsUrl, viewerKey, { type: 'subscribe', streams: ['cam2'] });
    try {
      const live = await until('stream cam1 live', 120_000, () =>
        all.messages.find((m) => m.type === 'stream-status' && m.state === 'live'),
      );
      const liveAt = Date.parse(live.emitTime as string);
      const alert = await until('an alert for the demo identity', 120_000, () =>
        all.messages.find((m) => m.type === 'alert' && (m.identity as { id: string }).id === demoId),
      );
      // Within 5 s of the stream going live (generous on a busy machine; the benchmark has the real number).
      expect(Date.parse(alert.emitTime as string) - liveAt).toBeLessThan(15_000);
      expect(alert).toMatchObject({
        v: 1,
        streamId: 'cam1',
        identity: { id: demoId, name: 'Lin-Manuel Miranda', watchlists: [] },
        review: 'pending',
        crop: { url: `/v1/alerts/${alert.eventId}/crop` },
      });
      expect(alert.similarity).toBeGreaterThanOrEqual(0.4);
      expect(alert.evidenceCount).toBeGreaterThanOrEqual(1);
      expect(Date.parse(alert.emitTime as string)).toBeGreaterThanOrEqual(
        Date.parse(alert.captureTime as string),
      );

      // A few more seconds of clip: nobody but the demo identity; nothing for the cam2 subscriber.
      await new Promise((r) => setTimeout(r, 4000));
      const alerted = all.messages.filter((m) => m.type === 'alert' || m.type === 'alert-update');
      expect(alerted.every((m) => (m.identity as { id: string }).id === demoId)).toBe(true);
      expect(alerted.some((m) => (m.identity as { id: string }).id === obamaId)).toBe(false);
      expect(elsewhere.messages.map((m) => m.type)).toEqual(['subscribed']);

      // Resume from before the alert replays it, in order.
      const resumed = await subscriber(s.wsUrl, viewerKey, { type: 'resume', lastEventId: 0 });
      try {
        const replay = await until('the replay', 30_000, () =>
          resumed.messages.some((m) => m.eventId === alert.eventId) ? resumed.messages : undefined,
        );
        const ids = replay.map((m: WsMsg) => m.eventId as number);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        expect(replay.find((m) => m.eventId === alert.eventId)).toEqual(alert);
      } finally {
        resumed.close();
      }

      // The alert is in the history with its crop; a viewer may see it but not review it.
      const history = (await (
        await fetch(`${s.address}/v1/alerts?streamId=cam1`, { headers: auth(viewerKey) })
      ).json()) as {
        items: Array<{ id: number; hasCrop: boolean; review: { status: string } }>;
      };
      const stored = history.items.find((a) => a.id === alert.eventId);
      expect(stored).toMatchObject({ hasCrop: true, review: { status: 'pending' } });
      const crop = await fetch(`${s.address}/v1/alerts/${alert.eventId}/crop`, { headers: auth(viewerKey) });
      expect(crop.status).toBe(200);
      expect(crop.headers.get('content-type')).toBe('image/jpeg');
      const jpeg = Buffer.from(await crop.arrayBuffer());
      expect(jpeg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      const review = (verdict: string, key: string) =>
        fetch(`${s.address}/v1/alerts/${alert.eventId}/review`, {
          method: 'POST',
          headers: { ...auth(key), 'content-type': 'application/json' },
          body: JSON.stringify({ status: verdict, comment: 'e2e check' }),
        });
      expect((await review('confirmed', viewerKey)).status).toBe(403);
      const ok = await review('confirmed', operatorKey);
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { review: { status: string } }).review.status).toBe('confirmed');

      // Enrolment and erasure over the API use the server's own vision pool.
      const form = new FormData();
      form.append('name', 'Joe Biden');
      form.append('reason', 'e2e enrolment');
      form.append('watchlists', 'e2e');
      form.append(
        'images',
        new Blob([readFileSync(fixture('face_recognition', 'knn_examples/train/biden/biden.jpg'))], {
          type: 'image/jpeg',
        }),
        'biden.jpg',
      );
      const enrolled = await fetch(`${s.address}/v1/identities`, {
        method: 'POST',
        headers: auth(s.adminKey),
        body: form,
      });
      const body = (await enrolled.json()) as { identity?: { id: string }; added?: number };
      expect([enrolled.status, body.added]).toEqual([201, 1]);
      const erased = await fetch(
        `${s.address}/v1/identities/${body.identity!.id}?reason=${encodeURIComponent('e2e erasure')}`,
        { method: 'DELETE', headers: auth(s.adminKey) },
      );
      expect(erased.status).toBeLessThan(300);
    } finally {
      all.close();
      elsewhere.close();
    }

    // SIGTERM stops it cleanly: exit 0 within 30 s, no FFmpeg left behind. (Here, while the RTSP
    // server still runs: the cleanup hook stops it after each test.)
    // FFmpeg may be between two attempts: wait for one.
    const children = await until('an FFmpeg child', 30_000, () => {
      const pids = descendants(serve!.pid);
      return pids.length > 0 ? pids : undefined;
    });
    expect(await serve!.terminate(30_000)).toBe(0);
    expect(children.filter((pid) => pidAlive(pid))).toEqual([]);
  }, 400_000);
});
