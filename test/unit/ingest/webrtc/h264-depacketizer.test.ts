import type { DepacketizerOutput, EncodedFrame, RtpInput } from '../../../../src/ingest/webrtc/encoded-frame';
import { annexB, H264Depacketizer } from '../../../../src/ingest/webrtc/h264-depacketizer';
import { loadRtpFixture, nalTypes } from './rtp-fixture';

function run(dep: H264Depacketizer, packets: RtpInput[]): DepacketizerOutput[] {
  return packets.flatMap((p) => dep.push(p));
}

function frames(outputs: DepacketizerOutput[]): EncodedFrame[] {
  return outputs.flatMap((o) => (o.type === 'frame' ? [o.frame] : []));
}

/** A packet with the given payload bytes; sequence numbers from 100, one frame per timestamp. */
function pkt(seq: number, ts: number, marker: boolean, ...bytes: number[][]): RtpInput {
  return { sequenceNumber: seq, timestamp: ts, marker, payload: Buffer.from(bytes.flat()) };
}

const SPS = [0x67, 0x42, 0xc0, 0x1e, 0xd9];
const PPS = [0x68, 0xce, 0x3c, 0x80];
const IDR = [0x65, 0x88, 0x84, 0x00, 0x33];
const P_SLICE = [0x41, 0x9a, 0x02, 0x04];

function stapA(...nals: number[][]): number[] {
  return [0x18, ...nals.flatMap((n) => [n.length >> 8, n.length & 0xff, ...n])];
}

describe('H264Depacketizer on captured RTP', () => {
  it.each(['ffmpeg-h264', 'chromium-h264'] as const)(
    '%s: drops frames before the first IDR, then emits decodable Annex B access units',
    (name) => {
      const fixture = loadRtpFixture(name);
      const dep = new H264Depacketizer();
      const outputs = run(dep, fixture.packets);
      const out = frames(outputs);
      expect(out.length).toBeGreaterThanOrEqual(5);
      // The first frame handed on is the keyframe, with its parameter sets in front.
      expect(out[0]!.keyframe).toBe(true);
      const keyTypes = nalTypes(out[0]!.data);
      expect(keyTypes.slice(0, 2)).toEqual([7, 8]);
      expect(keyTypes.slice(2).every((t) => t === 5)).toBe(true);
      for (const f of out.slice(1)) {
        expect(f.keyframe).toBe(false);
        expect(f.data.subarray(0, 4)).toEqual(Buffer.from([0, 0, 0, 1]));
        expect(nalTypes(f.data).every((t) => t === 1)).toBe(true);
      }
      // Frames are whole: one output per RTP timestamp, in order.
      const stamps = out.map((f) => f.timestamp);
      expect(new Set(stamps).size).toBe(stamps.length);
      const stats = dep.stats;
      expect(stats.packets).toBe(fixture.packets.length);
      expect(stats.packetsLost).toBe(0);
      expect(stats.frames).toBe(out.length);
      // Every frame before the keyframe was dropped and asked for a keyframe.
      const keyIndex = outputs.findIndex((o) => o.type === 'frame');
      const before = outputs.slice(0, keyIndex);
      expect(before.every((o) => o.type === 'keyframe-needed' && o.reason === 'start')).toBe(true);
      expect(stats.framesDropped).toBe(before.length);
    },
  );

  it('ffmpeg-h264: the IDR holds two slices, each rebuilt from FU-A fragments', () => {
    const out = frames(run(new H264Depacketizer(), loadRtpFixture('ffmpeg-h264').packets));
    expect(nalTypes(out[0]!.data)).toEqual([7, 8, 5, 5]);
  });

  it('a lost packet inside the IDR drops it and every frame until the next keyframe', () => {
    const { packets } = loadRtpFixture('chromium-h264');
    const idrMiddle = packets.findIndex((p) => (p.payload[0]! & 0x1f) === 28 && !(p.payload[1]! & 0xc0));
    const lossy = packets.filter((_, i) => i !== idrMiddle);
    const dep = new H264Depacketizer();
    const outputs = run(dep, lossy);
    expect(frames(outputs)).toEqual([]);
    expect(outputs.some((o) => o.type === 'keyframe-needed')).toBe(true);
    expect(dep.stats.packetsLost).toBe(1);
  });

  it('a loss after decoding started asks for a keyframe (reason: loss) and drops until one comes', () => {
    const { packets } = loadRtpFixture('chromium-h264');
    // Drop the second single-NAL P frame (a whole frame's only packet).
    const pFrames = packets.map((p, i) => ((p.payload[0]! & 0x1f) === 1 ? i : -1)).filter((i) => i >= 0);
    const lossy = packets.filter((_, i) => i !== pFrames[1]);
    const outputs = run(new H264Depacketizer(), lossy);
    const out = frames(outputs);
    expect(out.map((f) => f.keyframe)).toEqual([true, false]);
    expect(outputs.filter((o) => o.type === 'keyframe-needed' && o.reason === 'loss').length).toBeGreaterThan(
      0,
    );
  });
});

