import type { MediaStreamTrack, RTCPeerConnection, RTCRtpReceiver, RtpPacket } from 'werift';
import { JitterBufferBase } from 'werift/nonstandard';
import type { Logger } from '../../logging/create-logger';
import type { Depacketizer } from './encoded-frame';
import { FrameReadable } from './frame-readable';
import { H264Depacketizer } from './h264-depacketizer';
import { IvfWriter } from './ivf-writer';
import type { MediaFeed } from './media-feed';
import type { VideoCodecChoice } from './sdp-video';
import { Vp8Depacketizer } from './vp8-depacketizer';

export type FeedLogger = Pick<Logger, 'info' | 'warn' | 'debug'>;

/** Timing and bounds of a feed; every field has a default. */
export interface FeedTuning {
  /** Frames queued for a slow consumer before frames are dropped. Default 30 (~1 s). */
  maxQueuedFrames?: number;
  /** Bytes queued for a slow consumer before frames are dropped. Default 8 MiB. */
  maxQueuedBytes?: number;
  /** No RTP for this long, once media has flowed: the peer is gone. Default 5000 ms. */
  mediaTimeoutMs?: number;
  /** No RTP at all this long after the session started (ICE never connected): gone. Default 15000 ms. */
  connectTimeoutMs?: number;
  /** ICE `disconnected` for this long: gone. Default 2000 ms. */
  disconnectGraceMs?: number;
  /** PLI period until the consumer decoded its first frame. Default 1000 ms. */
  pliIntervalMs?: number;
  /** At most one PLI per this many ms, whoever asks. Default 250 ms. */
  minPliIntervalMs?: number;
  /** How long a missing packet is waited for (NACK repair) before its frame is given up. Default 100 ms. */
  jitterLatencyMs?: number;
}

export interface PeerMediaFeedOptions extends FeedTuning {
  /** The peer connection, before its remote description is set (tracks are announced then). */
  pc: RTCPeerConnection;
  video: VideoCodecChoice;
  /** Names the feed in log lines (`whip:cam1`, a redacted WHEP URL); never holds credentials. */
  label: string;
  logger?: FeedLogger;
  /** Runs once when the feed closes, before `closed` resolves (WHEP: DELETE the session). */
  onClose?: () => Promise<void>;
}

const TICK_MS = 100;
const PC_CLOSE_TIMEOUT_MS = 5_000;

/**
 * A MediaFeed over a werift peer connection: the first video track's RTP goes through werift's
 * jitter buffer (reordering, bounded), a depacketizer, and a bounded frame stream. Until the
 * consumer reports its first decoded frame, a PLI goes out every second; any dropped frame asks
 * for one too. The feed ends (once) on close(), ICE failure, a lasting disconnect, or silence.
 */
export class PeerMediaFeed implements MediaFeed {
  readonly format: 'h264' | 'ivf';
  readonly codec: 'h264' | 'vp8';
  readonly stream: FrameReadable;
  readonly closed: Promise<void>;

  private readonly pc: RTCPeerConnection;
  private readonly depacketizer: Depacketizer;
  private readonly jitter: JitterBufferBase;
  private readonly tuning: Required<FeedTuning>;
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = Date.now();
  private track: MediaStreamTrack | undefined;
  private receiver: RTCRtpReceiver | undefined;
  private ssrc: number | undefined;
  private packets = 0;
  private keyframeRequests = 0;
  private lastPacketAt: number | undefined;
  private lastPliAt = Number.NEGATIVE_INFINITY;
  private disconnectedSince: number | undefined;
  private connected = false;
  private decoding = false;
  private firstFrameLogged = false;
  private ending: Promise<void> | undefined;
  private resolveClosed!: () => void;

