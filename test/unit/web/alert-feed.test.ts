import type { AlertEvent, AlertUpdateEvent, ServerMessage } from '../../../src/alerts/alert-messages';
import type { StoredAlert } from '../../../src/serve/service-ports';
import {
  addStored,
  applyMessage,
  emptyFeed,
  FEED_LIMIT,
  type FeedState,
  setReview,
} from '../../../web/src/lib/alert-feed';

function alert(eventId: number, over: Partial<AlertEvent> = {}): AlertEvent {
  return {
    v: 1,
    type: 'alert',
    eventId,
    streamId: 'cam1',
    captureTime: '2026-11-29T05:00:00.000Z',
    emitTime: '2026-11-29T05:00:00.100Z',
    trackId: 't1',
    identity: { id: 'id-1', name: 'Ada', watchlists: ['vip'] },
    similarity: 0.55,
    margin: 0.2,
    fmr: 1e-5,
    evidenceCount: 2,
    box: { x: 1, y: 2, width: 30, height: 40 },
    quality: 0.8,
    modelId: 'm',
    review: 'pending',
    ...over,
  };
}

function update(eventId: number, alertId: number, over: Partial<AlertUpdateEvent> = {}): AlertUpdateEvent {
  const { type: _t, eventId: _e, ...rest } = alert(eventId);
  return { ...rest, type: 'alert-update', eventId, alertId, ...over };
}

const feed = (...msgs: ServerMessage[]): FeedState => msgs.reduce(applyMessage, emptyFeed());

describe('live alert feed', () => {
  test('alerts are shown newest first, each once', () => {
    const f = feed(alert(1), alert(2, { trackId: 't2' }), alert(2));
    expect(f.alerts.map((a) => a.id)).toEqual([2, 1]);
    expect(f.alerts[0]).toMatchObject({
      review: 'pending',
      updates: 0,
      identity: { name: 'Ada' },
      source: 'live',
    });
  });

  test('an alert-update changes the card of its first alert instead of adding one', () => {
    const f = feed(
      alert(1, { crop: { url: '/v1/alerts/1/crop' } }),
      alert(2, { trackId: 't2' }),
      update(3, 1, { similarity: 0.71, evidenceCount: 3, fmr: 1e-7 }),
    );
    expect(f.alerts.map((a) => a.id)).toEqual([2, 1]);
    expect(f.alerts[1]).toMatchObject({ id: 1, similarity: 0.71, evidenceCount: 3, fmr: 1e-7, updates: 1 });
    // The update carried no crop: the first one's stays.
    expect(f.alerts[1]!.crop).toEqual({ url: '/v1/alerts/1/crop' });
  });

  test('an update whose first alert was missed still shows, under the first alert id', () => {
    const f = feed(update(9, 7));
    expect(f.alerts).toHaveLength(1);
    expect(f.alerts[0]).toMatchObject({ id: 7, updates: 1 });
  });

  test('a review verdict survives later updates', () => {
    let f = feed(alert(1));
    f = setReview(f, 1, 'confirmed');
    f = applyMessage(f, update(2, 1, { evidenceCount: 4 }));
    expect(f.alerts[0]).toMatchObject({ review: 'confirmed', evidenceCount: 4 });
  });

  test('stream status, gaps and errors', () => {
    const f = feed(
      {
        v: 1,
        type: 'stream-status',
        eventId: 1,
        streamId: 'cam1',
        state: 'live',
        emitTime: '2026-11-29T05:00:00Z',
      },
      { v: 1, type: 'gap', fromEventId: 2, toEventId: 10 },
      { v: 1, type: 'error', error: { code: 'ARGUS_E_WS_BAD_MESSAGE', message: 'bad' } },
      { v: 1, type: 'subscribed', filter: {}, lastEventId: 10 },
    );
    expect(f.streams.cam1).toEqual({ state: 'live', detail: undefined, at: '2026-11-29T05:00:00Z' });
    expect(f.notices).toEqual(['Server: bad', expect.stringContaining('Events 2–10 were missed')]);
  });

  test('the feed is bounded', () => {
    let f = emptyFeed();
    for (let i = 1; i <= FEED_LIMIT + 20; i++) f = applyMessage(f, alert(i, { trackId: `t${i}` }));
    expect(f.alerts).toHaveLength(FEED_LIMIT);
    expect(f.alerts[0]!.id).toBe(FEED_LIMIT + 20);
  });
});

describe('pending alerts from the history', () => {
  const stored = (id: number): StoredAlert => {
    const { v: _v, type: _t, eventId: _e, review: _r, crop: _c, ...rest } = alert(id);
    return { id, ...rest, updatedTime: rest.emitTime, hasCrop: true, review: { status: 'pending' } };
  };

  test('join the feed once, in id order, next to live ones', () => {
    let f = feed(alert(5));
    f = addStored(f, [stored(5), stored(3), stored(9)]);
    expect(f.alerts.map((a) => [a.id, a.review])).toEqual([
      [9, 'pending'],
      [5, 'pending'],
      [3, 'pending'],
    ]);
    expect(f.alerts.map((a) => a.source)).toEqual(['history', 'live', 'history']);
    expect(addStored(f, [stored(3)])).toBe(f);
  });
});
