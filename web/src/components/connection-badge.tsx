import type { SocketState } from '../lib/alert-socket-machine';

const LABEL: Record<SocketState['status'], string> = {
  open: 'Live',
  connecting: 'Connecting…',
  waiting: 'Reconnecting',
  stopped: 'Disconnected',
};

/** The alerts connection at a glance: colour plus words, so it does not rely on colour alone. */
export function ConnectionBadge({ state }: { state: SocketState }) {
  const retry =
    state.status === 'waiting' && state.retryInMs !== undefined
      ? ` in ${Math.ceil(state.retryInMs / 1000)} s`
      : '';
  const title = state.detail ? `Alerts connection: ${state.detail}` : 'Alerts connection';
  return (
    <output class={`conn conn-${state.status}`} title={title} aria-live="polite" data-testid="connection">
      <span class="conn-dot" aria-hidden="true" />
      {LABEL[state.status]}
      {retry}
    </output>
  );
}
