import type { AlertStore } from '../alerts/alert-store';
import type { AuditLog } from '../audit/audit-log';
import type { Principal } from '../auth/api-key-store';
import type { AlertPage, AlertQuery, AlertService, RejectionPattern, StoredAlert } from './service-ports';

/** What a review needs from the running streams: the negative evidence goes to the live track. */
export interface ReviewTargets {
  reject(streamId: string, trackId: number, identityId: string): void;
}

/**
 * The API's view of alerts: history from the store, and the review loop. A rejection is negative
 * evidence for the live track (it is not alerted for that identity again) and feeds the
 * "rejected repeatedly at similar scores" report; every verdict is audited with who and why.
 */
export class AlertReviewService implements AlertService {
  constructor(
    private readonly store: AlertStore,
    private readonly targets: ReviewTargets,
    private readonly audit: AuditLog,
    private readonly onReview?: (status: 'confirmed' | 'rejected', alert: StoredAlert) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(q: AlertQuery): AlertPage {
    return this.store.list(q);
  }

  get(id: number): StoredAlert {
    return this.store.get(id);
  }

  cropFile(id: number): string | undefined {
    this.store.get(id);
    return this.store.cropFile(id);
  }

  review(
    id: number,
    verdict: { status: 'confirmed' | 'rejected'; comment?: string },
    by: Principal,
  ): StoredAlert {
    const alert = this.store.setReview(id, {
      status: verdict.status,
      by: by.id,
      at: this.now().toISOString(),
      ...(verdict.comment !== undefined ? { comment: verdict.comment } : {}),
    });
    this.audit.append({
      actor: `key:${by.id}`,
      action: 'alert.review',
      target: `alert:${id}`,
      ...(verdict.comment ? { reason: verdict.comment } : {}),
      details: {
        status: verdict.status,
        streamId: alert.streamId,
        trackId: alert.trackId,
        identityId: alert.identity.id,
        similarity: alert.similarity,
      },
    });
    if (verdict.status === 'rejected') {
      this.targets.reject(alert.streamId, Number(alert.trackId), alert.identity.id);
    }
    this.onReview?.(verdict.status, alert);
    return alert;
  }

  rejectionPatterns(minRejections?: number): RejectionPattern[] {
    return this.store.rejectionPatterns(minRejections);
  }
}