  constructor(private readonly options: PeerMediaFeedOptions) {
    this.pc = options.pc;
    this.codec = options.video.codec;
    this.format = this.codec === 'h264' ? 'h264' : 'ivf';
    this.tuning = {
      maxQueuedFrames: options.maxQueuedFrames ?? 30,
      maxQueuedBytes: options.maxQueuedBytes ?? 8 * 1024 * 1024,
      mediaTimeoutMs: options.mediaTimeoutMs ?? 5_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
      disconnectGraceMs: options.disconnectGraceMs ?? 2_000,
      pliIntervalMs: options.pliIntervalMs ?? 1_000,
      minPliIntervalMs: options.minPliIntervalMs ?? 250,
      jitterLatencyMs: options.jitterLatencyMs ?? 100,
    };
    this.depacketizer =
      this.codec === 'h264'
        ? new H264Depacketizer({ spropParameterSets: spropOf(options.video.fmtp) })
        : new Vp8Depacketizer();
    const ivf = this.codec === 'vp8' ? new IvfWriter('VP80', options.video.clockRate) : undefined;
    this.stream = new FrameReadable({
      maxFrames: this.tuning.maxQueuedFrames,
      maxBytes: this.tuning.maxQueuedBytes,
      serialize: ivf ? (frame) => ivf.write(frame) : (frame) => frame.data,
    });
    this.jitter = new JitterBufferBase(options.video.clockRate, {
      latency: this.tuning.jitterLatencyMs,
      bufferSize: 512,
    });
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.pc.onTrack.subscribe((track) => this.attach(track));
    this.pc.iceConnectionStateChange.subscribe((state) =>
      this.options.logger?.debug(
        { feed: this.options.label, ice: state, ms: Date.now() - this.startedAt },
        'ice state',
      ),
    );
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        this.connected = true;
        this.disconnectedSince = undefined;
        this.options.logger?.info(
          { feed: this.options.label, ms: Date.now() - this.startedAt },
          'webrtc peer connected',
        );
      } else if (state === 'disconnected') {
        this.disconnectedSince ??= Date.now();
      } else if (state === 'failed' || state === 'closed') {
        void this.end(`ICE ${state}`);
      }
    });
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  requestKeyframe(): void {
    this.sendPli();
  }

  firstFrameDecoded(): void {
    this.decoding = true;
  }

  close(): Promise<void> {
    return this.end('closed');
  }

  stats(): { packets: number; frames: number; framesDropped: number; keyframeRequests: number } {
    const d = this.depacketizer.stats;
    return {
      packets: this.packets,
      frames: d.frames,
      framesDropped: d.framesDropped + this.stream.dropped,
      keyframeRequests: this.keyframeRequests,
    };
  }

  /** Sends a PLI unless one went out very recently; false when none could be sent. */
  private sendPli(): boolean {
    const ssrc = this.ssrc ?? this.track?.ssrc;
    // Before DTLS is up werift has no SRTCP context, and its PLI would throw (caught) for nothing.
    if (this.ending || this.receiver === undefined || ssrc === undefined || !this.connected) return false;
    const now = Date.now();
    if (now - this.lastPliAt < this.tuning.minPliIntervalMs) return false;
    this.lastPliAt = now;
    this.keyframeRequests++;
    void this.receiver.sendRtcpPLI(ssrc);
    return true;
  }

  private attach(track: MediaStreamTrack): void {
    if (track.kind !== 'video' || this.track !== undefined) return;
    this.track = track;
    this.receiver = this.pc.getReceivers().find((r) => r.tracks.includes(track));
    track.onReceiveRtp.subscribe((rtp) => this.onRtp(rtp));
  }

  private onRtp(rtp: RtpPacket): void {
    if (this.ending) return;
    this.packets++;
    this.lastPacketAt = Date.now();
    this.ssrc = rtp.header.ssrc;
    for (const ordered of this.jitter.processInput({ rtp })) {
      if (ordered.rtp === undefined) continue;
      const { header, payload } = ordered.rtp;
      const outputs = this.depacketizer.push({
        sequenceNumber: header.sequenceNumber,
        timestamp: header.timestamp,
        marker: header.marker,
        payload,
      });
      for (const out of outputs) {
        if (out.type === 'keyframe-needed') {
          this.requestKeyframe();
          continue;
        }
        if (!this.firstFrameLogged && out.frame.keyframe) {
          this.firstFrameLogged = true;
          this.options.logger?.info(
            { feed: this.options.label, codec: this.codec, ms: Date.now() - this.startedAt },
            'webrtc first keyframe',
          );
        }
        if (this.stream.offer(out.frame).needKeyframe) this.requestKeyframe();
      }
    }
  }

  private tick(): void {
    if (this.ending) return;
    const now = Date.now();
    // Until the consumer decodes, a PLI at least every pliIntervalMs (any PLI counts).
    if (!this.decoding && now - this.lastPliAt >= this.tuning.pliIntervalMs) this.sendPli();
    if (this.lastPacketAt === undefined) {
      if (now - this.startedAt > this.tuning.connectTimeoutMs) {
        void this.end(`no media within ${this.tuning.connectTimeoutMs} ms`);
      }
    } else if (now - this.lastPacketAt > this.tuning.mediaTimeoutMs) {
      void this.end(`no media for ${this.tuning.mediaTimeoutMs} ms`);
    }
    if (
      this.disconnectedSince !== undefined &&
      now - this.disconnectedSince > this.tuning.disconnectGraceMs
    ) {
      void this.end('ICE disconnected');
    }
    // A peer that closes sends a DTLS close_notify alert; werift marks the transport closed but
    // leaves the connection state alone.
    if (this.pc.dtlsTransports.some((t) => t.state === 'closed' || t.state === 'failed')) {
      void this.end('peer closed the DTLS session');
    }
  }

  private end(reason: string): Promise<void> {
    this.ending ??= (async () => {
      clearInterval(this.timer);
      this.stream.finish();
      try {
        await this.options.onClose?.();
      } catch (err) {
        this.options.logger?.warn({ feed: this.options.label, err }, 'webrtc close hook failed');
      }
      await closeWithin(this.pc, PC_CLOSE_TIMEOUT_MS);
      this.options.logger?.info({ feed: this.options.label, reason, ...this.stats() }, 'webrtc peer gone');
      this.resolveClosed();
    })();
    return this.ending;
  }
}

/** The base64 parameter sets of an H.264 fmtp line, if any. */
function spropOf(fmtp: string | undefined): string | undefined {
  return /(?:^|;)\s*sprop-parameter-sets=([^;]*)/.exec(fmtp ?? '')?.[1];
}

async function closeWithin(pc: RTCPeerConnection, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    pc.close().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
