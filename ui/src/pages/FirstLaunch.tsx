// First launch: Welcome + sign in (demo), connect the assistants found here, then what is left to do
// in each. On the demo path that is two clicks from here: "Try the demo first", "Connect".
import { useEffect, useState } from 'react';
import { FlexSignInButton } from './FlexSignInButton';
import { KeyForm } from './KeyForm';
import {
  assistantConnect,
  assistantsList,
  errorMessage,
  type AppStatus,
  type Assistant,
  type AssistantChange,
} from '../api';
import { StartAtLoginToggle } from '../components/StartAtLogin';

type Step = 'welcome' | 'connect' | 'done';

/** The first prompt to try, on sample or real data alike. */
export const FIRST_PROMPT = 'Show my five latest payments';

export function FirstLaunch({ status, done }: { status: AppStatus | null; done: () => void }) {
  const [step, setStep] = useState<Step>('welcome');
  const [list, setList] = useState<Assistant[] | null>(null);
  const [ticked, setTicked] = useState<Set<string>>(new Set());
  const [results, setResults] = useState<AssistantChange[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    assistantsList().then(
      (l) => {
        setList(l);
        setTicked(new Set(l.filter((a) => a.state === 'notConnected').map((a) => a.id)));
      },
      (e) => setErrors([errorMessage(e)]),
    );
  }, []);

  const connect = async () => {
    setBusy(true);
    const ok: AssistantChange[] = [];
    const bad: string[] = [];
    for (const id of ticked) {
      try {
        ok.push(await assistantConnect(id));
      } catch (e) {
        bad.push(errorMessage(e));
      }
    }
    setResults(ok);
    setErrors(bad);
    setBusy(false);
    setStep('done');
  };

  if (step === 'welcome') {
    return (
      <section aria-labelledby="welcome-title" className="card">
        <h2 id="welcome-title">Welcome to Flex MCP</h2>
        <p>
          Flex MCP lets your AI assistant look up and manage your Flex payments, refunds and subscriptions.
          Your key stays in this computer's keychain, and live money moves only when you allow it.
        </p>
        <div className="actions">
          <button type="button" id="try-demo" className="primary" onClick={() => setStep('connect')}>
            Try the demo first
          </button>
        </div>
        <FlexSignInButton onSignedIn={() => setStep('connect')} />
        <KeyForm onSignedIn={(s) => s.activeNow && setStep('connect')} />
        {status?.demo && <p className="hint">The demo needs no account.</p>}
      </section>
    );
  }
  if (step === 'connect') {
    return (
      <section aria-labelledby="connect-title" className="card">
        <h2 id="connect-title">Connect your assistants</h2>
        {list === null && <p>Looking for assistants on this computer…</p>}
        <ul className="choices" id="connect-choices">
          {(list ?? []).map((a) => {
            const can = a.state === 'notConnected';
            return (
              <li key={a.id} data-id={a.id} className={a.found ? '' : 'absent'}>
                <label>
                  <input
                    type="checkbox"
                    disabled={!can}
                    checked={ticked.has(a.id)}
                    onChange={(e) => {
                      const next = new Set(ticked);
                      if (e.target.checked) next.add(a.id);
                      else next.delete(a.id);
                      setTicked(next);
                    }}
                  />{' '}
                  {a.name}
                  {!a.found && <span className="muted"> — not found on this computer</span>}
                  {a.state === 'connected' && <span className="muted"> — already connected</span>}
                  {a.state === 'configBroken' && <span className="muted"> — its config file is broken</span>}
                </label>
              </li>
            );
          })}
        </ul>
        <button
          type="button"
          id="connect-selected"
          className="primary"
          disabled={busy || ticked.size === 0}
          onClick={connect}
        >
          {ticked.size === 0 ? 'Nothing to connect' : `Connect ${ticked.size === 1 ? 'it' : `these ${ticked.size}`}`}
        </button>
      </section>
    );
  }
  return (
    <section aria-labelledby="done-title" className="card" id="first-launch-done">
      <h2 id="done-title">{results.length > 0 ? 'Connected' : 'Nothing was connected'}</h2>
      <ul>
        {results.map((r) => (
          <li key={r.id} data-id={r.id}>
            <p>{r.sentence}</p>
            {r.nextStep && (
              <p>
                <b>Left to do:</b> {r.nextStep}
              </p>
            )}
            {r.id === 'gemini' && (
              <p>Gemini CLI also asks you to trust the folder you start it in: answer yes.</p>
            )}
          </li>
        ))}
      </ul>
      {errors.map((e) => (
        <p key={e} className="error" role="alert">
          {e}
        </p>
      ))}
      <p>
        Then ask your assistant: <q id="first-prompt">{FIRST_PROMPT}</q>
      </p>
      <StartAtLoginToggle />
      <button type="button" className="primary" onClick={done}>
        Go to Home
      </button>
    </section>
  );
}
