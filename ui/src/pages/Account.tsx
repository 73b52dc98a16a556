// Account: which key is in use and where it comes from; sign in or replace the key by pasting
// it (keychain only). Browser sign-in arrives with the OAuth work.
import type { Page } from '../App';
import type { AppStatus } from '../api';
import { KeyForm } from './KeyForm';

export function AccountPage({ status, go }: { status: AppStatus | null; go: (p: Page) => void }) {
  if (!status) return <p>Loading…</p>;
  return (
    <section aria-labelledby="account-title">
      <h2 id="account-title">Account</h2>
      <dl>
        <dt>Mode</dt>
        <dd>{status.modeLabel}</dd>
        <dt>Key</dt>
        <dd id="account-key">{status.keySummary}</dd>
      </dl>
      <h3>{status.demo ? 'Use your own Flex account' : 'Replace the key'}</h3>
      <KeyForm />
      {status.demo ? (
        <p className="hint">
          Or keep exploring the demo:{' '}
          <button type="button" className="link" onClick={() => go('start')}>
            connect an assistant to it
          </button>
          .
        </p>
      ) : (
        <p className="hint">
          To remove the key from this computer, run <code>flex-mcp logout --mode {status.mode}</code>.
        </p>
      )}
    </section>
  );
}
