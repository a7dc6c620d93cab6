import { MediaStreamTrack, RTCPeerConnection } from 'werift';
import { receiverPeerConfig, withoutFallbackStun } from './peer-config';

const WARM_UP_TIMEOUT_MS = 10_000;

let warming: Promise<boolean> | undefined;

/**
 * Runs one WebRTC handshake between two werift peers inside this process, on loopback, once.
 * werift is pure JavaScript: its first ICE + DTLS handshake (certificate, elliptic-curve code,
 * SRTP setup, all cold for the JIT) takes about a second longer than the next ones, which a
 * publisher would otherwise wait through as time to first frame. Call at startup; resolves true
 * when the handshake completed (false on timeout), and never rejects. Later calls reuse the first.
 */
export function warmUpWebRtc(): Promise<boolean> {
  warming ??= handshake().catch(() => false);
  return warming;
}

async function handshake(): Promise<boolean> {
  const config = receiverPeerConfig({ loopbackOnly: true });
  const offerer = new RTCPeerConnection(config);
  const answerer = new RTCPeerConnection(config);
  let timer: NodeJS.Timeout | undefined;
  try {
    offerer.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
    withoutFallbackStun(offerer);
    await offerer.setLocalDescription(await offerer.createOffer());
    await answerer.setRemoteDescription({ type: 'offer', sdp: offerer.localDescription?.sdp ?? '' });
    withoutFallbackStun(answerer);
    await answerer.setLocalDescription(await answerer.createAnswer());
    const connected = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), WARM_UP_TIMEOUT_MS);
      answerer.connectionStateChange.subscribe((state) => {
        if (state === 'connected') resolve(true);
        if (state === 'failed' || state === 'closed') resolve(false);
      });
    });
    await offerer.setRemoteDescription({ type: 'answer', sdp: answerer.localDescription?.sdp ?? '' });
    return await connected;
  } finally {
    clearTimeout(timer);
    await Promise.all([offerer.close(), answerer.close()]).catch(() => undefined);
  }
}
