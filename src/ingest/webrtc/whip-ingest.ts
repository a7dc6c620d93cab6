import { randomUUID } from 'node:crypto';
import { RTCPeerConnection } from 'werift';
import { ArgusError } from '../../errors/argus-error';
import type { MediaFeed } from './media-feed';
import { type IceOptions, receiverPeerConfig, withoutFallbackStun } from './peer-config';
import { type FeedLogger, type FeedTuning, PeerMediaFeed } from './peer-media-feed';
import { SdpProblem, selectOfferVideo } from './sdp-video';

export interface WhipIngestOptions {
  /** Host addresses advertised as ICE candidates; default ['127.0.0.1'] (see IceOptions). */
  iceHostAddresses?: string[];
  /** Only loopback ICE (tests, a relay on this host). Default false. */
  iceLoopbackOnly?: boolean;
  /** UDP port range for ICE sockets. */
  icePortRange?: [number, number];
  /** Offers larger than this are refused (413). Default 64 KiB; real offers are a few KiB. */
  maxSdpBytes?: number;
  /** Bounds and timing of each session's feed. */
  feed?: FeedTuning;
  logger?: FeedLogger;
}

export interface WhipAnswer {
  sessionId: string;
  answerSdp: string;
}

interface StreamSlot {
  session: { id: string; feed: PeerMediaFeed } | undefined;
  /** An offer is being negotiated: a second one is refused as busy. */
  negotiating: boolean;
}

export const DEFAULT_MAX_SDP_BYTES = 64 * 1024;

/**
 * The WHIP side of Argus: publishers (cameras, browsers, OBS) send an SDP offer for a registered
 * stream id and get an answer; each accepted session becomes a MediaFeed handed to the stream's
 * listeners. One publisher per stream at a time. Transport-free: whip-routes.ts puts it on HTTP.
 */
export class WhipIngest {
  readonly maxSdpBytes: number;
  private readonly streams = new Map<string, StreamSlot>();
  private readonly listeners = new Map<string, Set<(feed: MediaFeed) => void>>();
  private readonly ice: IceOptions;
  /** Every feed not yet closed, negotiating ones included. */
  private readonly feeds = new Set<PeerMediaFeed>();

  constructor(private readonly options: WhipIngestOptions = {}) {
    this.maxSdpBytes = options.maxSdpBytes ?? DEFAULT_MAX_SDP_BYTES;
    this.ice = {
      hostAddresses: options.iceHostAddresses ?? ['127.0.0.1'],
      loopbackOnly: options.iceLoopbackOnly ?? false,
      ...(options.icePortRange ? { portRange: options.icePortRange } : {}),
    };
  }

  /** Lets publishers send to `streamId` (a stream whose source is `whip:streamId`). */
  register(streamId: string): void {
    if (!this.streams.has(streamId)) this.streams.set(streamId, { session: undefined, negotiating: false });
  }

  /** Refuses publishers from now on and ends the current session, if any. */
  async unregister(streamId: string): Promise<void> {
    const slot = this.streams.get(streamId);
    this.streams.delete(streamId);
    await slot?.session?.feed.close();
  }

  isRegistered(streamId: string): boolean {
    return this.streams.has(streamId);
  }

