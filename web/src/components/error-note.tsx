/** An error or a success message, announced to screen readers. */
export function Note({ kind, text }: { kind: 'error' | 'ok' | 'info'; text: string | undefined }) {
  if (!text) return null;
  return (
    <p class={`note note-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {text}
    </p>
  );
}
