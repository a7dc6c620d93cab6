import type { CodecFrameResult, FrameAssemblerOptions, PayloadCodec } from './rtp-frame-assembler';
import { RtpFrameAssembler } from './rtp-frame-assembler';

/** The VP8 payload descriptor (RFC 7741 section 4.2) fields this code uses. */
export interface Vp8Descriptor {
  /** S: the packet starts a partition. */
  start: boolean;
  /** PID: the partition index. */
  partitionId: number;
  pictureId?: number;
  /** Bytes of descriptor before the VP8 data. */
  length: number;
}

/**
 * Parses the descriptor; undefined when the payload is too short for the fields it announces.
 * Written here rather than taken from werift's Vp8RtpPayload, which counts the TID/KEYIDX byte
 * when L is set instead of when T or K is set (so it misreads descriptors with L=1,T=0 or T=1,L=0).
 */
export function parseVp8Descriptor(payload: Buffer): Vp8Descriptor | undefined {
  if (payload.length < 1) return undefined;
  const b0 = payload[0]!;
  const descriptor: Vp8Descriptor = { start: (b0 & 0x10) !== 0, partitionId: b0 & 0x07, length: 1 };
  if (b0 & 0x80) {
    if (payload.length < 2) return undefined;
    const ext = payload[1]!;
    let offset = 2;
    if (ext & 0x80) {
      // I: PictureID, 7 bits, or 15 when its first bit (M) is set.
      if (offset >= payload.length) return undefined;
      if (payload[offset]! & 0x80) {
        if (offset + 1 >= payload.length) return undefined;
        descriptor.pictureId = ((payload[offset]! & 0x7f) << 8) | payload[offset + 1]!;
        offset += 2;
      } else {
        descriptor.pictureId = payload[offset]! & 0x7f;
        offset += 1;
      }
    }
    if (ext & 0x40) offset += 1; // L: TL0PICIDX
    if (ext & 0x30) offset += 1; // T or K: TID | Y | KEYIDX
    if (offset > payload.length) return undefined;
    descriptor.length = offset;
  }
  return descriptor;
}

/**
 * RTP (RFC 7741) -> VP8 frames. Keyframes are recognised from the frame tag (P bit clear) and
 * carry their size from the keyframe header, which the IVF writer needs.
 */
export class Vp8Depacketizer extends RtpFrameAssembler {
  constructor(options: FrameAssemblerOptions = {}) {
    super(new Vp8FrameBuilder(), options);
  }
}

class Vp8FrameBuilder implements PayloadCodec {
  private parts: Buffer[] = [];
  private keyframe = false;
  private size: { width: number; height: number } | undefined;

  startsFrame(payload: Buffer): boolean {
    const d = parseVp8Descriptor(payload);
    return d?.start === true && d.partitionId === 0;
  }

  add(payload: Buffer, first: boolean): boolean {
    const d = parseVp8Descriptor(payload);
    if (d === undefined) return false;
    const data = payload.subarray(d.length);
    if (first) {
      // The frame's first packet must open partition 0 and hold the 3-byte frame tag.
      if (!d.start || d.partitionId !== 0 || data.length < 3) return false;
      this.keyframe = (data[0]! & 0x01) === 0;
      if (this.keyframe) {
        // Keyframe header: start code 9d 01 2a, then 14-bit width and height (RFC 6386 9.1).
        if (data.length < 10 || data[3] !== 0x9d || data[4] !== 0x01 || data[5] !== 0x2a) return false;
        this.size = { width: data.readUInt16LE(6) & 0x3fff, height: data.readUInt16LE(8) & 0x3fff };
      }
    }
    if (data.length > 0) this.parts.push(data);
    return true;
  }

  finish(): CodecFrameResult {
    const { parts, keyframe, size } = this;
    this.reset();
    if (parts.length === 0) return undefined;
    return { data: Buffer.concat(parts), keyframe, ...(keyframe && size ? size : {}) };
  }

  reset(): void {
    this.parts = [];
    this.keyframe = false;
    this.size = undefined;
  }
}