  /**
   * Answers a publisher's offer. Throws ArgusError: ARGUS_E_WHIP_STREAM_UNKNOWN,
   * ARGUS_E_WHIP_SDP_TOO_LARGE, ARGUS_E_WHIP_SDP_INVALID, ARGUS_E_WHIP_BUSY. The answer carries
   * every ICE candidate (gathering is complete before it returns): no trickle ICE.
   */
  async accept(streamId: string, offerSdp: string): Promise<WhipAnswer> {
    const slot = this.slotOf(streamId);
    if (Buffer.byteLength(offerSdp, 'utf8') > this.maxSdpBytes) {
      throw new ArgusError('ARGUS_E_WHIP_SDP_TOO_LARGE', { limit: this.maxSdpBytes });
    }
    let offer: ReturnType<typeof selectOfferVideo>;
    try {
      offer = selectOfferVideo(offerSdp);
    } catch (err) {
      if (err instanceof SdpProblem)
        throw new ArgusError('ARGUS_E_WHIP_SDP_INVALID', { reason: err.message });
      throw err;
    }
    if (slot.session !== undefined || slot.negotiating)
      throw new ArgusError('ARGUS_E_WHIP_BUSY', { streamId });

    slot.negotiating = true;
    const sessionId = randomUUID();
    let feed: PeerMediaFeed | undefined;
    let answerSdp: string;
    try {
      const pc = new RTCPeerConnection(receiverPeerConfig(this.ice));
      feed = new PeerMediaFeed({
        ...this.options.feed,
        pc,
        video: offer.video,
        label: `whip:${streamId}`,
        ...(this.options.logger ? { logger: this.options.logger } : {}),
      });
      // Tracked from now on, so that closeAll() during the negotiation closes it too.
      this.feeds.add(feed);
      const tracked = feed;
      void feed.closed.then(() => this.feeds.delete(tracked));
      await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
      withoutFallbackStun(pc);
      await pc.setLocalDescription(await pc.createAnswer());
      answerSdp = pc.localDescription?.sdp ?? '';
    } catch (err) {
      await feed?.close();
      const reason = `WebRTC negotiation failed: ${err instanceof Error ? err.message : String(err)}`;
      throw new ArgusError('ARGUS_E_WHIP_SDP_INVALID', { reason }, { cause: err });
    } finally {
      slot.negotiating = false;
    }
    if (this.streams.get(streamId) !== slot || !this.feeds.has(feed)) {
      // Unregistered, or closed by closeAll(), while negotiating.
      await feed.close();
      throw new ArgusError('ARGUS_E_WHIP_STREAM_UNKNOWN', { streamId });
    }
    slot.session = { id: sessionId, feed };
    void feed.closed.then(() => {
      if (slot.session?.id === sessionId) slot.session = undefined;
    });
    this.options.logger?.info(
      { stream: streamId, session: sessionId, codec: offer.video.codec },
      'whip publisher accepted',
    );
    for (const listener of this.listeners.get(streamId) ?? []) this.notify(listener, feed);
    return { sessionId, answerSdp };
  }

  /** Ends a session (the publisher's DELETE). Throws ARGUS_E_WHIP_STREAM_UNKNOWN or ARGUS_E_WHIP_SESSION_UNKNOWN. */
  async end(streamId: string, sessionId: string): Promise<void> {
    const slot = this.slotOf(streamId);
    if (slot.session?.id !== sessionId)
      throw new ArgusError('ARGUS_E_WHIP_SESSION_UNKNOWN', { streamId, sessionId });
    await slot.session.feed.close();
  }

  /**
   * Calls `listener` with each feed accepted for `streamId` from now on, and at once with the
   * current one if a publisher is live. Returns the function that stops the calls.
   */
  onFeed(streamId: string, listener: (feed: MediaFeed) => void): () => void {
    let set = this.listeners.get(streamId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(streamId, set);
    }
    set.add(listener);
    const live = this.streams.get(streamId)?.session?.feed;
    if (live !== undefined) this.notify(listener, live);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(streamId) === set) this.listeners.delete(streamId);
    };
  }

  /** Ends every session (shutdown); registrations stay. */
  async closeAll(): Promise<void> {
    const feeds = [...this.feeds];
    this.feeds.clear();
    await Promise.all(feeds.map((feed) => feed.close()));
  }

  private slotOf(streamId: string): StreamSlot {
    const slot = this.streams.get(streamId);
    if (slot === undefined) throw new ArgusError('ARGUS_E_WHIP_STREAM_UNKNOWN', { streamId });
    return slot;
  }

  private notify(listener: (feed: MediaFeed) => void, feed: MediaFeed): void {
    try {
      listener(feed);
    } catch (err) {
      this.options.logger?.warn({ err }, 'whip feed listener threw');
    }
  }
}
