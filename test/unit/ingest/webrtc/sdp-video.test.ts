import { answerVideo, SdpProblem, selectOfferVideo } from '../../../../src/ingest/webrtc/sdp-video';
import { readFixtureText } from './rtp-fixture';

const CHROMIUM_OFFER = readFixtureText('chromium-offer.sdp');

/** A minimal WebRTC offer with one video section listing `rtpmaps` ("PT NAME" pairs). */
function offer(rtpmaps: string[], extra: string[] = [], videoLine?: string): string {
  const pts = rtpmaps.map((r) => r.split(' ')[0]).join(' ');
  return [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=fingerprint:sha-256 AA:BB',
    videoLine ?? `m=video 9 UDP/TLS/RTP/SAVPF ${pts}`,
    'c=IN IP4 0.0.0.0',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:0123456789abcdef012345',
    'a=sendonly',
    ...rtpmaps.map((r) => `a=rtpmap:${r}/90000`),
    ...extra,
    '',
  ].join('\r\n');
}

function problem(sdp: string): string {
  try {
    selectOfferVideo(sdp);
  } catch (err) {
    if (err instanceof SdpProblem) return err.message;
    throw err;
  }
  throw new Error('no problem found');
}

describe('selectOfferVideo', () => {
  it("picks H.264 packetization-mode 1 from Chromium's offer (VP8 is offered first)", () => {
    const { video, sdp } = selectOfferVideo(CHROMIUM_OFFER);
    expect(video).toEqual({
      codec: 'h264',
      payloadType: 102,
      clockRate: 90_000,
      fmtp: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
    });
    const videoSection = sdp.slice(sdp.indexOf('m=video'));
    expect(videoSection.split('\r\n')[0]).toBe('m=video 43956 UDP/TLS/RTP/SAVPF 102');
    const formats = [...videoSection.matchAll(/^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)/gm)].map((m) => m[1]);
    expect(new Set(formats)).toEqual(new Set(['102']));
    // Everything else is untouched: the audio section, candidates, ICE and DTLS attributes.
    expect(sdp.slice(0, sdp.indexOf('m=video'))).toBe(
      CHROMIUM_OFFER.slice(0, CHROMIUM_OFFER.indexOf('m=video')),
    );
    expect(videoSection).toContain('a=rtcp-fb:102 nack pli');
    expect(videoSection).toContain('a=ssrc-group:FID');
  });

  it('falls back to H.264 packetization-mode 0, then to VP8', () => {
    const mode0 = offer(['96 VP8', '104 H264'], ['a=fmtp:104 packetization-mode=0;profile-level-id=42e01f']);
    expect(selectOfferVideo(mode0).video).toMatchObject({ codec: 'h264', payloadType: 104 });
    expect(selectOfferVideo(offer(['98 VP9', '96 VP8'])).video).toEqual({
      codec: 'vp8',
      payloadType: 96,
      clockRate: 90_000,
    });
  });

  it.each([
    ['an empty body', '', 'the body is empty'],
    ['garbage', 'hello world', 'it must start with "v=0"'],
    ['a line that is not x=value', 'v=0\r\nhello\r\n', 'line 2 is not an SDP line'],
    ['a malformed m= line', offer([], [], 'm=video nine RTP'), 'malformed m= line'],
    ['no video', offer([], [], 'm=audio 9 UDP/TLS/RTP/SAVPF 111'), 'no video m-line'],
    [
      'a disabled video section only',
      offer(['96 VP8'], [], 'm=video 0 UDP/TLS/RTP/SAVPF 96'),
      'no video m-line',
    ],
    [
      'VP9 and AV1 only',
      offer(['98 VP9', '45 AV1', '99 rtx']),
      'no supported video codec (offered: VP9, AV1;',
    ],
    [
      'a recvonly video track',
      offer(['96 VP8']).replace('a=sendonly', 'a=recvonly'),
      'the video track is recvonly',
    ],
    ['no ICE credentials', offer(['96 VP8']).replace(/a=ice-pwd:.*\r\n/, ''), 'no ICE credentials'],
    ['no DTLS fingerprint', offer(['96 VP8']).replace(/a=fingerprint:.*\r\n/, ''), 'no DTLS fingerprint'],
  ])('refuses %s', (_what, sdp, message) => {
    expect(problem(sdp)).toContain(message);
  });

  it('refuses two video sections', () => {
    const two = `${offer(['96 VP8'])}m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n`;
    expect(problem(two)).toContain('2 video m-lines');
  });
});

describe('answerVideo', () => {
  it("reads the codec a WHEP server's answer chose", () => {
    expect(answerVideo(offer(['96 VP8', '102 H264']))).toMatchObject({ codec: 'vp8', payloadType: 96 });
  });

  it('refuses an answer without H.264 or VP8', () => {
    expect(() => answerVideo(offer(['98 VP9']))).toThrow(SdpProblem);
  });
});
