/** WHIP publish to first decoded frame. */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import Fastify from 'fastify';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpPacket } from 'werift';
import type { ResolvedFfmpeg } from '../../src/ingest/ffmpeg/ffmpeg-binary';
import { WebRtcFeedProvider } from '../../src/ingest/webrtc/webrtc-feed-provider';
import { WhipIngest } from '../../src/ingest/webrtc/whip-ingest';
import { whipRoutes } from '../../src/ingest/webrtc/whip-routes';
import { median, round } from '../bench-report';
import { CLIP, WHIP_RUNS } from './bench-constants';
import {
  type Ctx,
  closers,
  killChild,
  nextFrame,
  stopSupervisor,
  supervisor,
  track,
} from './bench-processes';

export interface WhipResult {
  ms: number | null;
  samples?: number[];
  note: string;
}

interface WhipPublisher {
  /** Date.now() when the POST was sent. */
  postedAt: number;
  stop(): Promise<void>;
}

/**
 * A browser-free WHIP publisher like test/helpers/werift-publisher.ts: FFmpeg encodes the clip
 * (looped, real time, H.264 baseline, keyframe every 15 frames since FFmpeg cannot answer PLI) to
 * RTP on loopback, and a werift peer sends those packets on a sendonly track. The encoder is
 * already running at the POST, so the session starts mid-GOP, as with a real camera.
 */
async function publishWhip(whipUrl: string, ffmpeg: ResolvedFfmpeg): Promise<WhipPublisher> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const rtpPort = socket.address().port;
  const encoder = track(
    spawn(
      ffmpeg.path,
      [
        ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', CLIP, '-an'],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline'],
        ...['-g', '15', '-keyint_min', '15', '-pix_fmt', 'yuv420p', '-f', 'rtp', '-payload_type', '96'],
        `rtp://127.0.0.1:${rtpPort}?rtcpport=${rtpPort}&pkt_size=1200`,
      ],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    ),
  );
  const pc = new RTCPeerConnection({
    codecs: {
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/H264',
          clockRate: 90_000,
          payloadType: 96,
          parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
        }),
      ],
      audio: [],
    },
    headerExtensions: { video: [], audio: [] },
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
  });
  let location: string | undefined;
  const stop = async () => {
    closers.delete(stop);
    if (location)
      await fetch(location, { method: 'DELETE', signal: AbortSignal.timeout(10_000) }).catch(() => {});
    await killChild(encoder);
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    await pc.close();
  };
  closers.add(stop);
  try {
    const video = new MediaStreamTrack({ kind: 'video' });
    pc.addTransceiver(video, { direction: 'sendonly' });
    socket.on('message', (msg) => {
      // RTCP (packet types 200-204) shares the port; only RTP goes on the track.
      const pt = (msg[1] ?? 0) & 0x7f;
      if (msg.length >= 12 && !(pt >= 72 && pt <= 76)) video.writeRtp(RtpPacket.deSerialize(msg));
    });
    await pc.setLocalDescription(await pc.createOffer());
    const postedAt = Date.now();
    const res = await fetch(whipUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: pc.localDescription!.sdp,
      signal: AbortSignal.timeout(30_000),
    });
    const body = await res.text();
    if (res.status !== 201) throw new Error(`WHIP POST answered ${res.status}: ${body}`);
    location = new URL(res.headers.get('location') ?? '', whipUrl).toString();
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    return { postedAt, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** WHIP POST -> the supervisor's first decoded frame (H.264 from a werift publisher, loopback). */
export async function whipTtff(ctx: Ctx): Promise<WhipResult> {
  const ingest = new WhipIngest({ iceLoopbackOnly: true });
  const app = Fastify({ logger: false });
  const close = async () => {
    closers.delete(close);
    await ingest.closeAll();
    await app.close();
  };
  closers.add(close);
  try {
    await app.register(whipRoutes, { ingest });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const feeds = new WebRtcFeedProvider(ingest, { timeoutMs: 20_000, iceLoopbackOnly: true });
    const once = async (i: number): Promise<number> => {
      const id = `whip${i}`;
      ingest.register(id);
      const { s } = supervisor({ ...ctx, feeds }, { id, url: `whip:${id}` });
      s.start();
      const first = nextFrame(s, 'first WHIP frame');
      first.catch(() => {}); // awaited below, unless publishing fails first
      const publisher = await publishWhip(`http://127.0.0.1:${address.port}/whip/${id}`, ctx.ffmpeg);
      try {
        const f = await first;
        return f.putAt - publisher.postedAt;
      } finally {
        await stopSupervisor(s);
        await publisher.stop();
        await ingest.unregister(id);
      }
    };
    await once(0); // werift's first session (module warm-up) is not counted
    const samples: number[] = [];
    for (let i = 1; i <= WHIP_RUNS; i++) samples.push(await once(i));
    return {
      ms: round(median(samples), 0),
      samples,
      note:
        'median of POST -> first frame out of the supervisor; werift publisher on loopback sending H.264 encoded by FFmpeg ' +
        '(keyframe every 15 frames at 29.97 fps: FFmpeg cannot answer PLI, so up to ~0.5 s is the wait for a keyframe); one throwaway session first',
    };
  } finally {
    await close();
  }
}
