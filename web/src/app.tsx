import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { AlertPage, ReviewStatus } from '../../src/serve/service-ports';
import { AlertSocket, alertsUrl } from './api/alert-socket';
import { ApiClient } from './api/api-client';
import { ConnectionBadge } from './components/connection-badge';
import { addStored, applyMessage, emptyFeed, type FeedState, setReview } from './lib/alert-feed';
import { initialSocketState, type SocketState } from './lib/alert-socket-machine';
import { atLeast } from './lib/roles';
import { PAGE_TITLES, PAGES, type Page, pageFromHash } from './lib/route';
import { GalleryPage } from './pages/gallery-page';
import { HistoryPage } from './pages/history-page';
import { LivePage } from './pages/live-page';
import { checkKey, LoginPage, type Session } from './pages/login-page';
import { StreamsPage } from './pages/streams-page';
import { SystemPage } from './pages/system-page';

/** The key lives in this tab's session storage only: closing the tab forgets it. */
const KEY_STORAGE = 'argus.apiKey';

export function App() {
  const [session, setSession] = useState<Session>();
  const [restoring, setRestoring] = useState(() => sessionStorage.getItem(KEY_STORAGE) !== null);
  const [notice, setNotice] = useState<string>();
  const [page, setPage] = useState<Page>(() => pageFromHash(location.hash));

  useEffect(() => {
    const onHash = () => setPage(pageFromHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    document.title = session ? `${PAGE_TITLES[page]} · Argus` : 'Log in · Argus';
  }, [page, session]);

  // A key kept from earlier in this tab is checked again before use (it may have been revoked).
  useEffect(() => {
    const stored = sessionStorage.getItem(KEY_STORAGE);
    if (stored === null) return;
    checkKey(stored)
      .then(setSession, () => {
        sessionStorage.removeItem(KEY_STORAGE);
        setNotice('The saved key was not accepted any more; log in again.');
      })
      .finally(() => setRestoring(false));
  }, []);

  const login = (s: Session) => {
    sessionStorage.setItem(KEY_STORAGE, s.key);
    setNotice(undefined);
    setSession(s);
  };
  const logout = useCallback((why?: string) => {
    sessionStorage.removeItem(KEY_STORAGE);
    setSession(undefined);
    setNotice(why);
  }, []);

  if (restoring) return <p class="center">Checking your session…</p>;
  if (!session) return <LoginPage onLogin={login} notice={notice} />;
  return (
    <Dashboard
      session={session}
      page={page}
      onLogout={logout}
      key={session.key} // a new key starts a fresh feed and connection
    />
  );
}

function Dashboard({
  session,
  page,
  onLogout,
}: {
  session: Session;
  page: Page;
  onLogout: (why?: string) => void;
}) {
  const api = useMemo(
    () => new ApiClient(session.key, () => onLogout('The server rejected the key (revoked?); log in again.')),
    [session.key, onLogout],
  );
  const [feed, setFeed] = useState<FeedState>(emptyFeed);
  const [conn, setConn] = useState<SocketState>(initialSocketState);

  useEffect(() => {
    const socket = new AlertSocket(
      alertsUrl(),
      session.key,
      (m) => setFeed((f) => applyMessage(f, m)),
      setConn,
    );
    socket.start();
    return () => socket.stop();
  }, [session.key]);

  // Alerts still awaiting review from before this page was opened join the feed.
  useEffect(() => {
    api.get<AlertPage>('/v1/alerts?review=pending&limit=20').then(
      (page) => setFeed((f) => addStored(f, page.items)),
      () => undefined, // the history page shows the error; the live feed works without it
    );
  }, [api]);

  // The server closes the alerts connection when the key is revoked: nothing here works any more.
  useEffect(() => {
    if (conn.status === 'stopped' && conn.detail === 'API key revoked') {
      onLogout('The API key was revoked; log in again with another key.');
    }
  }, [conn, onLogout]);

  const onReviewed = (id: number, status: ReviewStatus) => setFeed((f) => setReview(f, id, status));
  const pending = feed.alerts.filter((a) => a.review === 'pending').length;
  const operator = atLeast(session.role, 'operator');

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Argus</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p}>
                <a href={`#/${p}`} aria-current={p === page ? 'page' : undefined}>
                  {PAGE_TITLES[p]}
                  {p === 'live' && pending > 0 ? (
                    <span class="count">
                      {pending}
                      <span class="visually-hidden"> pending</span>
                    </span>
                  ) : null}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <ConnectionBadge state={conn} />
        <span class="who" title={`API key ${session.keyId}`}>
          {session.role} · {session.keyId}
        </span>
        <button type="button" class="secondary" onClick={() => onLogout('Logged out.')}>
          Log out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {page === 'streams' ? <StreamsPage api={api} canOperate={operator} feed={feed} /> : null}
        {page === 'live' ? (
          <LivePage api={api} feed={feed} canReview={operator} onReviewed={onReviewed} />
        ) : null}
        {page === 'history' ? <HistoryPage api={api} /> : null}
        {page === 'gallery' && operator ? (
          <GalleryPage api={api} canSeePhotos={operator} canManage={atLeast(session.role, 'admin')} />
        ) : null}
        {page === 'gallery' && !operator ? (
          <section aria-labelledby="gallery-title">
            <h1 id="gallery-title">Gallery</h1>
            <p>The gallery is shown to operators and admins; this key has the {session.role} role.</p>
          </section>
        ) : null}
        {page === 'system' ? <SystemPage api={api} /> : null}
      </main>
    </>
  );
}
