import { isIP } from 'node:net';
import {
  type RTCPeerConnection,
  type RTCPeerConnectionConfig,
  RTCRtpCodecParameters,
  useOPUS,
  usePCMU,
} from 'werift';
import { applyWeriftFixes } from './werift-fixes';

/** Where ICE looks for and accepts a path to the peer. */
export interface IceOptions {
  /**
   * Host addresses advertised as ICE candidates in front of the machine's own interfaces.
   * Default ['127.0.0.1']: werift leaves loopback out of its interface scan, so without it a
   * publisher on the same host (a local relay, a test) can never connect.
   */
  hostAddresses?: string[];
  /**
   * Loopback only (tests, a relay on the same host): advertise `hostAddresses` alone, bind the
   * ICE sockets to 127.0.0.1, and neither answer nor send connectivity checks to other addresses.
   * Default false.
   */
  loopbackOnly?: boolean;
  /** UDP port range for ICE sockets, e.g. to match a firewall rule; default any free port. */
  portRange?: [number, number];
}

/** Feedback Argus needs from a sender: NACK for loss repair, PLI to ask for keyframes. */
const VIDEO_FEEDBACK = [
  { type: 'nack' },
  { type: 'nack', parameter: 'pli' },
  { type: 'ccm', parameter: 'fir' },
];

/**
 * werift configuration for a receive-only video peer. Pitfalls handled here: werift's default ICE
 * server is a public STUN server (and see withoutFallbackStun), loopback is not gathered (see
 * IceOptions), and PLI is silently not sent unless `nack pli` is negotiated.
 * Audio codecs are listed only so that an offer with audio still negotiates (werift rejects an
 * m-line with no common codec); audio packets are ignored.
 */
export function receiverPeerConfig(ice: IceOptions = {}): RTCPeerConnectionConfig {
  applyWeriftFixes();
  const hostAddresses = ice.hostAddresses ?? ['127.0.0.1'];
  const config: RTCPeerConnectionConfig = {
    codecs: {
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/H264',
          clockRate: 90_000,
          payloadType: 102,
          parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
          rtcpFeedback: VIDEO_FEEDBACK,
        }),
        new RTCRtpCodecParameters({
          mimeType: 'video/VP8',
          clockRate: 90_000,
          payloadType: 96,
          rtcpFeedback: VIDEO_FEEDBACK,
        }),
      ],
      audio: [useOPUS(), usePCMU()],
    },
    headerExtensions: { video: [], audio: [] },
    iceServers: [],
    iceAdditionalHostAddresses: hostAddresses,
    ...(ice.portRange ? { icePortRange: ice.portRange } : {}),
  };
  if (ice.loopbackOnly) {
    Object.assign(config, {
      // No interface scan: the advertised candidates are exactly hostAddresses.
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
      iceFilterCandidatePair: (pair: { remoteCandidate: { host: string } }) =>
        isLoopback(pair.remoteCandidate.host),
      iceFilterStunResponse: (_msg: unknown, addr: readonly [string, number]) => isLoopback(addr[0]),
    } satisfies RTCPeerConnectionConfig);
  }
  return config;
}

/**
 * Call after the peer's transports exist (after setRemoteDescription when answering, after
 * addTransceiver when offering) and before setLocalDescription: werift's ICE falls back to
 * stun.l.google.com whenever no STUN server is configured, which sends packets off the host
 * unasked and, where the lookup or the reply hangs, holds candidate gathering up to 5 s.
 */
export function withoutFallbackStun(pc: RTCPeerConnection): void {
  for (const transport of pc.iceTransports) transport.connection.stunServer = undefined;
}

export function isLoopback(host: string): boolean {
  const version = isIP(host);
  if (version === 4) return host.startsWith('127.');
  if (version === 6) return host === '::1' || host.toLowerCase().startsWith('::ffff:127.');
  return host === 'localhost';
}
