import { useEffect, useRef, useState } from 'preact/hooks';
import type { StreamInfo, SystemInfo } from '../../../src/serve/service-ports';
import type { ApiClient } from '../api/api-client';
import { Note } from '../components/error-note';
import { type ChartLine, LatencyChart } from '../components/latency-chart';
import { errorText } from '../lib/api-error';
import { formatMs, formatPercent } from '../lib/format';
import { listBody } from '../lib/list-body';
import { pushSample, type Sample } from '../lib/time-series';

const EVERY_MS = 2000;
const WINDOW_MS = 5 * 60_000;
/** A fresh page shows at least this much; less would make the first samples jump around. */
const MIN_WINDOW_MS = 20_000;
const LIMIT = WINDOW_MS / EVERY_MS + 5;
const LAG_KEY = 'event-loop-lag-p99';

/** GET /v1/system (and /v1/streams for per-stream latency) every 2 s, with a latency chart. */
export function SystemPage({ api }: { api: ApiClient }) {
  const [info, setInfo] = useState<SystemInfo>();
  const [streams, setStreams] = useState<StreamInfo[]>([]);
  const [series, setSeries] = useState<Sample[]>([]);
  const [problem, setProblem] = useState<string>();
  const seen = useRef(new Set<string>());

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const [sys, list] = await Promise.all([
          api.get<SystemInfo>('/v1/system'),
          api.get<unknown>('/v1/streams').then((b) => listBody<StreamInfo>(b)),
        ]);
        if (stopped) return;
        const values: Record<string, number | null> = { [LAG_KEY]: sys.eventLoopLagMs.p99 };
        for (const s of list) {
          seen.current.add(s.id);
          values[`stream:${s.id}`] = s.latencyMs?.p50 ?? null;
        }
        setInfo(sys);
        setStreams(list);
        setSeries((old) => pushSample(old, { t: Date.now(), values }, LIMIT));
        setProblem(undefined);
      } catch (err) {
        if (!stopped) setProblem(errorText(err));
      }
      if (!stopped) timer = setTimeout(poll, EVERY_MS);
    };
    poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api]);

  const lines: ChartLine[] = [
    ...[...seen.current].slice(0, 5).map((id, i) => ({
      key: `stream:${id}`,
      label: `${id}: frame → analysis p50`,
      className: `line-${i}`,
    })),
    { key: LAG_KEY, label: 'Event-loop lag p99', className: 'line-lag' },
  ];

  return (
    <section aria-labelledby="system-title">
      <h1 id="system-title">System</h1>
      <Note kind="error" text={problem} />
      {info ? (
        <>
          <ul class="stats" aria-label="System figures">
            <Stat label="CPU" value={formatPercent(info.cpuPercent)} />
            <Stat label="Memory (RSS)" value={`${Math.round(info.rssMb)} MB`} />
            <Stat
              label="Event-loop lag p50 / p99"
              value={`${formatMs(info.eventLoopLagMs.p50)} / ${formatMs(info.eventLoopLagMs.p99)}`}
            />
            <Stat label="Workers busy" value={`${info.workers.busy} / ${info.workers.total}`} />
            <Stat label="Frames dropped (all streams)" value={String(info.framesDropped)} />
            <Stat label="Alerts pending review" value={`${info.alerts.pending} of ${info.alerts.total}`} />
            <Stat label="WebSocket clients" value={String(info.websocketClients)} />
            <Stat label="Streams" value={String(info.streams)} />
            <Stat
              label="Gallery"
              value={`${plural(info.gallery.identities, 'identity', 'identities')}, ${plural(info.gallery.templates, 'template', 'templates')}`}
            />
            <Stat label="Uptime" value={uptime(info.uptimeSec)} />
          </ul>
          <LatencyChart
            title="Latency over time (ms)"
            series={series}
            lines={lines}
            windowMs={chartWindow(series)}
            nowMs={series.at(-1)?.t ?? Date.now()}
          />
          <p class="muted">
            Argus {info.version}. Per-stream latency:{' '}
            {streams.map((s) => `${s.id} ${formatMs(s.latencyMs?.p50)}`).join(', ') || 'no streams'}.
          </p>
        </>
      ) : problem ? null : (
        <p>Loading…</p>
      )}
    </section>
  );
}

/** Grows with the data from 20 s up to five minutes. */
function chartWindow(series: readonly Sample[]): number {
  const first = series[0]?.t;
  const last = series.at(-1)?.t;
  if (first === undefined || last === undefined) return MIN_WINDOW_MS;
  return Math.min(WINDOW_MS, Math.max(MIN_WINDOW_MS, last - first));
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <li class="card stat">
      <span class="stat-label">{label}</span>
      <span class="stat-value">{value}</span>
    </li>
  );
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function uptime(sec: number): string {
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min ${Math.floor(sec % 60)} s`;
}
