// "Sign in with Flex" (first launch and the Account page): one button; while the browser is out,
// "Waiting for your browser…" with Cancel and the link to copy (shown at once when the browser
// could not be opened); then the result in words. flex-core does the sign-in; see ../flexSignIn.ts.
import { useReducer, useRef, useState } from 'react';
import { errorMessage, flexSignInCancel, flexSignInFinish, flexSignInStart } from '../api';
import { errorCode, flexSignInStep, initialFlexSignIn } from '../flexSignIn';

export function FlexSignInButton({ onSignedIn }: { onSignedIn?: (sentence: string) => void }) {
  const [view, dispatch] = useReducer(flexSignInStep, initialFlexSignIn);
  const [copied, setCopied] = useState<string | null>(null);
  const attempts = useRef(0);
  const linkField = useRef<HTMLInputElement>(null);

  const start = async () => {
    dispatch({ type: 'start' });
    const attempt = ++attempts.current;
    setCopied(null);
    try {
      const link = await flexSignInStart(true);
      dispatch({ type: 'started', attempt, link });
      const done = await flexSignInFinish();
      dispatch({ type: 'finished', attempt, sentence: done.sentence });
      onSignedIn?.(done.sentence);
    } catch (e) {
      dispatch({ type: 'failed', attempt, code: errorCode(e), sentence: errorMessage(e) });
    }
  };

  const copy = async (link: string) => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied('Copied. Paste it into a browser on this computer.');
    } catch {
      // Without clipboard access the link is selected, so Ctrl+C copies it.
      linkField.current?.select();
      setCopied('Press Ctrl+C to copy the selected link, then paste it into a browser on this computer.');
    }
  };

  if (view.step === 'starting' || view.step === 'waiting') {
    return (
      <div className="flex-sign-in" id="flex-sign-in-waiting" aria-live="polite">
        <p>
          <strong>Waiting for your browser…</strong>
        </p>
        {view.step === 'waiting' && (
          <>
            <p id="flex-sign-in-sentence">{view.link.sentence}</p>
            {view.linkShown ? (
              <div className="actions">
                <input
                  ref={linkField}
                  id="flex-sign-in-link"
                  readOnly
                  value={view.link.link}
                  aria-label="The sign-in link"
                  onFocus={(e) => e.target.select()}
                />
                <button type="button" id="flex-copy-link" onClick={() => copy(view.link.link)}>
                  Copy the link
                </button>
              </div>
            ) : (
              <button type="button" className="link" id="flex-show-link" onClick={() => dispatch({ type: 'showLink' })}>
                The browser did not open? Copy the link instead
              </button>
            )}
            {copied && <p className="hint">{copied}</p>}
          </>
        )}
        <div className="actions">
          <button type="button" id="flex-cancel" onClick={() => flexSignInCancel()}>
            Cancel
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="flex-sign-in">
      <button type="button" id="flex-sign-in" className="primary" onClick={start}>
        Sign in with Flex
      </button>
      <p className="hint">Your Flex Dashboard login in the browser; no key to copy.</p>
      {view.step === 'done' && (
        <p id="flex-sign-in-result" className="banner ok" role="status">
          {view.sentence}
        </p>
      )}
      {view.step === 'failed' && (
        <p id="flex-sign-in-error" className="banner notice" role="alert">
          {view.sentence}
        </p>
      )}
      {view.step === 'idle' && view.note && (
        <p id="flex-sign-in-note" className="hint">
          {view.note}
        </p>
      )}
    </div>
  );
}
