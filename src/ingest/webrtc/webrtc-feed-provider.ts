import type { SourceUrl } from '../source-url';
import type { FeedProvider } from '../stream-supervisor';
import type { MediaFeed } from './media-feed';
import { connectWhep, type WhepOptions } from './whep-client';
import type { WhipIngest } from './whip-ingest';

/**
 * Hands WebRTC feeds to stream supervisors: the next WHIP publisher of `whip:ID` sources, or a new
 * WHEP pull session for `whep+http(s)://` sources.
 */
export class WebRtcFeedProvider implements FeedProvider {
  /** A feed is handed out once: a publisher that just left may still be "live" for a microtask. */
  private readonly handedOut = new WeakSet<MediaFeed>();

  constructor(
    private readonly whip: WhipIngest,
    private readonly whep: Omit<WhepOptions, 'credentials'>,
  ) {}

  nextFeed(source: SourceUrl, _streamId: string, signal: AbortSignal): Promise<MediaFeed> {
    if (source.kind === 'whep') {
      return connectWhep(source.endpoint, {
        ...this.whep,
        ...(source.credentials ? { credentials: source.credentials } : {}),
      });
    }
    if (source.kind !== 'whip') return Promise.reject(new Error(`not a WebRTC source: ${source.kind}`));
    this.whip.register(source.streamId);
    return new Promise<MediaFeed>((resolve, reject) => {
      let done = false;
      let off: (() => void) | undefined;
      const onAbort = () => {
        done = true;
        off?.();
        reject(signal.reason);
      };
      // onFeed may call back at once (a publisher is already live), before `off` is assigned.
      off = this.whip.onFeed(source.streamId, (feed) => {
        if (done || this.handedOut.has(feed)) return;
        done = true;
        this.handedOut.add(feed);
        off?.();
        signal.removeEventListener('abort', onAbort);
        resolve(feed);
      });
      if (done) off();
      else if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
