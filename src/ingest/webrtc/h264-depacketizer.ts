import type { CodecFrameResult, FrameAssemblerOptions, PayloadCodec } from './rtp-frame-assembler';
import { RtpFrameAssembler } from './rtp-frame-assembler';

/** NAL unit types (H.264 table 7-1) and RTP packet types (RFC 6184 section 5.2) used here. */
const NAL = { idr: 5, sps: 7, pps: 8, aud: 9, stapA: 24, fuA: 28 } as const;
const START_CODE = Buffer.from([0, 0, 0, 1]);

export interface H264DepacketizerOptions extends FrameAssemblerOptions {
  /**
   * `sprop-parameter-sets` from the SDP fmtp line (base64 SPS and PPS, comma-separated): lets the
   * first IDR decode when the sender sends its parameter sets only out of band.
   */
  spropParameterSets?: string;
}

/**
 * RTP (RFC 6184, packetization modes 0 and 1: single NAL units, STAP-A, FU-A) -> H.264 access
 * units in Annex B, the byte stream `ffmpeg -f h264` reads. The latest SPS and PPS are kept and
 * put in front of any IDR that comes without them, so every keyframe handed on is decodable alone.
 *
 * Not built on werift's H264RtpPayload: its isKeyframe reads the FU header bits of every packet
 * (a non-IDR single NAL whose second byte happens to end in 00101 counts as a keyframe, and a
 * STAP-A holding SPS+PPS+IDR does not), and it re-concatenates FU-A fragments on every packet.
 */
export class H264Depacketizer extends RtpFrameAssembler {
  constructor(options: H264DepacketizerOptions = {}) {
    super(new H264AccessUnitBuilder(options.spropParameterSets), options);
  }
}

class H264AccessUnitBuilder implements PayloadCodec {
  private nals: Buffer[] = [];
  /** Fragments of the FU-A NAL unit being reassembled (its rebuilt header first). */
  private fragments: Buffer[] | undefined;
  private sps: Buffer | undefined;
  private pps: Buffer | undefined;

  constructor(spropParameterSets?: string) {
    for (const b64 of (spropParameterSets ?? '').split(',')) {
      const nal = Buffer.from(b64.trim(), 'base64');
      if (nal.length > 0) this.remember(nal);
    }
  }

  startsFrame(payload: Buffer): boolean {
    // A frame that opens with an access unit delimiter or an SPS cannot have lost its head.
    const type = firstNalType(payload);
    return type === NAL.aud || type === NAL.sps;
  }

  add(payload: Buffer): boolean {
    const type = payload[0]! & 0x1f;
    if (type >= 1 && type <= 23) {
      if (this.fragments !== undefined) return false; // the FU-A in progress lost its end
      this.nals.push(payload);
      return true;
    }
    if (type === NAL.stapA) {
      if (this.fragments !== undefined) return false;
      let offset = 1;
      while (offset < payload.length) {
        if (offset + 2 > payload.length) return false;
        const size = payload.readUInt16BE(offset);
        offset += 2;
        if (size === 0 || offset + size > payload.length) return false;
        this.nals.push(payload.subarray(offset, offset + size));
        offset += size;
      }
      return true;
    }
    if (type === NAL.fuA) {
      if (payload.length < 3) return false;
      const fuHeader = payload[1]!;
      if (fuHeader & 0x80) {
        if (this.fragments !== undefined) return false;
        // The NAL header is F and NRI from the FU indicator, the type from the FU header.
        this.fragments = [Buffer.from([(payload[0]! & 0xe0) | (fuHeader & 0x1f)])];
      } else if (this.fragments === undefined) {
        return false; // a middle or end fragment whose start was lost
      }
      this.fragments.push(payload.subarray(2));
      if (fuHeader & 0x40) {
        this.nals.push(Buffer.concat(this.fragments));
        this.fragments = undefined;
      }
      return true;
    }
    // 0 and 30-31 are reserved: RFC 6184 says ignore them. STAP-B, MTAP and FU-B belong to the
    // interleaved mode, which is never negotiated here: the frame cannot be rebuilt.
    return type === 0 || type >= 30;
  }

  finish(): CodecFrameResult {
    const nals = this.nals;
    const incomplete = this.fragments !== undefined;
    this.reset();
    if (incomplete) return { drop: 'loss' };
    let hasSps = false;
    let hasPps = false;
    let idr = false;
    let vcl = false;
    for (const nal of nals) {
      const type = nal[0]! & 0x1f;
      if (type === NAL.sps) hasSps = true;
      else if (type === NAL.pps) hasPps = true;
      if (type === NAL.idr) idr = true;
      if (type >= 1 && type <= 5) vcl = true;
      if (type === NAL.sps || type === NAL.pps) this.remember(nal);
    }
    if (!vcl) return undefined; // parameter sets or SEI alone: kept, nothing to decode
    let units = nals;
    if (idr && !(hasSps && hasPps)) {
      if (this.sps === undefined || this.pps === undefined) return { drop: 'no-parameter-sets' };
      const missing = [...(hasSps ? [] : [this.sps]), ...(hasPps ? [] : [this.pps])];
      // An access unit delimiter, when present, must stay first.
      const at = (nals[0]![0]! & 0x1f) === NAL.aud ? 1 : 0;
      units = [...nals.slice(0, at), ...missing, ...nals.slice(at)];
    }
    return { data: annexB(units), keyframe: idr };
  }

  reset(): void {
    this.nals = [];
    this.fragments = undefined;
  }

  private remember(nal: Buffer): void {
    // A copy: the packet buffer it came from is large and otherwise short-lived.
    const type = nal[0]! & 0x1f;
    if (type === NAL.sps) this.sps = Buffer.from(nal);
    else if (type === NAL.pps) this.pps = Buffer.from(nal);
  }
}

function firstNalType(payload: Buffer): number {
  const type = payload[0]! & 0x1f;
  if (type === NAL.stapA) return payload.length > 3 ? payload[3]! & 0x1f : -1;
  if (type === NAL.fuA) return payload.length > 1 && payload[1]! & 0x80 ? payload[1]! & 0x1f : -1;
  return type;
}

/** NAL units -> Annex B byte stream (4-byte start codes). */
export function annexB(nals: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const nal of nals) parts.push(START_CODE, nal);
  return Buffer.concat(parts);
}
