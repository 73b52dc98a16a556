// The window: a header that always shows the mode (and DEMO), then one page at a time. Pages load
// their own data; the header reloads when the app says its status changed.
import { useCallback, useEffect, useState } from 'react';
import {
  activityInHash,
  appStatus,
  errorMessage,
  onShowActivity,
  onStatusChanged,
  type AppStatus,
} from './api';
import { Confirmation } from './Confirmation';
import { ActivityPage } from './pages/Activity';
import { AccountPage } from './pages/Account';
import { AssistantsPage } from './pages/Assistants';
import { FirstLaunch } from './pages/FirstLaunch';
import { HomePage } from './pages/Home';
import { SettingsPage } from './pages/Settings';

export type Page = 'home' | 'activity' | 'assistants' | 'account' | 'settings' | 'start';

const NAV: [Page, string][] = [
  ['home', 'Home'],
  ['activity', 'Activity'],
  ['assistants', 'Assistants'],
  ['account', 'Account'],
  ['settings', 'Settings'],
];

export function App() {
  const [status, setStatus] = useState<AppStatus | null>(null);
  const [statusError, setStatusError] = useState<string | null>(null);
  // A window the tray opened for one of its latest calls starts on that call's detail.
  const [shown, setShown] = useState<string | null>(() => activityInHash(window.location.hash));
  const [page, setPage] = useState<Page>(shown ? 'activity' : 'home');

  const load = useCallback(() => {
    appStatus().then(
      (s) => {
        setStatus(s);
        document.title = s.demo ? 'Flex MCP — DEMO' : 'Flex MCP';
      },
      (e) => setStatusError(`Could not read the app status: ${errorMessage(e)}`),
    );
  }, []);

  useEffect(() => {
    load();
    const un = onStatusChanged(load);
    return () => {
      un.then((f) => f(), () => undefined);
    };
  }, [load]);

  useEffect(() => {
    const un = onShowActivity((id) => {
      setShown(id);
      setPage('activity');
    });
    return () => {
      un.then((f) => f(), () => undefined);
    };
  }, []);

  const notice = statusError ?? status?.notice ?? null;
  return (
    <>
      <header>
        <h1>Flex MCP</h1>
        <span
          id="mode-badge"
          className="badge"
          data-mode={status?.mode ?? ''}
          title="Which Flex environment the assistant works in"
        >
          {status ? `${status.modeLabel} mode` : '…'}
        </span>
        <span
          id="demo-label"
          className="badge demo"
          hidden={!status?.demo}
          title="Sample data from the built-in demo: no real money"
        >
          DEMO
        </span>
      </header>
      <nav aria-label="Pages">
        {NAV.map(([id, label]) => (
          <button
            key={id}
            type="button"
            id={`nav-${id}`}
            className="tab"
            aria-current={page === id ? 'page' : undefined}
            onClick={() => setPage(id)}
          >
            {label}
          </button>
        ))}
      </nav>
      <p id="live-warning" className="banner live" hidden={status?.mode !== 'live'}>
        Live mode: your assistant is working with real customers and real money.
      </p>
      <p id="demo-banner" className="banner demo" hidden={!status?.demo}>
        This is the built-in demo with sample data. Nothing you do here touches a real Flex account.
      </p>
      <p id="notice" className="banner notice" role="status" hidden={!notice}>
        {notice ?? ''}
      </p>
      <Confirmation answered={load} />
      <main>
        {page === 'home' && <HomePage status={status} go={setPage} />}
        {page === 'activity' && <ActivityPage show={shown} />}
        {page === 'assistants' && <AssistantsPage />}
        {page === 'account' && <AccountPage status={status} go={setPage} />}
        {page === 'settings' && <SettingsPage />}
        {page === 'start' && <FirstLaunch status={status} done={() => setPage('home')} />}
      </main>
      <footer>
        Closing this window keeps Flex MCP running in the tray. To stop it, choose <b>Quit</b> in the
        tray menu.
      </footer>
    </>
  );
}
