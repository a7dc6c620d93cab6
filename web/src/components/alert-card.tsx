import { useState } from 'preact/hooks';
import type { ReviewStatus } from '../../../src/serve/service-ports';
import type { ApiClient } from '../api/api-client';
import type { FeedAlert } from '../lib/alert-feed';
import { errorText } from '../lib/api-error';
import { formatFmr, formatSimilarity, formatUtc } from '../lib/format';
import { AuthedImage } from './authed-image';
import { Note } from './error-note';

interface Props {
  api: ApiClient;
  alert: FeedAlert;
  /** Operators and admins see the enrolled photo and may review. */
  canReview: boolean;
  onReviewed: (id: number, status: ReviewStatus) => void;
}

/** One live alert: the crop beside the enrolled photo, the evidence, and the review buttons. */
export function AlertCard({ api, alert: a, canReview, onReviewed }: Props) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const commentId = `review-comment-${a.id}`;
  const crop =
    a.crop && 'jpegBase64' in a.crop ? (
      <img class="face" src={`data:image/jpeg;base64,${a.crop.jpegBase64}`} alt={`Crop of alert ${a.id}`} />
    ) : (
      <AuthedImage
        api={api}
        path={`/v1/alerts/${a.id}/crop`}
        alt={`Face seen on ${a.streamId} (alert ${a.id})`}
        emptyText="No crop kept"
        retries={3}
        className="face"
      />
    );

  const review = async (status: 'confirmed' | 'rejected') => {
    setBusy(true);
    setProblem(undefined);
    try {
      const body: { status: string; comment?: string } = { status };
      if (comment.trim() !== '') body.comment = comment.trim();
      await api.post(`/v1/alerts/${a.id}/review`, body);
      onReviewed(a.id, status);
    } catch (err) {
      setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <article
      class={`card alert-card review-${a.review}`}
      aria-labelledby={`alert-title-${a.id}`}
      data-alert-id={a.id}
      data-source={a.source}
    >
      <header class="alert-head">
        <h3 id={`alert-title-${a.id}`}>{a.identity.name}</h3>
        <span class="badge badge-review">Candidate for human review</span>
      </header>
      <div class="faces">
        <figure>
          {crop}
          <figcaption>Seen on {a.streamId}</figcaption>
        </figure>
        <figure>
          {canReview ? (
            <AuthedImage
              api={api}
              path={`/v1/identities/${encodeURIComponent(a.identity.id)}/photo`}
              alt={`Enrolled photo of ${a.identity.name}`}
              emptyText="No enrolled photo"
              className="face"
            />
          ) : (
            <div class="img-placeholder face">Enrolled photo: operators only</div>
          )}
          <figcaption>Enrolled</figcaption>
        </figure>
      </div>
      <dl class="facts">
        <dt>Watchlists</dt>
        <dd>{a.identity.watchlists.length > 0 ? a.identity.watchlists.join(', ') : 'none'}</dd>
        <dt>Similarity</dt>
        <dd>{formatSimilarity(a.similarity)}</dd>
        <dt>Est. false-match rate</dt>
        <dd>{formatFmr(a.fmr)}</dd>
        <dt>Evidence</dt>
        <dd>
          {a.evidenceCount} frame{a.evidenceCount === 1 ? '' : 's'}
          {a.updates > 0 ? ` (updated ${a.updates}×)` : ''}
        </dd>
        <dt>Seen at</dt>
        <dd>
          <time dateTime={a.captureTime}>{formatUtc(a.captureTime)}</time>
        </dd>
        <dt>Alert id</dt>
        <dd>{a.id}</dd>
      </dl>
      {a.review !== 'pending' ? (
        <p class={`verdict verdict-${a.review}`} role="status">
          {a.review === 'confirmed' ? 'Confirmed by you' : 'Rejected by you'}
        </p>
      ) : canReview ? (
        <form class="review" onSubmit={(e) => e.preventDefault()}>
          <label for={commentId}>Review comment (optional)</label>
          <input
            id={commentId}
            type="text"
            maxLength={1000}
            value={comment}
            onInput={(e) => setComment(e.currentTarget.value)}
          />
          <div class="buttons">
            <button type="button" class="btn-confirm" disabled={busy} onClick={() => review('confirmed')}>
              Confirm
            </button>
            <button type="button" class="btn-reject" disabled={busy} onClick={() => review('rejected')}>
              Reject
            </button>
          </div>
          <Note kind="error" text={problem} />
        </form>
      ) : (
        <p class="muted">Awaiting review by an operator.</p>
      )}
    </article>
  );
}
