/** One decoded frame of a stream, rgb24, as it leaves FFmpeg. */
export interface VideoFrame {
  streamId: string;
  /** Per stream, counting from 1 since the stream was started. */
  seq: number;
  width: number;
  height: number;
  /** width * height * 3 bytes. */
  data: Buffer;
  /**
   * Wall-clock time (epoch ms) the frame's first byte arrived from FFmpeg. Sources do not give a
   * shared clock, so arrival is the capture-time estimate; decode adds ~10 ms.
   */
  capturedAt: number;
  /** When the frame was complete and put in the slot (epoch ms); `putAt - capturedAt` is framing latency. */
  putAt: number;
  /**
   * Hands `data` back for reuse (see FrameBufferPool); call once nothing reads it any more, at most
   * once. Absent for frames whose memory is not recycled; never calling it is always safe.
   */
  release?: () => void;
}
