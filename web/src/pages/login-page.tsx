import { useState } from 'preact/hooks';
import { ApiClient } from '../api/api-client';
import { Note } from '../components/error-note';
import { errorText } from '../lib/api-error';

export interface Session {
  key: string;
  keyId: string;
  role: string;
}

/** Checks a key with GET /v1/session; resolves the session or throws the server's message. */
export async function checkKey(key: string): Promise<Session> {
  const s = await new ApiClient(key).get<{ keyId: string; role: string }>('/v1/session');
  return { key, keyId: s.keyId, role: s.role };
}

export function LoginPage({ onLogin, notice }: { onLogin: (s: Session) => void; notice?: string }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();

  const submit = async (e: Event) => {
    e.preventDefault();
    const k = key.trim();
    if (k === '') {
      setProblem('Paste an API key first.');
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      onLogin(await checkKey(k));
    } catch (err) {
      setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <form class="card login-card" onSubmit={submit}>
        <h1>Argus</h1>
        <p>Real-time face alerts for human review. Log in with an API key.</p>
        <Note kind="info" text={notice} />
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder="argus_…"
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <p class="hint">
          Keys come from <code>argus keys create</code> or the first start of <code>argus serve</code>. The
          key is kept in this tab only (session storage).
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Log in'}
        </button>
        <Note kind="error" text={problem} />
      </form>
    </main>
  );
}
