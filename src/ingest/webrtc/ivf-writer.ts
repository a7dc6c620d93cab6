import type { EncodedFrame } from './encoded-frame';

export const IVF_FILE_HEADER_BYTES = 32;
export const IVF_FRAME_HEADER_BYTES = 12;

export interface IvfFileHeader {
  /** Four characters: VP80, VP90, AV01. */
  fourcc: string;
  width: number;
  height: number;
  /** Frame pts count units of timebaseNum/timebaseDen seconds (1/90000 for RTP video). */
  timebaseDen: number;
  timebaseNum: number;
  /** 0 when unknown (a live stream). */
  frameCount: number;
}

/** The 32-byte IVF file header (all fields little-endian). */
export function ivfFileHeader(h: IvfFileHeader): Buffer {
  if (!/^[\x20-\x7e]{4}$/.test(h.fourcc)) throw new RangeError(`bad IVF fourcc ${JSON.stringify(h.fourcc)}`);
  const buf = Buffer.alloc(IVF_FILE_HEADER_BYTES);
  buf.write('DKIF', 0, 'ascii');
  buf.writeUInt16LE(0, 4); // version
  buf.writeUInt16LE(IVF_FILE_HEADER_BYTES, 6);
  buf.write(h.fourcc, 8, 'ascii');
  buf.writeUInt16LE(h.width, 12);
  buf.writeUInt16LE(h.height, 14);
  buf.writeUInt32LE(h.timebaseDen, 16);
  buf.writeUInt32LE(h.timebaseNum, 20);
  buf.writeUInt32LE(h.frameCount, 24);
  return buf;
}

/** The 12-byte header in front of each frame: its size and its pts. */
export function ivfFrameHeader(size: number, pts: bigint): Buffer {
  const buf = Buffer.alloc(IVF_FRAME_HEADER_BYTES);
  buf.writeUInt32LE(size, 0);
  buf.writeBigUInt64LE(pts, 4);
  return buf;
}

/**
 * Frames -> an IVF byte stream (`ffmpeg -f ivf`). The file header needs the frame size, so
 * nothing is written before the first keyframe that states it; frames before it are skipped.
 * Pts are the frames' RTP timestamps (90 kHz) counted from the first frame, unwrapped past 2^32
 * and kept strictly increasing.
 */
export class IvfWriter {
  private started = false;
  private lastTimestamp = 0;
  private pts = 0n;

  constructor(
    private readonly fourcc = 'VP80',
    private readonly clockRate = 90_000,
  ) {}

  /** The bytes to write for `frame` (header included for the first), or undefined when skipped. */
  write(frame: EncodedFrame): Buffer | undefined {
    if (!this.started) {
      if (!frame.keyframe || !frame.width || !frame.height) return undefined;
      this.started = true;
      this.lastTimestamp = frame.timestamp;
      const header = ivfFileHeader({
        fourcc: this.fourcc,
        width: frame.width,
        height: frame.height,
        timebaseDen: this.clockRate,
        timebaseNum: 1,
        frameCount: 0,
      });
      return Buffer.concat([header, ivfFrameHeader(frame.data.length, 0n), frame.data]);
    }
    // Signed 32-bit difference: right across a timestamp wrap, negative for an older frame.
    const delta = (frame.timestamp - this.lastTimestamp) | 0;
    this.lastTimestamp = frame.timestamp;
    this.pts += delta > 0 ? BigInt(delta) : 1n;
    return Buffer.concat([ivfFrameHeader(frame.data.length, this.pts), frame.data]);
  }
}
