/** The fields of one RTP packet that the depacketizers read (RFC 3550); padding already removed. */
export interface RtpInput {
  /** 16-bit sequence number. */
  sequenceNumber: number;
  /** 32-bit media timestamp (90 kHz for video). */
  timestamp: number;
  marker: boolean;
  payload: Buffer;
}

/** One compressed video frame (an H.264 access unit in Annex B, or a VP8 frame). */
export interface EncodedFrame {
  data: Buffer;
  keyframe: boolean;
  /** RTP timestamp of the frame (90 kHz). */
  timestamp: number;
  /** Coded size, when the bitstream states it in this frame (VP8 keyframes). */
  width?: number;
  height?: number;
}

/** Why a depacketizer wants a keyframe: it dropped frames and cannot decode until the next one. */
export type KeyframeReason = 'start' | 'loss' | 'no-parameter-sets' | 'overflow';

export type DepacketizerOutput =
  | { type: 'frame'; frame: EncodedFrame }
  | { type: 'keyframe-needed'; reason: KeyframeReason };

export interface DepacketizerStats {
  packets: number;
  /** Packets that never arrived (sequence gaps). */
  packetsLost: number;
  /** Complete frames handed on. */
  frames: number;
  /** Frames thrown away: broken by loss, undecodable, or before the first keyframe. */
  framesDropped: number;
}

/** RTP payload -> frames, in the werift processor style: a synchronous core without I/O. */
export interface Depacketizer {
  push(packet: RtpInput): DepacketizerOutput[];
  readonly stats: DepacketizerStats;
}
