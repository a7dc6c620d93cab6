import type { ReviewStatus } from '../../../src/serve/service-ports';
import type { ApiClient } from '../api/api-client';
import { AlertCard } from '../components/alert-card';
import type { FeedState } from '../lib/alert-feed';

interface Props {
  api: ApiClient;
  feed: FeedState;
  canReview: boolean;
  onReviewed: (id: number, status: ReviewStatus) => void;
}

/** Alerts as they arrive over the WebSocket, newest first. */
export function LivePage({ api, feed, canReview, onReviewed }: Props) {
  const pending = feed.alerts.filter((a) => a.review === 'pending').length;
  return (
    <section aria-labelledby="live-title">
      <h1 id="live-title">Live alerts</h1>
      <p class="muted">
        Every alert is a candidate for human review, not an identification. {feed.alerts.length} shown,{' '}
        {pending} awaiting review in this session.
      </p>
      {feed.notices.map((n) => (
        <p key={n} class="note note-info" role="status">
          {n}
        </p>
      ))}
      {feed.alerts.length === 0 ? (
        <p>No alerts yet. They appear here as soon as a watched face is seen.</p>
      ) : null}
      <div class="alert-list" aria-live="polite" aria-relevant="additions">
        {feed.alerts.map((a) => (
          <AlertCard key={a.id} api={api} alert={a} canReview={canReview} onReviewed={onReviewed} />
        ))}
      </div>
    </section>
  );
}