describe('H264Depacketizer on built packets', () => {
  it('puts cached SPS and PPS in front of an IDR sent without them', () => {
    const dep = new H264Depacketizer();
    const out = frames([
      ...dep.push(pkt(100, 1000, true, stapA(SPS, PPS), [])),
      ...dep.push(pkt(101, 4000, true, IDR)),
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]!.data).toEqual(annexB([Buffer.from(SPS), Buffer.from(PPS), Buffer.from(IDR)]));
    expect(out[0]!.keyframe).toBe(true);
  });

  it('takes the parameter sets from sprop-parameter-sets', () => {
    const sprop = `${Buffer.from(SPS).toString('base64')},${Buffer.from(PPS).toString('base64')}`;
    const out = frames(new H264Depacketizer({ spropParameterSets: sprop }).push(pkt(1, 1, true, IDR)));
    expect(nalTypes(out[0]!.data)).toEqual([7, 8, 5]);
  });

  it('keeps an access unit delimiter first when adding parameter sets', () => {
    const sprop = `${Buffer.from(SPS).toString('base64')},${Buffer.from(PPS).toString('base64')}`;
    const out = frames(
      new H264Depacketizer({ spropParameterSets: sprop }).push(pkt(1, 1, true, stapA([0x09, 0xf0], IDR))),
    );
    expect(nalTypes(out[0]!.data)).toEqual([9, 7, 8, 5]);
  });

  it('drops an IDR when no parameter sets were ever seen', () => {
    const outputs = new H264Depacketizer().push(pkt(1, 1, true, IDR));
    expect(outputs).toEqual([{ type: 'keyframe-needed', reason: 'start' }]);
  });

  it('reassembles FU-A and ends a frame at a timestamp change when the marker is missing', () => {
    const dep = new H264Depacketizer();
    const fuIndicator = 0x7c; // NRI 3, type 28
    const outputs = [
      ...dep.push(pkt(1, 10, false, stapA(SPS, PPS))),
      ...dep.push(pkt(2, 10, false, [fuIndicator, 0x85], IDR.slice(1, 3))),
      ...dep.push(pkt(3, 10, false, [fuIndicator, 0x05], IDR.slice(3, 4))),
      ...dep.push(pkt(4, 10, false, [fuIndicator, 0x45], IDR.slice(4))),
      ...dep.push(pkt(5, 20, true, P_SLICE)),
    ];
    const out = frames(outputs);
    expect(out.map((f) => f.timestamp)).toEqual([10, 20]);
    expect(out[0]!.data).toEqual(
      annexB([Buffer.from(SPS), Buffer.from(PPS), Buffer.from([0x65, ...IDR.slice(1)])]),
    );
  });

  it('ignores duplicates, late packets and padding-only packets', () => {
    const dep = new H264Depacketizer();
    const outputs = [
      ...dep.push(pkt(10, 1, true, stapA(SPS, PPS, IDR))),
      ...dep.push(pkt(10, 1, true, stapA(SPS, PPS, IDR))), // duplicate
      ...dep.push(pkt(11, 1, false)), // padding (bandwidth probe), old timestamp
      ...dep.push(pkt(12, 2, true, P_SLICE)),
      ...dep.push(pkt(9, 0, true, P_SLICE)), // late
    ];
    expect(frames(outputs).map((f) => f.timestamp)).toEqual([1, 2]);
    expect(dep.stats.packetsLost).toBe(0);
  });

  it.each([
    ['an FU-A fragment whose start was lost', [[0x7c, 0x05, 1, 2]]],
    [
      'an FU-A start while another is open',
      [
        [0x7c, 0x85, 1],
        [0x7c, 0x85, 2],
      ],
    ],
    ['an FU-A that never ends', [[0x7c, 0x85, 1]]],
    ['a STAP-A whose size runs past the packet', [[0x18, 0x00, 0x09, 0x65, 0x01]]],
    ['an interleaved-mode FU-B', [[0x7d, 0x85, 0, 1, 2]]],
  ])('drops a frame with %s (after a good keyframe) and asks for a keyframe', (_what, payloads) => {
    const dep = new H264Depacketizer();
    const outputs = [
      ...dep.push(pkt(0, 1, true, stapA(SPS, PPS, IDR))),
      ...payloads.flatMap((p, i) => dep.push(pkt(i + 1, 5, i === payloads.length - 1, p))),
    ];
    expect(frames(outputs).map((f) => f.timestamp)).toEqual([1]);
    expect(outputs.at(-1)).toEqual({ type: 'keyframe-needed', reason: 'loss' });
    expect(dep.stats.framesDropped).toBe(1);
  });

  it('drops a frame larger than maxFrameBytes', () => {
    const dep = new H264Depacketizer({ maxFrameBytes: 8 });
    const out = frames(dep.push(pkt(1, 1, true, stapA(SPS, PPS, IDR))));
    expect(out).toEqual([]);
    expect(dep.stats.framesDropped).toBe(1);
  });
});
