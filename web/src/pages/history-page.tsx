import { useEffect, useState } from 'preact/hooks';
import type { AlertPage, StoredAlert } from '../../../src/serve/service-ports';
import type { ApiClient } from '../api/api-client';
import { Note } from '../components/error-note';
import { RejectionPatterns } from '../components/rejection-patterns';
import { errorText, queryString } from '../lib/api-error';
import { formatFmr, formatSimilarity, formatUtc } from '../lib/format';

interface Filters {
  streamId: string;
  identityId: string;
  review: string;
  /** datetime-local value (the browser's local time). */
  since: string;
}

const EMPTY: Filters = { streamId: '', identityId: '', review: '', since: '' };
const PAGE_SIZE = 25;

/** GET /v1/alerts with filters, newest first, "Load more" following nextCursor. */
export function HistoryPage({ api }: { api: ApiClient }) {
  const [form, setForm] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [items, setItems] = useState<StoredAlert[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [loaded, setLoaded] = useState(false);

  const load = async (f: Filters, after: string | undefined) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const since = f.since ? new Date(f.since).toISOString() : undefined;
      const page = await api.get<AlertPage>(
        `/v1/alerts${queryString({
          streamId: f.streamId.trim(),
          identityId: f.identityId.trim(),
          review: f.review,
          since,
          limit: PAGE_SIZE,
          cursor: after,
        })}`,
      );
      setItems((old) => (after ? [...old, ...page.items] : page.items));
      setCursor(page.nextCursor ?? undefined);
      setLoaded(true);
    } catch (err) {
      setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    load(EMPTY, undefined);
  }, []);

  const field = (k: keyof Filters) => ({
    value: form[k],
    onInput: (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) =>
      setForm({ ...form, [k]: e.currentTarget.value }),
  });

  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">Alert history</h1>
      <RejectionPatterns api={api} />
      <form
        class="card form-inline"
        aria-label="Filter alerts"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(form);
          load(form, undefined);
        }}
      >
        <div class="field">
          <label for="f-stream">Stream id</label>
          <input id="f-stream" {...field('streamId')} />
        </div>
        <div class="field">
          <label for="f-identity">Identity id</label>
          <input id="f-identity" {...field('identityId')} />
        </div>
        <div class="field">
          <label for="f-review">Review status</label>
          <select id="f-review" {...field('review')}>
            <option value="">any</option>
            <option value="pending">pending</option>
            <option value="confirmed">confirmed</option>
            <option value="rejected">rejected</option>
          </select>
        </div>
        <div class="field">
          <label for="f-since">Since (local time)</label>
          <input id="f-since" type="datetime-local" {...field('since')} />
        </div>
        <button type="submit" disabled={busy}>
          Apply filters
        </button>
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() => {
            setForm(EMPTY);
            setApplied(EMPTY);
            load(EMPTY, undefined);
          }}
        >
          Clear
        </button>
      </form>
      <Note kind="error" text={problem} />
      {loaded && items.length === 0 ? <p>No alerts match.</p> : null}
      {items.length > 0 ? (
        <table class="history">
          <caption class="visually-hidden">Alerts, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Seen at</th>
              <th scope="col">Stream</th>
              <th scope="col">Identity</th>
              <th scope="col">Watchlists</th>
              <th scope="col">Similarity</th>
              <th scope="col">Est. false-match rate</th>
              <th scope="col">Evidence</th>
              <th scope="col">Review</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id} data-alert-id={a.id}>
                <td>{a.id}</td>
                <td>
                  <time dateTime={a.captureTime}>{formatUtc(a.captureTime)}</time>
                </td>
                <td>{a.streamId}</td>
                <td title={a.identity.id}>{a.identity.name}</td>
                <td>{a.identity.watchlists.join(', ') || '–'}</td>
                <td>{formatSimilarity(a.similarity)}</td>
                <td>{formatFmr(a.fmr)}</td>
                <td>{a.evidenceCount}</td>
                <td>
                  <span class={`review-status review-${a.review.status}`}>{a.review.status}</span>
                  {a.review.comment ? <span class="muted"> “{a.review.comment}”</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {cursor ? (
        <button type="button" disabled={busy} onClick={() => load(applied, cursor)}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
