import type { Readable } from 'node:stream';

/** Compressed video from a WebRTC peer, ready for FFmpeg's stdin. */
export interface MediaFeed {
  /** Annex-B H.264 byte stream, or IVF-framed VP8. */
  readonly format: 'h264' | 'ivf';
  readonly codec: 'h264' | 'vp8';
  /** Bounded: if FFmpeg is slow, whole frames are dropped (and counted), never buffered without limit. */
  readonly stream: Readable;
  /** Ask the sender for a keyframe (RTCP PLI). */
  requestKeyframe(): void;
  /** Called by the consumer once FFmpeg decoded its first frame: stops the periodic PLI. */
  firstFrameDecoded(): void;
  /** Resolves when the peer is gone (DELETE, ICE failure/disconnect, track ended). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
  stats(): { packets: number; frames: number; framesDropped: number; keyframeRequests: number };
}
