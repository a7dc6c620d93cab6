import type {
  AlertCrop,
  AlertEvent,
  AlertIdentity,
  AlertUpdateEvent,
  FaceBox,
  ServerMessage,
  StreamState,
} from '../../../src/alerts/alert-messages';
import type { ReviewStatus, StoredAlert } from '../../../src/serve/service-ports';

/**
 * The live feed's state and how each WebSocket message changes it. Pure: the page keeps the state
 * and re-renders; tests feed message sequences and read the result.
 */

export interface FeedAlert {
  /** The alert's id for the REST API: the eventId of its first `alert` event. */
  id: number;
  streamId: string;
  trackId: string;
  identity: AlertIdentity;
  similarity: number;
  margin: number;
  fmr: number;
  evidenceCount: number;
  box: FaceBox;
  quality: number;
  crop?: AlertCrop;
  captureTime: string;
  emitTime: string;
  /** `alert-update`s merged in so far. */
  updates: number;
  /** Pushed over the WebSocket, or loaded from the history when the page opened. */
  source: 'live' | 'history';
  review: ReviewStatus;
}

export interface StreamStatusView {
  state: StreamState;
  detail?: string;
  at: string;
}

export interface FeedState {
  /** Newest first, at most `FEED_LIMIT`. */
  alerts: FeedAlert[];
  streams: Record<string, StreamStatusView>;
  /** Human-readable notices (gaps in the replay, server errors), newest first, at most 5. */
  notices: string[];
}

export const FEED_LIMIT = 100;

export function emptyFeed(): FeedState {
  return { alerts: [], streams: {}, notices: [] };
}

function fromEvent(e: AlertEvent | AlertUpdateEvent, id: number, updates: number): FeedAlert {
  return {
    id,
    streamId: e.streamId,
    trackId: e.trackId,
    identity: e.identity,
    similarity: e.similarity,
    margin: e.margin,
    fmr: e.fmr,
    evidenceCount: e.evidenceCount,
    box: e.box,
    quality: e.quality,
    crop: e.crop,
    captureTime: e.captureTime,
    emitTime: e.emitTime,
    updates,
    review: 'pending',
    source: 'live',
  };
}

function notice(s: FeedState, text: string): FeedState {
  return { ...s, notices: [text, ...s.notices].slice(0, 5) };
}

export function applyMessage(s: FeedState, msg: ServerMessage): FeedState {
  switch (msg.type) {
    case 'alert':
      if (s.alerts.some((a) => a.id === msg.eventId)) return s;
      return { ...s, alerts: [fromEvent(msg, msg.eventId, 0), ...s.alerts].slice(0, FEED_LIMIT) };
    case 'alert-update': {
      const i = s.alerts.findIndex((a) => a.id === msg.alertId);
      if (i < 0) {
        // The first event was missed (joined later, or it fell out of the replay): show the
        // alert under its own id all the same.
        const card = fromEvent(msg, msg.alertId, 1);
        return { ...s, alerts: [card, ...s.alerts].slice(0, FEED_LIMIT) };
      }
      const old = s.alerts[i]!;
      const merged: FeedAlert = {
        ...fromEvent(msg, old.id, old.updates + 1),
        crop: msg.crop ?? old.crop,
        review: old.review,
      };
      const alerts = [...s.alerts];
      alerts[i] = merged;
      return { ...s, alerts };
    }
    case 'stream-status':
      return {
        ...s,
        streams: {
          ...s.streams,
          [msg.streamId]: { state: msg.state, detail: msg.detail, at: msg.emitTime },
        },
      };
    case 'gap':
      return notice(
        s,
        `Events ${msg.fromEventId}–${msg.toEventId} were missed while disconnected; see Alert history.`,
      );
    case 'error':
      return notice(s, `Server: ${msg.error.message}`);
    default:
      return s;
  }
}

/** Records a reviewer's verdict on a card (after the API accepted it). */
export function setReview(s: FeedState, id: number, review: ReviewStatus): FeedState {
  return { ...s, alerts: s.alerts.map((a) => (a.id === id ? { ...a, review } : a)) };
}

/**
 * Adds alerts from the history (GET /v1/alerts?review=pending) that the feed does not show yet:
 * a dashboard opened after an alert fired still shows it for review. Newest first, bounded.
 */
export function addStored(s: FeedState, stored: readonly StoredAlert[]): FeedState {
  const known = new Set(s.alerts.map((a) => a.id));
  const added: FeedAlert[] = stored
    .filter((a) => !known.has(a.id))
    .map((a) => ({
      id: a.id,
      streamId: a.streamId,
      trackId: a.trackId,
      identity: a.identity,
      similarity: a.similarity,
      margin: a.margin,
      fmr: a.fmr,
      evidenceCount: a.evidenceCount,
      box: a.box,
      quality: a.quality,
      captureTime: a.captureTime,
      emitTime: a.emitTime,
      updates: 0,
      review: a.review.status,
      source: 'history' as const,
    }));
  if (added.length === 0) return s;
  const alerts = [...s.alerts, ...added].sort((a, b) => b.id - a.id).slice(0, FEED_LIMIT);
  return { ...s, alerts };
}
