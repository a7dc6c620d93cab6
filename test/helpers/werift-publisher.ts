import {
  MediaStreamTrack,
  RTCPeerConnection,
  type RTCPeerConnectionConfig,
  RTCRtpCodecParameters,
  RtpPacket,
} from 'werift';
import { withoutFallbackStun } from '../../src/ingest/webrtc/peer-config';
import { applyWeriftFixes } from '../../src/ingest/webrtc/werift-fixes';
import { type RtpSource, startRtpSource } from './rtp-source';

export type TestCodec = 'h264' | 'vp8';

/** werift config for a test peer sending `codecs`: loopback ICE only, no STUN, no audio. */
export function testPeerConfig(codecs: RTCRtpCodecParameters[]): RTCPeerConnectionConfig {
  applyWeriftFixes();
  return {
    codecs: { video: codecs, audio: [] },
    headerExtensions: { video: [], audio: [] },
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
  };
}

export function codecParameters(codec: TestCodec, payloadType: number): RTCRtpCodecParameters {
  const rtcpFeedback = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }];
  return codec === 'h264'
    ? new RTCRtpCodecParameters({
        mimeType: 'video/H264',
        clockRate: 90_000,
        payloadType,
        parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
        rtcpFeedback,
      })
    : new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000, payloadType, rtcpFeedback });
}

export interface WhipPublisher {
  /** The session URL from the Location header. */
  location: string;
  /** ms from sending the POST to having the answer. */
  answerMs: number;
  /** When the POST was sent (Date.now()). */
  postedAt: number;
  plisReceived(): number;
  packetsSent(): number;
  /** DELETE the session (unless `skipDelete`), close the peer and stop FFmpeg. */
  stop(opts?: { skipDelete?: boolean }): Promise<void>;
}

/**
 * A browser-free WHIP publisher: FFmpeg encodes the fixture clip to RTP on loopback, and a werift
 * peer forwards those packets on a sendonly track to `whipUrl`. `offer` lists the codecs put in
 * the offer (in that order); the stream is always encoded as `codec`.
 */
export async function publishWhip(
  whipUrl: string,
  codec: TestCodec,
  opts: { offer?: TestCodec[] } = {},
): Promise<WhipPublisher> {
  const offered = opts.offer ?? [codec];
  const pc = new RTCPeerConnection(testPeerConfig(offered.map((c, i) => codecParameters(c, 96 + i))));
  let source: RtpSource | undefined;
  try {
    const track = new MediaStreamTrack({ kind: 'video' });
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly' });
    let plis = 0;
    transceiver.sender.onPictureLossIndication.subscribe(() => {
      plis++;
    });
    // The camera is already running when it publishes: the session starts mid-GOP, so the
    // receiver has to wait for (and ask for) a keyframe, as with a real encoder.
    source = await startRtpSource(codec);
    let sent = 0;
    source.onPacket((data) => {
      sent++;
      track.writeRtp(RtpPacket.deSerialize(data));
    });
    withoutFallbackStun(pc);
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
    const answerMs = Date.now() - postedAt;
    const location = new URL(res.headers.get('location') ?? '', whipUrl).toString();
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    const rtp = source;
    return {
      location,
      answerMs,
      postedAt,
      plisReceived: () => plis,
      packetsSent: () => sent,
      stop: async ({ skipDelete = false } = {}) => {
        try {
          if (!skipDelete) await fetch(location, { method: 'DELETE', signal: AbortSignal.timeout(10_000) });
        } finally {
          await rtp.stop().catch(() => undefined);
          await pc.close();
        }
      },
    };
  } catch (err) {
    await source?.stop().catch(() => undefined);
    await pc.close();
    throw err;
  }
}
