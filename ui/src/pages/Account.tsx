// Account: which key is in use and where it comes from. Sign-in from the window (paste a key,
// browser sign-in) arrives with the sign-in commands; until then the page says how to do it.
import type { Page } from '../App';
import type { AppStatus } from '../api';

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
      {status.demo ? (
        <p>
          To use your own Flex account, run <code>flex-mcp login --api-key</code> in a terminal and paste
          your key at the hidden prompt, then restart Flex MCP. Or keep exploring the demo:{' '}
          <button type="button" className="link" onClick={() => go('start')}>
            connect an assistant to it
          </button>
          .
        </p>
      ) : (
        <p>
          To replace the key, run <code>flex-mcp login --api-key</code> again; to remove it,{' '}
          <code>flex-mcp logout --mode {status.mode}</code>.
        </p>
      )}
    </section>
  );
}
