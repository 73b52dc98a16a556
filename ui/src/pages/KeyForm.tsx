// Paste an API key: masked, the mode read from the prefix and shown while typing, one verifying
// call on Sign in, the key kept only in the keychain (Rust side). Success and failure are shown in
// words; the code stays out of sight.
import { useState } from 'react';
import { errorMessage, signInWithKey, type KeySignIn } from '../api';
import { KEY_LOOK_WORDS, keyLook } from '../keyMode';

export function KeyForm({ onSignedIn }: { onSignedIn?: (s: KeySignIn) => void }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<KeySignIn | null>(null);
  const [error, setError] = useState<string | null>(null);
  const look = keyLook(key);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    signInWithKey(key)
      .then(
        (s) => {
          setKey('');
          setResult(s);
          onSignedIn?.(s);
        },
        (err) => setError(errorMessage(err)),
      )
      .finally(() => setBusy(false));
  };

  return (
    <form onSubmit={submit} className="key-form" aria-label="Paste an API key">
      <label htmlFor="api-key">Paste an API key</label>
      <input
        id="api-key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={key}
        onChange={(e) => setKey(e.target.value)}
        placeholder="fsk_test_… or fsk_…"
      />
      <p id="key-look" className={`hint look-${look}`} aria-live="polite">
        {KEY_LOOK_WORDS[look]}
      </p>
      <button type="submit" id="sign-in" className="primary" disabled={busy || look === 'empty'}>
        {busy ? 'Checking with Flex…' : 'Sign in'}
      </button>
      {result && (
        <p id="sign-in-result" className="banner ok" role="status">
          {result.sentence}
        </p>
      )}
      {error && (
        <p id="sign-in-error" className="banner notice" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
