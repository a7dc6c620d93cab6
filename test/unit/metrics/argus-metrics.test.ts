import { ArgusMetrics } from '../../../src/metrics/argus-metrics';

/** The value of one series in the Prometheus text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('ArgusMetrics', () => {
  it('exposes every metric of issue 6, argus_-prefixed, on its own registry', async () => {
    const m = new ArgusMetrics();
    const text = await m.metrics();
    const names = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((x) => x[1]!);
    for (const name of names) expect(name).toMatch(/^argus_/);
    for (const name of [
      'argus_stream_frames_decoded_total',
      'argus_stream_frames_analysed_total',
      'argus_stream_frames_dropped_total',
      'argus_stream_fps',
      'argus_stream_restarts_total',
      'argus_stream_state',
      'argus_detect_seconds',
      'argus_embed_seconds',
      'argus_search_seconds',
      'argus_alert_latency_seconds',
      'argus_faces_per_frame',
      'argus_deferred_embeddings_total',
      'argus_worker_pool_busy',
      'argus_alerts_total',
      'argus_alert_reviews_total',
      'argus_websocket_clients',
      'argus_websocket_disconnects_total',
      'argus_gallery_identities',
      'argus_gallery_templates',
      'argus_event_loop_lag_seconds',
      'argus_retention_deletions_total',
      'argus_http_requests_total',
      'argus_http_request_duration_seconds',
      // prom-client's process metrics, prefixed.
      'argus_process_cpu_seconds_total',
      'argus_nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(names).toContain(name);
    }
    expect(m.contentType).toMatch(/^text\/plain; version=0.0.4/);
    // Two instances do not collide (no global registry).
    expect(() => new ArgusMetrics()).not.toThrow();
  });

  it('reads live sources at scrape time (streams, pool, hub, gallery, lag)', async () => {
    const m = new ArgusMetrics({ defaultMetrics: false });
    const streams = [
      {
        id: 'cam1',
        state: 'live',
        fps: 9.5,
        framesDecoded: 100,
        framesAnalysed: 90,
        framesDropped: 10,
        restarts: 1,
        deferredEmbeddings: 4,
      },
      {
        id: 'cam2',
        state: 'reconnecting',
        fps: 0,
        framesDecoded: 5,
        framesAnalysed: 5,
        framesDropped: 0,
        restarts: 3,
        deferredEmbeddings: 0,
      },
    ];
    m.bind({
      streams: { list: () => streams },
      analyzer: { workerStats: () => ({ size: 2, busy: 1, queued: 3 }) },
      hub: { stats: () => ({ clients: 7, disconnects: { 'slow-consumer': 2, heartbeat: 1 } }) },
      gallery: { stats: () => ({ identities: 10, templates: 25 }) },
      loopLag: { snapshot: () => ({ p50: 1, p99: 12, max: 40 }) },
    });
    let text = await m.metrics();
    expect(sample(text, 'argus_stream_frames_decoded_total{stream="cam1"}')).toBe(100);
    expect(sample(text, 'argus_stream_frames_dropped_total{stream="cam1"}')).toBe(10);
    expect(sample(text, 'argus_stream_fps{stream="cam1"}')).toBe(9.5);
    expect(sample(text, 'argus_stream_restarts_total{stream="cam2"}')).toBe(3);
    expect(sample(text, 'argus_deferred_embeddings_total{stream="cam1"}')).toBe(4);
    expect(sample(text, 'argus_stream_state{stream="cam1",state="live"}')).toBe(1);
    expect(sample(text, 'argus_stream_state{stream="cam1",state="failed"}')).toBe(0);
    expect(sample(text, 'argus_stream_state{stream="cam2",state="reconnecting"}')).toBe(1);
    expect(sample(text, 'argus_worker_pool_busy')).toBe(1);
    expect(sample(text, 'argus_worker_pool_size')).toBe(2);
    expect(sample(text, 'argus_websocket_clients')).toBe(7);
    expect(sample(text, 'argus_websocket_disconnects_total{reason="slow-consumer"}')).toBe(2);
    expect(sample(text, 'argus_gallery_templates')).toBe(25);
    expect(sample(text, 'argus_event_loop_lag_seconds{stat="p99"}')).toBe(0.012);

    // Counters follow the live totals; a deleted stream disappears (bounded cardinality).
    streams[0]!.framesDecoded = 150;
    streams.pop();
    text = await m.metrics();
    expect(sample(text, 'argus_stream_frames_decoded_total{stream="cam1"}')).toBe(150);
    expect(sample(text, 'argus_stream_frames_decoded_total{stream="cam2"}')).toBeUndefined();
  });

  it('a source that throws does not break the scrape', async () => {
    const m = new ArgusMetrics({ defaultMetrics: false });
    m.bind({
      gallery: {
        stats: () => {
          throw new Error('closed');
        },
      },
      hub: { stats: () => ({ clients: 1, disconnects: {} }) },
    });
    const text = await m.metrics();
    expect(sample(text, 'argus_websocket_clients')).toBe(1);
  });

  it('counts alerts by watchlist, updates, reviews, retention, frame errors and stage times', async () => {
    const m = new ArgusMetrics({ defaultMetrics: false });
    const capture = '2026-01-01T00:00:00.000Z';
    m.alertRaised({
      type: 'alert',
      identity: { watchlists: ['vip', 'staff'] },
      captureTime: capture,
      emitTime: '2026-01-01T00:00:00.120Z',
    });
    m.alertRaised({ type: 'alert', identity: { watchlists: [] }, captureTime: capture, emitTime: capture });
    m.alertRaised({
      type: 'alert-update',
      identity: { watchlists: ['vip'] },
      captureTime: capture,
      emitTime: capture,
    });
    m.alertReviewed('rejected', ['vip']);
    m.retentionPurged({ crops: 3, records: 1 }, new Date(1_700_000_000_000));
    m.frameFailed('cam1', 'ARGUS_E_POOL_WORKER_DIED');
    m.streamState('cam9', 'failed');
    m.observeFrame({ detectMs: 12, embedMs: 30, searchMs: 0.4, faces: 3 });
    const text = await m.metrics();
    expect(sample(text, 'argus_alerts_total{watchlist="vip"}')).toBe(1);
    expect(sample(text, 'argus_alerts_total{watchlist="staff"}')).toBe(1);
    expect(sample(text, 'argus_alerts_total{watchlist="none"}')).toBe(1);
    expect(sample(text, 'argus_alert_updates_total')).toBe(1);
    expect(sample(text, 'argus_alert_reviews_total{outcome="rejected",watchlist="vip"}')).toBe(1);
    expect(sample(text, 'argus_alert_latency_seconds_bucket{le="0.1"}')).toBe(1);
    expect(sample(text, 'argus_alert_latency_seconds_bucket{le="0.25"}')).toBe(2);
    expect(sample(text, 'argus_retention_deletions_total{kind="crop"}')).toBe(3);
    expect(sample(text, 'argus_retention_deletions_total{kind="record"}')).toBe(1);
    expect(sample(text, 'argus_retention_last_run_timestamp_seconds')).toBe(1_700_000_000);
    expect(sample(text, 'argus_frame_errors_total{stream="cam1",code="ARGUS_E_POOL_WORKER_DIED"}')).toBe(1);
    expect(sample(text, 'argus_stream_state{stream="cam9",state="failed"}')).toBe(1);
    expect(sample(text, 'argus_detect_seconds_bucket{le="0.01"}')).toBe(0);
    expect(sample(text, 'argus_detect_seconds_bucket{le="0.025"}')).toBe(1);
    expect(sample(text, 'argus_search_seconds_bucket{le="0.001"}')).toBe(1);
    expect(sample(text, 'argus_faces_per_frame_sum')).toBe(3);
  });

  it('observeHttp labels by route pattern, bounded method and status', async () => {
    const m = new ArgusMetrics({ defaultMetrics: false });
    m.observeHttp('/v1/alerts/:id', 'get', 200, 3);
    m.observeHttp('/v1/alerts/:id', 'GET', 200, 7);
    m.observeHttp(undefined, 'BREW', 404, 1);
    const text = await m.metrics();
    expect(sample(text, 'argus_http_requests_total{route="/v1/alerts/:id",method="GET",status="200"}')).toBe(
      2,
    );
    expect(sample(text, 'argus_http_requests_total{route="unmatched",method="OTHER",status="404"}')).toBe(1);
    expect(
      sample(
        text,
        'argus_http_request_duration_seconds_bucket{le="0.005",route="/v1/alerts/:id",method="GET",status="200"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'argus_http_request_duration_seconds_sum{route="/v1/alerts/:id",method="GET",status="200"}',
      ),
    ).toBeCloseTo(0.01, 9);
  });
});
