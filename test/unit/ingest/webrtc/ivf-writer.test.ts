import type { EncodedFrame } from '../../../../src/ingest/webrtc/encoded-frame';
import {
  IVF_FILE_HEADER_BYTES,
  IVF_FRAME_HEADER_BYTES,
  IvfWriter,
  ivfFileHeader,
} from '../../../../src/ingest/webrtc/ivf-writer';
import { Vp8Depacketizer } from '../../../../src/ingest/webrtc/vp8-depacketizer';
import { loadRtpFixture } from './rtp-fixture';

const key = (timestamp: number): EncodedFrame => ({
  data: Buffer.from([1, 2, 3]),
  keyframe: true,
  timestamp,
  width: 640,
  height: 360,
});
const delta = (timestamp: number, size = 2): EncodedFrame => ({
  data: Buffer.alloc(size, 7),
  keyframe: false,
  timestamp,
});

/** Walks an IVF byte stream: the header fields and each frame's size and pts. */
function parseIvf(buf: Buffer) {
  const header = {
    signature: buf.toString('ascii', 0, 4),
    version: buf.readUInt16LE(4),
    headerSize: buf.readUInt16LE(6),
    fourcc: buf.toString('ascii', 8, 12),
    width: buf.readUInt16LE(12),
    height: buf.readUInt16LE(14),
    rate: buf.readUInt32LE(16),
    scale: buf.readUInt32LE(20),
  };
  const frames: Array<{ size: number; pts: bigint }> = [];
  let offset = header.headerSize;
  while (offset < buf.length) {
    const size = buf.readUInt32LE(offset);
    frames.push({ size, pts: buf.readBigUInt64LE(offset + 4) });
    offset += IVF_FRAME_HEADER_BYTES + size;
  }
  return { header, frames, end: offset };
}

describe('ivfFileHeader', () => {
  it('writes the 32-byte DKIF header, little-endian', () => {
    const h = ivfFileHeader({
      fourcc: 'VP80',
      width: 640,
      height: 360,
      timebaseDen: 90_000,
      timebaseNum: 1,
      frameCount: 0,
    });
    expect(h.length).toBe(IVF_FILE_HEADER_BYTES);
    expect(h.toString('hex')).toBe(
      '444b4946' +
        '0000' +
        '2000' +
        '56503830' +
        '8002' +
        '6801' +
        '905f0100' +
        '01000000' +
        '00000000' +
        '00000000',
    );
  });

  it('refuses a fourcc that is not four printable characters', () => {
    expect(() =>
      ivfFileHeader({ fourcc: 'VP8', width: 1, height: 1, timebaseDen: 1, timebaseNum: 1, frameCount: 0 }),
    ).toThrow(RangeError);
  });
});

describe('IvfWriter', () => {
  it('skips frames until a keyframe that states its size, then writes the header once', () => {
    const w = new IvfWriter();
    expect(w.write(delta(0))).toBeUndefined();
    const first = w.write(key(1000))!;
    const second = w.write(delta(4000))!;
    const ivf = parseIvf(Buffer.concat([first, second]));
    expect(ivf.header).toEqual({
      signature: 'DKIF',
      version: 0,
      headerSize: 32,
      fourcc: 'VP80',
      width: 640,
      height: 360,
      rate: 90_000,
      scale: 1,
    });
    expect(ivf.frames).toEqual([
      { size: 3, pts: 0n },
      { size: 2, pts: 3000n },
    ]);
  });

  it('unwraps the 32-bit RTP timestamp and keeps pts strictly increasing', () => {
    const w = new IvfWriter();
    const parts = [w.write(key(0xffff_f000))!, w.write(delta(0x0000_0800))!, w.write(delta(0x0000_0800))!];
    const ivf = parseIvf(Buffer.concat(parts));
    expect(ivf.frames.map((f) => f.pts)).toEqual([0n, 0x1800n, 0x1801n]);
  });

  it('frames the captured VP8 stream into a well-formed IVF stream', () => {
    const dep = new Vp8Depacketizer();
    const w = new IvfWriter();
    const chunks = loadRtpFixture('ffmpeg-vp8')
      .packets.flatMap((p) => dep.push(p))
      .flatMap((o) => (o.type === 'frame' ? [w.write(o.frame)] : []))
      .filter((b): b is Buffer => b !== undefined);
    const buf = Buffer.concat(chunks);
    const ivf = parseIvf(buf);
    expect(ivf.end).toBe(buf.length);
    expect(ivf.header).toMatchObject({ width: 640, height: 360 });
    expect(ivf.frames.length).toBe(dep.stats.frames);
    // The clip is 29.97 fps: frames are 3003 ticks of 90 kHz apart.
    expect(ivf.frames[1]!.pts - ivf.frames[0]!.pts).toBe(3003n);
  });
});
