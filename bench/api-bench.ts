/**
 * npm run bench:api — the REST API under load while one demo stream is analysed: autocannon
 * against GET /v1/alerts and GET /v1/streams (~20 s each), req/s and p99 latency; and alert
 * latency (frame captured -> alert received over the WebSocket) idle vs under that load.
 * Runs `argus serve --demo` as a child process in a temporary data directory (rate limit raised
 * so the limiter does not answer 429 instead of the route), always stopped and removed at the end.
 * The alert store is seeded with SEEDED_ALERTS records first, so every page holds 50 alerts.
 * GET /v1/alerts is measured twice: the newest page polled over and over (what a dashboard does;
 * the store keeps answered pages until the data changes, and the demo's own alerts empty it), and
 * a different page on every request (`minSimilarity` varies, so no answer comes from that cache).
 * Writes bench/results/api.json and prints a table with the targets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AlertStore } from '../src/alerts/alert-store';
import { AlertLatencyProbe } from './api/alert-latency';
import { load } from './api/run-autocannon';
import { type ServedArgus, serveDemo, stopChild, waitForLive } from './api/serve-child';
import { machineInfo, median, report, round } from './bench-report';

const LOAD_SEC = Number(process.env.ARGUS_BENCH_LOAD_SEC ?? 20);
const IDLE_SEC = Number(process.env.ARGUS_BENCH_IDLE_SEC ?? 40);
// Few connections: at 2,000 req/s, 10 in flight means ~5 ms each on average (Little's law), so
// the p99 target measures the server, not a queue the load generator built itself.
const CONNECTIONS = Number(process.env.ARGUS_BENCH_CONNECTIONS ?? 10);
const TARGET_RPS = 2000;
const TARGET_P99_MS = 20;
const SEEDED_ALERTS = 1000;

/** Realistic alert records (not faces: records hold no biometrics), oldest first. */
function seedAlerts(dataDir: string): void {
  const store = AlertStore.open(dataDir);
  try {
    const t0 = Date.now() - SEEDED_ALERTS * 60_000;
    for (let i = 0; i < SEEDED_ALERTS; i++) {
      const similarity = 0.45 + (i % 40) / 100;
      const at = new Date(t0 + i * 60_000).toISOString();
      store.insert({
        v: 1,
        type: 'alert',
        eventId: i + 1,
        emitTime: at,
        review: 'pending',
        streamId: `cam${(i % 8) + 1}`,
        captureTime: at,
        trackId: String(1000 + i),
        identity: {
          id: `id-${i % 97}`,
          name: `Person ${i % 97}`,
          watchlists: i % 3 ? ['watch'] : ['watch', 'vip'],
        },
        similarity,
        margin: similarity - 0.3,
        fmr: 1e-5,
        evidenceCount: 2 + (i % 3),
        box: { x: 100 + (i % 50), y: 80, width: 96, height: 96 },
        quality: 0.8,
        modelId: 'faceplugin-fr-v1',
      });
    }
  } finally {
    store.close();
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'argus-api-bench-'));
  const configFile = path.join(dataDir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      log: { level: 'warn' },
      http: { host: '127.0.0.1', port: 0, rateLimit: { max: 10_000_000, timeWindowMs: 60_000 } },
    }),
  );
  let served: ServedArgus | undefined;
  let probe: AlertLatencyProbe | undefined;
  const stopAll = async () => {
    probe?.close();
    if (served) await stopChild(served.child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = () => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const step = (s: string) => process.stdout.write(`- ${s}\n`);
    step(`seeding ${SEEDED_ALERTS} alerts`);
    seedAlerts(dataDir);
    step('starting argus serve --demo');
    served = await serveDemo(dataDir, configFile);
    await waitForLive(served.base, served.adminKey, 'demo');
    probe = await AlertLatencyProbe.connect(served.wsUrl, served.adminKey);
    step(`alert latency without API load (${IDLE_SEC} s)`);
    probe.mark('idle');
    await new Promise((r) => setTimeout(r, IDLE_SEC * 1000));
    probe.mark('loaded');
    step(`GET /v1/alerts under load, newest page polled (${LOAD_SEC} s)`);
    const alerts = await load(`${served.base}/v1/alerts`, served.adminKey, LOAD_SEC, CONNECTIONS);
    step(`GET /v1/alerts under load, a different page each request (${LOAD_SEC} s)`);
    let n = 0;
    const varied = await load(`${served.base}/v1/alerts`, served.adminKey, LOAD_SEC, CONNECTIONS, () => {
      n = (n + 1) % 100_000;
      return `/v1/alerts?minSimilarity=${(0.4 + n / 1_000_000).toFixed(6)}`;
    });
    step(`GET /v1/streams under load (${LOAD_SEC} s)`);
    const streams = await load(`${served.base}/v1/streams`, served.adminKey, LOAD_SEC, CONNECTIONS);
    probe.mark('after');
    const idle = probe.of('idle');
    const loaded = probe.of('loaded');
    const p50 = (xs: number[]) => (xs.length > 0 ? round(median(xs), 0) : null);
    const json = {
      alerts_rps: round(alerts.rps, 0),
      alerts_p99_ms: alerts.p99Ms,
      alerts_uncached_rps: round(varied.rps, 0),
      alerts_uncached_p99_ms: varied.p99Ms,
      seeded_alerts: SEEDED_ALERTS,
      page_size: 50,
      streams_rps: round(streams.rps, 0),
      streams_p99_ms: streams.p99Ms,
      alert_latency_p50_ms_idle: p50(idle),
      alert_latency_p50_ms_loaded: p50(loaded),
      alert_samples: { idle: idle.length, loaded: loaded.length },
      failures: {
        alerts: alerts.non2xx + alerts.errors,
        alertsUncached: varied.non2xx + varied.errors,
        streams: streams.non2xx + streams.errors,
      },
      loadSec: LOAD_SEC,
      connections: CONNECTIONS,
      ...machineInfo(),
      cores: os.availableParallelism(),
    };
    report('api', json, [
      {
        metric: 'GET /v1/alerts, newest page polled, req/s',
        value: json.alerts_rps,
        target: `>= ${TARGET_RPS}`,
        ok: alerts.rps >= TARGET_RPS,
      },
      {
        metric: 'GET /v1/alerts, newest page polled, p99 ms',
        value: alerts.p99Ms,
        target: `<= ${TARGET_P99_MS}`,
        ok: alerts.p99Ms <= TARGET_P99_MS,
      },
      {
        metric: 'GET /v1/alerts, a new page each request, req/s',
        value: json.alerts_uncached_rps,
        target: `>= ${TARGET_RPS}`,
        ok: varied.rps >= TARGET_RPS,
      },
      {
        metric: 'GET /v1/alerts, a new page each request, p99 ms',
        value: varied.p99Ms,
        target: `<= ${TARGET_P99_MS}`,
        ok: varied.p99Ms <= TARGET_P99_MS,
      },
      {
        metric: 'GET /v1/streams req/s',
        value: json.streams_rps,
        target: `>= ${TARGET_RPS}`,
        ok: streams.rps >= TARGET_RPS,
      },
      {
        metric: 'GET /v1/streams p99 ms',
        value: streams.p99Ms,
        target: `<= ${TARGET_P99_MS}`,
        ok: streams.p99Ms <= TARGET_P99_MS,
      },
      {
        metric: 'non-2xx / errors under load',
        value: json.failures.alerts + json.failures.alertsUncached + json.failures.streams,
        target: '0',
        ok: json.failures.alerts + json.failures.alertsUncached + json.failures.streams === 0,
      },
      {
        metric: `alert latency p50 ms, idle (${idle.length} alerts)`,
        value: String(json.alert_latency_p50_ms_idle),
      },
      {
        metric: `alert latency p50 ms, loaded (${loaded.length} alerts)`,
        value: String(json.alert_latency_p50_ms_loaded),
      },
      { metric: 'cores', value: json.cores },
    ]);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAll();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:api failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
