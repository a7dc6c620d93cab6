import { useState } from 'preact/hooks';
import type { StreamInfo } from '../../../src/serve/service-ports';
import type { ApiClient } from '../api/api-client';
import { Note } from '../components/error-note';
import type { FeedState } from '../lib/alert-feed';
import { errorText } from '../lib/api-error';
import { formatAgo, formatFps, formatMs } from '../lib/format';
import { listBody } from '../lib/list-body';
import { usePoll } from './use-poll';

interface Props {
  api: ApiClient;
  canOperate: boolean;
  feed: FeedState;
}

/** Streams as tiles (polled every 2 s, state refreshed at once by WebSocket stream-status events). */
export function StreamsPage({ api, canOperate, feed }: Props) {
  const { data, error, refresh } = usePoll(
    async () => listBody<StreamInfo>(await api.get('/v1/streams')),
    2000,
  );
  const [actionError, setActionError] = useState<string>();
  const now = Date.now();

  const act = async (id: string, what: 'start' | 'stop') => {
    setActionError(undefined);
    try {
      await api.post(`/v1/streams/${encodeURIComponent(id)}/${what}`, undefined);
      refresh();
    } catch (err) {
      setActionError(`${what === 'start' ? 'Start' : 'Stop'} ${id}: ${errorText(err)}`);
    }
  };

  return (
    <section aria-labelledby="streams-title">
      <h1 id="streams-title">Streams</h1>
      <Note kind="error" text={error} />
      <Note kind="error" text={actionError} />
      {data === undefined && !error ? <p>Loading…</p> : null}
      {data?.length === 0 ? <p>No streams yet.</p> : null}
      <ul class="tiles">
        {(data ?? []).map((s) => {
          // A status event newer than the last poll wins: the tile changes as soon as the camera does.
          const live = feed.streams[s.id];
          const state = live && Date.parse(live.at) > now - 2000 ? live.state : s.state;
          const lastAlert = newestAlert(feed, s.id) ?? s.lastAlertAt;
          return (
            <li key={s.id} class={`card tile tile-${state}`} data-stream-id={s.id}>
              <h2>{s.id}</h2>
              <p class="stream-url" title={s.url}>
                {s.url}
              </p>
              <p>
                <span class={`state state-${state}`} data-testid="stream-state">
                  {state}
                </span>
                {!s.enabled ? <span class="muted"> (disabled)</span> : null}
              </p>
              <dl class="facts">
                <dt>Analysed fps</dt>
                <dd>{formatFps(s.fps)}</dd>
                <dt>Frames dropped</dt>
                <dd>{s.framesDropped}</dd>
                <dt>Latency p50</dt>
                <dd>{formatMs(s.latencyMs?.p50)}</dd>
                <dt>Faces</dt>
                <dd>{s.faces}</dd>
                <dt>Last alert</dt>
                <dd>{formatAgo(lastAlert, now)}</dd>
                {s.restarts > 0 ? (
                  <>
                    <dt>Restarts</dt>
                    <dd>{s.restarts}</dd>
                  </>
                ) : null}
              </dl>
              {s.lastError ? (
                <p class="note note-error" title={s.lastError.code}>
                  {s.lastError.message}
                </p>
              ) : null}
              {canOperate ? (
                <div class="buttons">
                  {s.enabled && s.state !== 'stopped' ? (
                    <button
                      type="button"
                      onClick={() => act(s.id, 'stop')}
                      aria-label={`Stop stream ${s.id}`}
                    >
                      Stop
                    </button>
                  ) : (
                    <button
                      type="button"
                      onClick={() => act(s.id, 'start')}
                      aria-label={`Start stream ${s.id}`}
                    >
                      Start
                    </button>
                  )}
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
      {canOperate ? <AddStreamForm api={api} onAdded={refresh} /> : null}
    </section>
  );
}

function newestAlert(feed: FeedState, streamId: string): string | undefined {
  return feed.alerts.find((a) => a.streamId === streamId)?.emitTime;
}

function AddStreamForm({ api, onAdded }: { api: ApiClient; onAdded: () => void }) {
  const [id, setId] = useState('');
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    setDone(undefined);
    try {
      await api.post('/v1/streams', { id: id.trim(), url: url.trim() });
      setDone(`Stream ${id.trim()} added.`);
      setId('');
      setUrl('');
      onAdded();
    } catch (err) {
      setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card form-inline" onSubmit={submit} aria-labelledby="add-stream-title">
      <h2 id="add-stream-title">Add a stream</h2>
      <div class="field">
        <label for="stream-id">Stream id</label>
        <input
          id="stream-id"
          required
          pattern="[A-Za-z0-9_.\-]+"
          title="Letters, digits, dot, dash and underscore"
          value={id}
          onInput={(e) => setId(e.currentTarget.value)}
        />
      </div>
      <div class="field grow">
        <label for="stream-url">URL (rtsp://, http(s)://, a file path, whip:ID)</label>
        <input id="stream-url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
      </div>
      <button type="submit" disabled={busy}>
        Add stream
      </button>
      <Note kind="error" text={problem} />
      <Note kind="ok" text={done} />
    </form>
  );
}
