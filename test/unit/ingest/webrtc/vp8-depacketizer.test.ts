import type { EncodedFrame, RtpInput } from '../../../../src/ingest/webrtc/encoded-frame';
import { parseVp8Descriptor, Vp8Depacketizer } from '../../../../src/ingest/webrtc/vp8-depacketizer';
import { loadRtpFixture } from './rtp-fixture';

function framesOf(dep: Vp8Depacketizer, packets: RtpInput[]): EncodedFrame[] {
  return packets.flatMap((p) => dep.push(p)).flatMap((o) => (o.type === 'frame' ? [o.frame] : []));
}

describe('parseVp8Descriptor (RFC 7741 4.2)', () => {
  it.each([
    ['no extension', [0x10, 0xaa], { start: true, partitionId: 0, length: 1 }],
    ['a 7-bit PictureID', [0x90, 0x80, 0x05, 0xaa], { start: true, partitionId: 0, pictureId: 5, length: 3 }],
    [
      'a 15-bit PictureID',
      [0x90, 0x80, 0x81, 0x02, 0xaa],
      { start: true, partitionId: 0, pictureId: 258, length: 4 },
    ],
    [
      'L without T or K (TL0PICIDX only)',
      [0x80, 0x40, 0x07, 0xaa],
      { start: false, partitionId: 0, length: 3 },
    ],
    ['T without L (TID byte only)', [0x80, 0x20, 0x40, 0xaa], { start: false, partitionId: 0, length: 3 }],
    [
      'I, L, T and K',
      [0x92, 0xf0, 0x81, 0x02, 0x07, 0x40, 0xaa],
      { start: true, partitionId: 2, pictureId: 258, length: 6 },
    ],
  ])('reads a descriptor with %s', (_what, bytes, expected) => {
    expect(parseVp8Descriptor(Buffer.from(bytes))).toEqual(expected);
  });

  it.each([
    ['empty', []],
    ['X set but no extension byte', [0x80]],
    ['I set but no PictureID', [0x80, 0x80]],
    ['M set but one PictureID byte', [0x80, 0x80, 0x81]],
    ['L and T announced past the end', [0x80, 0x60, 0x01]],
  ])('rejects %s', (_what, bytes) => {
    expect(parseVp8Descriptor(Buffer.from(bytes))).toBeUndefined();
  });
});

describe('Vp8Depacketizer on captured RTP (FFmpeg libvpx)', () => {
  it('emits the keyframe with its size, then the frames after it', () => {
    const { packets } = loadRtpFixture('ffmpeg-vp8');
    const dep = new Vp8Depacketizer();
    const out = framesOf(dep, packets);
    expect(out.length).toBeGreaterThanOrEqual(5);
    expect(out[0]).toMatchObject({ keyframe: true, width: 640, height: 360 });
    // A VP8 keyframe starts with the frame tag, then the start code 9d 01 2a.
    expect(out[0]!.data.subarray(3, 6)).toEqual(Buffer.from([0x9d, 0x01, 0x2a]));
    expect(out.slice(1).every((f) => !f.keyframe && f.width === undefined)).toBe(true);
    expect(dep.stats).toEqual({
      packets: packets.length,
      packetsLost: 0,
      frames: out.length,
      framesDropped: 0,
    });
  });

  it('drops the keyframe when one of its packets is lost, and the frames after it', () => {
    const { packets } = loadRtpFixture('ffmpeg-vp8');
    const dep = new Vp8Depacketizer();
    expect(
      framesOf(
        dep,
        packets.filter((_, i) => i !== 3),
      ),
    ).toEqual([]);
    expect(dep.stats.packetsLost).toBe(1);
  });

  it('drops a frame whose first packet is lost (its head does not start partition 0)', () => {
    const { packets } = loadRtpFixture('ffmpeg-vp8');
    const dep = new Vp8Depacketizer();
    // Skip the keyframe's first packet, keep the rest: the frame has no head.
    const out = framesOf(dep, packets.slice(1));
    expect(out).toEqual([]);
  });
});
