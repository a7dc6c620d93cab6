import { useEffect, useState } from 'preact/hooks';
import type { RejectionPattern } from '../../../src/serve/service-ports';
import type { ApiClient } from '../api/api-client';
import { formatSimilarity, formatUtc } from '../lib/format';

/**
 * "Not this person": identities reviewers rejected repeatedly at similar scores
 * (GET /v1/alerts/rejection-patterns). Worth a look: the enrolment photo may resemble someone who
 * passes a camera often, and the threshold or the template may need changing.
 */
export function RejectionPatterns({ api }: { api: ApiClient }) {
  const [patterns, setPatterns] = useState<RejectionPattern[]>();
  useEffect(() => {
    api
      .get<{ patterns: RejectionPattern[] }>('/v1/alerts/rejection-patterns')
      .then((r) => setPatterns(r.patterns))
      .catch(() => setPatterns([]));
  }, [api]);
  if (!patterns || patterns.length === 0) return null;
  return (
    <section class="card" aria-labelledby="rejections-title" data-testid="rejection-patterns">
      <h2 id="rejections-title">Rejected repeatedly at similar scores</h2>
      <p>
        Reviewers said "not this person" several times for these identities: check their photos or the
        threshold.
      </p>
      <ul>
        {patterns.map((p) => (
          <li key={p.identity.id}>
            <strong>{p.identity.name}</strong>: {p.rejections} rejections at similarity{' '}
            {formatSimilarity(p.minSimilarity)}-{formatSimilarity(p.maxSimilarity)}, last{' '}
            {formatUtc(p.lastRejectedAt)}
          </li>
        ))}
      </ul>
    </section>
  );
}
