import type { HubEvent, SubscriptionFilter } from './alert-messages';

/** Whether an event passes a subscription's filter. Stream status only looks at `streams`; an alert-update is filtered like its alert. */
export function matchesFilter(filter: SubscriptionFilter, event: HubEvent): boolean {
  if (filter.streams && !filter.streams.includes(event.streamId)) return false;
  if (event.type === 'stream-status') return true;
  if (filter.identities && !filter.identities.includes(event.identity.id)) return false;
  if (filter.watchlists && !event.identity.watchlists.some((w) => filter.watchlists?.includes(w))) {
    return false;
  }
  if (filter.minScore !== undefined && event.similarity < filter.minScore) return false;
  return true;
}
