import type {
  Depacketizer,
  DepacketizerOutput,
  DepacketizerStats,
  KeyframeReason,
  RtpInput,
} from './encoded-frame';

/** What a frame's payloads make, once the frame is complete. */
export type CodecFrameResult =
  | { data: Buffer; keyframe: boolean; width?: number; height?: number }
  /** The frame cannot be decoded (e.g. an IDR without parameter sets). */
  | { drop: KeyframeReason }
  /** Nothing to hand on, and nothing wrong (e.g. parameter sets alone, kept for the next IDR). */
  | undefined;

/** The codec-specific half of depacketizing: payload format in, elementary stream out. */
export interface PayloadCodec {
  /** Whether this payload can only be the first packet of a frame (so no head was lost before it). */
  startsFrame(payload: Buffer): boolean;
  /** Adds one packet's payload (`first`: the frame's first packet received). False: the frame is unusable. */
  add(payload: Buffer, first: boolean): boolean;
  /** Ends the frame and resets for the next one. */
  finish(): CodecFrameResult;
  /** Forgets the frame being built (it was broken). */
  reset(): void;
}

export interface FrameAssemblerOptions {
  /** A frame larger than this is dropped as broken. Default 8 MiB (a 4K keyframe is ~1-2 MiB). */
  maxFrameBytes?: number;
}

const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;

interface FrameInProgress {
  timestamp: number;
  broken: boolean;
  bytes: number;
  packets: number;
}

/**
 * Groups RTP packets into frames (same timestamp, ended by the marker bit) and hands each
 * complete frame to the codec. Packets must arrive in sequence order (a jitter buffer in front
 * reorders them); a sequence gap breaks the frame it falls in. After any dropped frame the
 * decoder's reference chain is broken, so every frame up to the next keyframe is dropped too and
 * a `keyframe-needed` output asks for one. Decoding starts the same way: at the first keyframe.
 * Memory: one frame's payloads at most (bounded by maxFrameBytes).
 */
export class RtpFrameAssembler implements Depacketizer {
  private readonly maxFrameBytes: number;
  private lastSeq: number | undefined;
  private current: FrameInProgress | undefined;
  /** Packets were lost while no frame was in progress: the next frame may lack its head. */
  private headLost = false;
  private waitingForKeyframe = true;
  private waitReason: KeyframeReason = 'start';
  private readonly counters: DepacketizerStats = { packets: 0, packetsLost: 0, frames: 0, framesDropped: 0 };

  constructor(
    private readonly codec: PayloadCodec,
    options: FrameAssemblerOptions = {},
  ) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  get stats(): DepacketizerStats {
    return { ...this.counters };
  }

  push(packet: RtpInput): DepacketizerOutput[] {
    const out: DepacketizerOutput[] = [];
    this.counters.packets++;
    let gap = false;
    if (this.lastSeq !== undefined) {
      const delta = (packet.sequenceNumber - this.lastSeq) & 0xffff;
      // A duplicate or a packet older than one already used: too late to be of any use.
      if (delta === 0 || delta >= 0x8000) return out;
      if (delta > 1) {
        gap = true;
        this.counters.packetsLost += delta - 1;
      }
    }
    this.lastSeq = packet.sequenceNumber;

    // Padding-only packets (bandwidth probes) take sequence numbers but carry no media, and may
    // repeat an older timestamp: they must not end the frame in progress.
    if (packet.payload.length === 0) {
      if (gap) this.markLoss();
      return out;
    }
    if (this.current !== undefined && packet.timestamp !== this.current.timestamp) {
      // The previous frame ended without its marker: either the marker packet was lost (gap) or
      // the sender does not set it.
      if (gap) this.current.broken = true;
      this.finishFrame(out);
    } else if (gap) {
      this.markLoss();
    }

    let first = false;
    if (this.current === undefined) {
      const headMissing = (gap || this.headLost) && !this.codec.startsFrame(packet.payload);
      this.current = { timestamp: packet.timestamp, broken: headMissing, bytes: 0, packets: 0 };
      this.headLost = false;
      first = true;
    }
    const frame = this.current;
    frame.packets++;
    if (!frame.broken) {
      frame.bytes += packet.payload.length;
      if (frame.bytes > this.maxFrameBytes || !this.codec.add(packet.payload, first)) {
        frame.broken = true;
        this.codec.reset();
      }
    }
    if (packet.marker) this.finishFrame(out);
    return out;
  }

  private markLoss(): void {
    if (this.current !== undefined) this.current.broken = true;
    else this.headLost = true;
  }

  private finishFrame(out: DepacketizerOutput[]): void {
    const frame = this.current!;
    this.current = undefined;
    if (frame.broken) {
      this.codec.reset();
      this.drop(out, 'loss');
      return;
    }
    const result = this.codec.finish();
    if (result === undefined) return;
    if ('drop' in result) {
      this.drop(out, result.drop);
      return;
    }
    if (this.waitingForKeyframe) {
      if (!result.keyframe) {
        this.drop(out, this.waitReason);
        return;
      }
      this.waitingForKeyframe = false;
    }
    this.counters.frames++;
    out.push({ type: 'frame', frame: { ...result, timestamp: frame.timestamp } });
  }

  private drop(out: DepacketizerOutput[], reason: KeyframeReason): void {
    this.counters.framesDropped++;
    if (!this.waitingForKeyframe) {
      this.waitingForKeyframe = true;
      this.waitReason = reason;
    }
    out.push({ type: 'keyframe-needed', reason: this.waitReason });
  }
}
