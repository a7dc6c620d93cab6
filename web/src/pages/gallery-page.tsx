import { useEffect, useRef, useState } from 'preact/hooks';
import type { EnrolResult, Identity, ListPage } from '../../../src/gallery/gallery-types';
import type { ApiClient } from '../api/api-client';
import { AuthedImage } from '../components/authed-image';
import { Note } from '../components/error-note';
import { errorText, queryString } from '../lib/api-error';
import { formatUtc, splitList } from '../lib/format';
import { usePoll } from './use-poll';

interface Props {
  api: ApiClient;
  /** Operators and admins may see enrolled photos. */
  canSeePhotos: boolean;
  /** Admins manage the gallery. */
  canManage: boolean;
}

/** Multipart field names of POST /v1/identities. */
const FORM = { images: 'images', name: 'name', reason: 'reason', watchlists: 'watchlists' } as const;

export function GalleryPage({ api, canSeePhotos, canManage }: Props) {
  const [cursor, setCursor] = useState<string>();
  const { data, error, refresh } = usePoll(
    () => api.get<ListPage>(`/v1/identities${queryString({ limit: 48, cursor })}`),
    15_000,
    [cursor],
  );
  const [removing, setRemoving] = useState<Identity>();
  const [done, setDone] = useState<string>();

  return (
    <section aria-labelledby="gallery-title">
      <h1 id="gallery-title">Gallery</h1>
      <Note kind="error" text={error} />
      <Note kind="ok" text={done} />
      {data ? (
        <p class="muted">
          {data.total} enrolled identit{data.total === 1 ? 'y' : 'ies'}.
        </p>
      ) : null}
      {removing ? (
        <DeleteDialog
          api={api}
          identity={removing}
          onClose={(deleted) => {
            setRemoving(undefined);
            if (deleted) {
              setDone(`${removing.name} was deleted, with their templates.`);
              refresh();
            }
          }}
        />
      ) : null}
      <ul class="tiles gallery">
        {(data?.identities ?? []).map((p) => (
          <li key={p.id} class="card tile identity" data-identity-id={p.id}>
            {canSeePhotos ? (
              <AuthedImage
                api={api}
                path={`/v1/identities/${encodeURIComponent(p.id)}/photo`}
                alt={`Enrolled photo of ${p.name}`}
                emptyText="No photo"
                className="face"
              />
            ) : null}
            <h2>{p.name}</h2>
            <dl class="facts">
              <dt>Watchlists</dt>
              <dd>{p.watchlists.join(', ') || 'none'}</dd>
              <dt>Templates</dt>
              <dd>{p.templates}</dd>
              <dt>Enrolled</dt>
              <dd>
                <time dateTime={p.createdAt}>{formatUtc(p.createdAt)}</time>
              </dd>
              <dt>Reason</dt>
              <dd>{p.reason}</dd>
              <dt>Id</dt>
              <dd class="mono">{p.id}</dd>
            </dl>
            {canManage ? (
              <button
                type="button"
                class="btn-reject"
                onClick={() => {
                  setDone(undefined);
                  setRemoving(p);
                }}
                aria-label={`Delete ${p.name}`}
              >
                Delete…
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <div class="buttons">
        {cursor ? (
          <button type="button" class="secondary" onClick={() => setCursor(undefined)}>
            First page
          </button>
        ) : null}
        {data?.nextCursor ? (
          <button type="button" class="secondary" onClick={() => setCursor(data.nextCursor ?? undefined)}>
            Next page
          </button>
        ) : null}
      </div>
      {canManage ? (
        <EnrolForm
          api={api}
          onEnrolled={(r) => {
            setDone(undefined);
            refresh();
            return r;
          }}
        />
      ) : (
        <p class="muted">Enrolment and deletion need an admin key.</p>
      )}
    </section>
  );
}

function DeleteDialog({
  api,
  identity,
  onClose,
}: {
  api: ApiClient;
  identity: Identity;
  onClose: (deleted: boolean) => void;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const reasonInput = useRef<HTMLInputElement>(null);

  // The dialog just opened: its only field takes the focus (keyboard users land in it).
  useEffect(() => reasonInput.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      // The reason goes in the query: DELETE carries no body.
      await api.delete(
        `/v1/identities/${encodeURIComponent(identity.id)}${queryString({ reason: reason.trim() })}`,
      );
      onClose(true);
    } catch (err) {
      setProblem(errorText(err));
      setBusy(false);
    }
  };

  return (
    <div
      class="card confirm"
      role="alertdialog"
      aria-modal="false"
      aria-labelledby="delete-title"
      aria-describedby="delete-desc"
      onKeyDown={(e) => e.key === 'Escape' && onClose(false)}
    >
      <form onSubmit={submit}>
        <h2 id="delete-title">Delete {identity.name}?</h2>
        <p id="delete-desc">
          This erases the identity and all {identity.templates} template(s) permanently. The deletion is
          audited with your reason.
        </p>
        <label for="delete-reason">Reason (required)</label>
        <input
          id="delete-reason"
          required
          minLength={3}
          value={reason}
          ref={reasonInput}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
        <div class="buttons">
          <button type="submit" class="btn-reject" disabled={busy}>
            Delete permanently
          </button>
          <button type="button" class="secondary" onClick={() => onClose(false)}>
            Cancel
          </button>
        </div>
        <Note kind="error" text={problem} />
      </form>
    </div>
  );
}

function EnrolForm({ api, onEnrolled }: { api: ApiClient; onEnrolled: (r: EnrolResult) => void }) {
  const [name, setName] = useState('');
  const [watchlists, setWatchlists] = useState('');
  const [reason, setReason] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [result, setResult] = useState<string>();
  const input = useRef<HTMLInputElement>(null);

  const add = (list: FileList | null | undefined) => {
    if (!list) return;
    const images = [...list].filter((f) => f.type === '' || f.type.startsWith('image/'));
    setFiles((old) => [...old, ...images].slice(0, 10));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    setResult(undefined);
    if (files.length === 0) {
      setProblem('Add at least one image (drop it on the box or choose a file).');
      return;
    }
    const form = new FormData();
    form.append(FORM.name, name.trim());
    form.append(FORM.reason, reason.trim());
    for (const w of splitList(watchlists)) form.append(FORM.watchlists, w);
    for (const f of files) form.append(FORM.images, f, f.name);
    setBusy(true);
    try {
      const r = await api.postForm<EnrolResult>('/v1/identities', form);
      const rejected = r.images.flatMap((i) => (i.status === 'rejected' ? [i] : []));
      setResult(
        `Enrolled ${r.identity.name} with ${r.added} template(s).` +
          (rejected.length > 0
            ? ` Not used: ${rejected.map((i) => `${i.source} (${i.message})`).join('; ')}.`
            : ''),
      );
      setName('');
      setWatchlists('');
      setReason('');
      setFiles([]);
      if (input.current) input.current.value = '';
      onEnrolled(r);
    } catch (err) {
      setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card enrol" onSubmit={submit} aria-labelledby="enrol-title">
      <h2 id="enrol-title">Enrol an identity</h2>
      <div class="form-grid">
        <div class="field">
          <label for="enrol-name">Name</label>
          <input id="enrol-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="enrol-watchlists">Watchlists (comma-separated, optional)</label>
          <input
            id="enrol-watchlists"
            value={watchlists}
            onInput={(e) => setWatchlists(e.currentTarget.value)}
          />
        </div>
        <div class="field wide">
          <label for="enrol-reason">Reason for enrolment (required; audited)</label>
          <input
            id="enrol-reason"
            required
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </div>
      </div>
      {/* Dropping is a shortcut; the file input (reached by keyboard) does the same. */}
      <fieldset
        class={`dropzone ${dragging ? 'dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          add(e.dataTransfer?.files);
        }}
        data-testid="dropzone"
      >
        <legend>Face images</legend>
        <label for="enrol-images">JPEG, PNG or WebP: drop them here, or choose files</label>
        <input
          id="enrol-images"
          ref={input}
          type="file"
          accept="image/jpeg,image/png,image/webp"
          multiple
          onChange={(e) => add(e.currentTarget.files)}
        />
        {files.length > 0 ? (
          <ul class="file-list" aria-label="Images to enrol">
            {files.map((f, i) => (
              <li key={`${f.name}-${i}`}>
                {f.name} ({Math.ceil(f.size / 1024)} KiB){' '}
                <button
                  type="button"
                  class="link"
                  aria-label={`Remove ${f.name}`}
                  onClick={() => setFiles(files.filter((_, j) => j !== i))}
                >
                  remove
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </fieldset>
      <button type="submit" disabled={busy}>
        {busy ? 'Enrolling…' : 'Enrol'}
      </button>
      <Note kind="error" text={problem} />
      <Note kind="ok" text={result} />
    </form>
  );
}
