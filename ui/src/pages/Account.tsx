// Account: which sign-in serves each mode (an API key by its last 4, or the Flex sign-in), the
// Flex sign-in with Sign out, the stored keys; sign in with Flex or by pasting a key (keychain only).
import { useEffect, useState } from 'react';
import type { Page } from '../App';
import {
  accountKeys,
  errorMessage,
  flexSignOut,
  signInChoose,
  signInState,
  signOut,
  type AppStatus,
  type SignInState,
  type StoredKey,
} from '../api';
import { serviceName } from '../flexSignIn';
import { localTime } from '../format';
import { FlexSignInButton } from './FlexSignInButton';
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

// Per mode what serves it, then the Flex sign-in: where and since when, Sign out (revoked at Flex,
// then removed: the flex-core function `flex-mcp logout` runs), or the button to sign in.
function SignIns({ status }: { status: AppStatus }) {
  const [state, setState] = useState<SignInState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [signedOut, setSignedOut] = useState<string | null>(null);
  const [signedIn, setSignedIn] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    signInState().then(setState, (e: unknown) => setError(errorMessage(e)));
  }, [status]);
  if (error) return <p className="notice error" role="alert">{error}</p>;
  if (!state) return <p className="hint">Loading your sign-ins…</p>;
  const flex = state.flex;
  const out = () => {
    setBusy(true);
    setSignedOut(null);
    flexSignOut()
      .then(
        (o) => {
          setSignedIn(null);
          setSignedOut(o.sentence);
        },
        (e: unknown) => setError(errorMessage(e)),
      )
      .finally(() => setBusy(false));
  };
  return (
    <>
      <dl id="sign-in-state">
        {state.modes.map((m) => (
          <div key={m.mode} id={`serves-${m.mode}`} data-serves={m.serves}>
            <dt>{MODE_WORDS[m.mode]}</dt>
            <dd>
              {m.line}
              {m.choice && <span className="hint choice"> {m.choice}</span>}
              {m.choice && (
                <label className="choice">
                  Use for {MODE_WORDS[m.mode].toLowerCase()}:{' '}
                  <select
                    id={`sign-in-choice-${m.mode}`}
                    value={m.serves === 'flex' ? 'flex' : 'api_key'}
                    onChange={(e) =>
                      signInChoose(m.mode, e.target.value === 'flex' ? 'flex' : 'api_key').then(
                        setState,
                        (err: unknown) => setError(errorMessage(err)),
                      )
                    }
                  >
                    <option value="api_key">the API key …{m.keyLast4}</option>
                    <option value="flex">the Flex sign-in (tools via Flex's hosted MCP)</option>
                  </select>
                </label>
              )}
            </dd>
          </div>
        ))}
      </dl>
      <h3>Sign in with Flex</h3>
      {state.flexTrouble && (
        <p className="banner notice" role="alert">
          {state.flexTrouble}
        </p>
      )}
      {flex ? (
        <p id="flex-signed-in">
          Signed in with Flex at {serviceName(flex.issuer)}
          {flex.signedInAt ? ` since ${localTime(flex.signedInAt)}` : ''}.{' '}
          {flex.renews
            ? 'Access renews by itself; no browser needed.'
            : `Access ends ${localTime(flex.accessUntil)}; sign in again then.`}{' '}
          <button type="button" id="flex-sign-out" disabled={busy} onClick={out}>
            Sign out of Flex
          </button>
        </p>
      ) : (
        <FlexSignInButton
          onSignedIn={(sentence) => {
            setSignedOut(null);
            setSignedIn(sentence);
          }}
        />
      )}
      {signedIn && flex && (
        <p id="flex-signed-in-result" className="banner ok" role="status">
          {signedIn}
        </p>
      )}
      {signedOut && (
        <p id="flex-sign-out-result" className="banner ok" role="status">
          {signedOut}
        </p>
      )}
    </>
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
      <h3>Which sign-in serves each mode</h3>
      <SignIns status={status} />
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
