/** The H.264 or VP8 payload type chosen from an SDP's video section. */
export interface VideoCodecChoice {
  codec: 'h264' | 'vp8';
  payloadType: number;
  clockRate: number;
  /** The codec's `a=fmtp` parameters, e.g. `packetization-mode=1;profile-level-id=42e01f`. */
  fmtp?: string;
}

/** Why an SDP is not usable; the caller turns it into its own error code. */
export class SdpProblem extends Error {
  override readonly name = 'SdpProblem';
}

interface MediaSection {
  kind: string;
  port: number;
  formats: string[];
  /** Index of the m= line in the SDP's lines. */
  mLine: number;
  /** Index one past the section's last line. */
  end: number;
  attributes: string[];
}

interface ParsedSdp {
  lines: string[];
  session: string[];
  media: MediaSection[];
}

/**
 * Checks that `sdp` is a WebRTC offer Argus can take (one sent video track, ICE credentials, a
 * DTLS fingerprint, H.264 or VP8), chooses the codec, and returns the offer rewritten so that its
 * video section lists that payload type alone. The rewrite is how the choice is made: werift
 * answers with every offered codec whose name it knows, in the offer's order (Chrome offers VP8
 * before H.264, and six H.264 variants), and the sender then uses the first.
 * H.264 is preferred (packetization-mode=1 first, then mode 0), else VP8.
 * Throws SdpProblem saying what is wrong.
 */
export function selectOfferVideo(sdp: string): { sdp: string; video: VideoCodecChoice } {
  const parsed = parseSdp(sdp);
  const video = onlyVideo(parsed);
  const direction = directionOf(parsed, video);
  if (direction === 'recvonly' || direction === 'inactive') {
    throw new SdpProblem(`the video track is ${direction}: a WHIP offer must send video (sendonly)`);
  }
  requireWebRtc(parsed, video);
  const codecs = codecsOf(video);
  const choice =
    codecs.find((c) => c.codec === 'h264' && /(^|;)\s*packetization-mode=1/.test(c.fmtp ?? '')) ??
    codecs.find((c) => c.codec === 'h264') ??
    codecs.find((c) => c.codec === 'vp8');
  if (choice === undefined) throw noSupportedCodec(video);
  return { sdp: keepOnlyPayloadType(parsed, video, choice.payloadType), video: choice };
}

/** The codec an answer chose: the first H.264 or VP8 format of its video section. */
export function answerVideo(sdp: string): VideoCodecChoice {
  const parsed = parseSdp(sdp);
  const video = onlyVideo(parsed);
  const choice = codecsOf(video)[0];
  if (choice === undefined) throw noSupportedCodec(video);
  return choice;
}

function parseSdp(sdp: string): ParsedSdp {
  if (typeof sdp !== 'string' || sdp.trim() === '') throw new SdpProblem('the body is empty');
  const lines = sdp.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== 'v=0') throw new SdpProblem('not an SDP description (it must start with "v=0")');
  const session: string[] = [];
  const media: MediaSection[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!/^[a-z]=/.test(line)) {
      throw new SdpProblem(
        `line ${i + 1} is not an SDP line ("x=value"): ${JSON.stringify(line.slice(0, 40))}`,
      );
    }
    if (line.startsWith('m=')) {
      const m = /^m=(\S+) (\d+)(?:\/\d+)? (\S+)((?: \S+)*)$/.exec(line);
      if (m === null) throw new SdpProblem(`line ${i + 1} is a malformed m= line`);
      const previous = media[media.length - 1];
      if (previous) previous.end = i;
      media.push({
        kind: m[1]!,
        port: Number(m[2]),
        formats: m[4]!.trim().split(' ').filter(Boolean),
        mLine: i,
        end: lines.length,
        attributes: [],
      });
    } else if (line.startsWith('a=')) {
      (media[media.length - 1]?.attributes ?? session).push(line.slice(2));
    }
  }
  return { lines, session, media };
}

function onlyVideo(parsed: ParsedSdp): MediaSection {
  const videos = parsed.media.filter((m) => m.kind === 'video' && m.port !== 0);
  if (videos.length === 0) throw new SdpProblem('there is no video m-line');
  if (videos.length > 1) throw new SdpProblem(`there are ${videos.length} video m-lines; Argus takes one`);
  return videos[0]!;
}

function directionOf(parsed: ParsedSdp, media: MediaSection): string {
  const directions = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];
  return (
    media.attributes.find((a) => directions.includes(a)) ??
    parsed.session.find((a) => directions.includes(a)) ??
    'sendrecv'
  );
}

function requireWebRtc(parsed: ParsedSdp, media: MediaSection): void {
  const has = (prefix: string) =>
    media.attributes.some((a) => a.startsWith(prefix)) || parsed.session.some((a) => a.startsWith(prefix));
  if (!has('ice-ufrag:') || !has('ice-pwd:'))
    throw new SdpProblem('no ICE credentials (a=ice-ufrag, a=ice-pwd)');
  if (!has('fingerprint:')) throw new SdpProblem('no DTLS fingerprint (a=fingerprint)');
}

/** The section's H.264 and VP8 formats, in m-line order. */
function codecsOf(media: MediaSection): VideoCodecChoice[] {
  const rtpmap = new Map<string, { name: string; clockRate: number }>();
  const fmtp = new Map<string, string>();
  for (const a of media.attributes) {
    const r = /^rtpmap:(\d+) ([^/\s]+)\/(\d+)/.exec(a);
    if (r) rtpmap.set(r[1]!, { name: r[2]!.toLowerCase(), clockRate: Number(r[3]) });
    const f = /^fmtp:(\d+) (.*)$/.exec(a);
    if (f) fmtp.set(f[1]!, f[2]!.trim());
  }
  const out: VideoCodecChoice[] = [];
  for (const pt of media.formats) {
    const map = rtpmap.get(pt);
    if (map === undefined || (map.name !== 'h264' && map.name !== 'vp8')) continue;
    const params = fmtp.get(pt);
    out.push({
      codec: map.name,
      payloadType: Number(pt),
      clockRate: map.clockRate,
      ...(params !== undefined ? { fmtp: params } : {}),
    });
  }
  return out;
}

function noSupportedCodec(media: MediaSection): SdpProblem {
  const names = new Set<string>();
  for (const a of media.attributes) {
    const r = /^rtpmap:\d+ ([^/\s]+)\//.exec(a);
    if (r && !['rtx', 'red', 'ulpfec', 'flexfec-03'].includes(r[1]!.toLowerCase())) names.add(r[1]!);
  }
  const offered = names.size > 0 ? [...names].join(', ') : 'none';
  return new SdpProblem(`no supported video codec (offered: ${offered}; Argus takes H264 or VP8)`);
}

function keepOnlyPayloadType(parsed: ParsedSdp, media: MediaSection, payloadType: number): string {
  const pt = String(payloadType);
  const out: string[] = [];
  for (const [i, line] of parsed.lines.entries()) {
    if (i === media.mLine) {
      out.push(line.replace(/^(m=\S+ \S+ \S+)(?: \S+)*$/, `$1 ${pt}`));
      continue;
    }
    const perFormat =
      i > media.mLine && i < media.end ? /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+|\*) /.exec(line) : null;
    if (perFormat === null || perFormat[1] === '*' || perFormat[1] === pt) out.push(line);
  }
  return `${out.join('\r\n')}\r\n`;
}
