/**
 * The `/v1/alerts` WebSocket protocol, version 1. The JSON Schemas in schemas/ describe the same
 * messages for clients in other languages; tests check both directions against them.
 */
export const PROTOCOL_VERSION = 1;

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface AlertIdentity {
  id: string;
  name: string;
  watchlists: string[];
}

/** The best frame's crop: a URL to fetch it from, or the JPEG inline (configurable). */
export type AlertCrop = { url: string } | { jpegBase64: string };

/** What the alert engine hands the hub; the hub adds the envelope (id, emit time, review). */
export interface AlertInput {
  streamId: string;
  /** ISO 8601 time the frame was captured. */
  captureTime: string;
  trackId: string;
  identity: AlertIdentity;
  similarity: number;
  margin: number;
  /** Estimated false-match rate at this similarity. */
  fmr: number;
  evidenceCount: number;
  box: FaceBox;
  quality: number;
  crop?: AlertCrop;
  modelId: string;
}

export interface AlertEvent extends AlertInput {
  v: 1;
  type: 'alert';
  eventId: number;
  emitTime: string;
  /** Every alert is a candidate for human review, never a verdict. */
  review: 'pending';
}

/**
 * The evidence for an earlier alert grew (a higher similarity or more matching frames). It
 * carries the whole alert again, with `alertId` = the `eventId` of the first `alert` of this
 * (stream, track, identity): clients update that alert instead of showing a new one.
 */
export interface AlertUpdateEvent extends AlertInput {
  v: 1;
  type: 'alert-update';
  eventId: number;
  alertId: number;
  emitTime: string;
  review: 'pending';
}

export type StreamState = 'starting' | 'live' | 'reconnecting' | 'stopped' | 'failed';

export interface StreamStatusInput {
  streamId: string;
  state: StreamState;
  detail?: string;
}

export interface StreamStatusEvent extends StreamStatusInput {
  v: 1;
  type: 'stream-status';
  eventId: number;
  emitTime: string;
}

/** Events kept in history and replayed on resume. */
export type HubEvent = AlertEvent | AlertUpdateEvent | StreamStatusEvent;

export interface SubscriptionFilter {
  streams?: string[];
  watchlists?: string[];
  identities?: string[];
  minScore?: number;
}

export interface SubscribedMessage {
  v: 1;
  type: 'subscribed';
  filter: SubscriptionFilter;
  /** The newest event id so far: a later `resume` from here misses nothing. */
  lastEventId: number;
}

export interface GapMessage {
  v: 1;
  type: 'gap';
  /** First and last event id that can no longer be replayed. */
  fromEventId: number;
  toEventId: number;
}

export interface ErrorMessage {
  v: 1;
  type: 'error';
  error: { code: string; message: string };
}

export type ServerMessage = HubEvent | SubscribedMessage | GapMessage | ErrorMessage;

export type ClientMessage =
  | ({ v?: 1; type: 'subscribe' } & SubscriptionFilter)
  | { v?: 1; type: 'resume'; lastEventId: number };
