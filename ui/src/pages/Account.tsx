// Account: which key is in use and where it comes from; sign in or replace the key by pasting
// it (keychain only). Browser sign-in arrives with the OAuth work.
import { useEffect, useState } from 'react';
import type { Page } from '../App';
import { accountKeys, errorMessage, signOut, type AppStatus, type StoredKey } from '../api';
import { localTime } from '../format';
import { KeyForm } from './KeyForm';

const MODE_WORDS = { test: 'Test mode', live: 'Live mode' } as const;

// Per mode: the stored key (last 4 characters only), when Flex last accepted it, what it may not
// do, and Sign out (the same flex-core function as `flex-mcp logout --mode`).
function StoredKeys({ status }: { status: AppStatus }) {
  const [keys, setKeys] = useState<StoredKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    accountKeys().then(setKeys, (e: unknown) => setError(errorMessage(e)));
  }, [status]);
  if (error) return <p className="notice error" role="alert">{error}</p>;
  if (!keys) return <p className="hint">Loading your keys…</p>;
  return (
    <dl id="stored-keys">
      {keys.map((k) => (
        <div key={k.mode} id={`stored-key-${k.mode}`}>
          <dt>{MODE_WORDS[k.mode]}</dt>
          <dd>
            {k.last4 === null ? (
              k.trouble ?? 'No key stored.'
            ) : (
              <>
                Key ending in <code>…{k.last4}</code>
                {k.verifiedAt ? `, accepted by Flex ${localTime(k.verifiedAt)}` : ', not yet checked with Flex'}
                {k.missingScopes.length > 0
                  ? `; it may not: ${k.missingScopes.join(', ')}`
                  : '; full access'}
                .{' '}
                <button
                  type="button"
                  id={`sign-out-${k.mode}`}
                  onClick={() =>
                    signOut(k.mode).then(setKeys, (e: unknown) => setError(errorMessage(e)))
                  }
                >
                  Sign out of {MODE_WORDS[k.mode].toLowerCase()}
                </button>
              </>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

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
      <h3>Stored keys</h3>
      <StoredKeys status={status} />
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
      ) : null}
    </section>
  );
}
