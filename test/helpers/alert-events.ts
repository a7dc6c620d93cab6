import type { AlertEvent } from '../../src/alerts/alert-messages';

/** Capture time of alert 0; alert `id` is captured `id` seconds later. */
export const ALERT_T0 = Date.parse('2026-06-01T12:00:00.000Z');

/**
 * Alert events for store tests: alert `id` comes from stream cam1 (odd) or cam2 (even), identity
 * id_(id % 3), similarity 0.5 + id/100; `o` overrides any field.
 */
export function alertEvent(id: number, o: Partial<AlertEvent> = {}): AlertEvent {
  const capture = new Date(ALERT_T0 + id * 1000).toISOString();
  return {
    v: 1,
    type: 'alert',
    eventId: id,
    streamId: id % 2 ? 'cam1' : 'cam2',
    captureTime: capture,
    emitTime: capture,
    trackId: String(100 + id),
    identity: {
      id: `id_${id % 3}`,
      name: `Person ${id % 3}`,
      watchlists: id % 3 === 0 ? ['vip', 'staff'] : ['staff'],
    },
    similarity: 0.5 + id / 100,
    margin: 0.1,
    fmr: 1e-5,
    evidenceCount: 2,
    box: { x: 10, y: 20, width: 30, height: 40 },
    quality: 0.8,
    modelId: 'arcface-r100',
    review: 'pending',
    ...o,
  };
}
