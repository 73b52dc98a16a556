// Settings: what the assistant may do without asking (allow / ask / deny per kind of action and
// mode), how long activity is kept, and the local HTTP endpoint. Every change goes through one
// command, `settings_change`, i.e. flex-core's single settings function, where the host confirms
// loosening changes.
import { useEffect, useState } from 'react';
import { errorMessage, httpTokenCopy, settingsChange, settingsView, type SettingsChange, type SettingsView } from '../api';
import type { Access } from '../bindings/Access';
import type { Decision } from '../bindings/Decision';
import type { Mode } from '../bindings/Mode';
import { StartAtLoginToggle } from '../components/StartAtLogin';
import { ToolGroups } from '../components/ToolGroups';

const KINDS: { access: Access; name: string; words: string }[] = [
  { access: 'read', name: 'Look up', words: 'Reads payments, customers, refunds and the like. Safe to repeat.' },
  { access: 'write', name: 'Change', words: 'Creates or changes things, such as a customer or a price. No money moves.' },
  {
    access: 'destructive',
    name: 'Move money',
    words: 'Refunds, captures, cancellations, closing a dispute: moves money or cannot be undone.',
  },
];

const DECISION_WORDS: Record<Decision, string> = {
  allow: 'Allow: do it without asking',
  ask: 'Ask me first',
  deny: 'Deny: never do it',
};

const MODE_WORDS: Record<Mode, string> = { test: 'Test mode', live: 'Live mode' };

const DEFAULT_HTTP_PORT = 8765;

export function SettingsPage() {
  const [view, setView] = useState<SettingsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [days, setDays] = useState('');
  const [records, setRecords] = useState('');
  const [timeout, setTimeoutSecs] = useState('');
  const [copied, setCopied] = useState<string | null>(null);

  const show = (v: SettingsView) => {
    setView(v);
    setDays(String(v.retention_days));
    setRecords(String(v.retention_records));
    setTimeoutSecs(String(v.approval_timeout_secs));
  };

  useEffect(() => {
    settingsView().then(show, (e: unknown) => setError(errorMessage(e)));
  }, []);

  const change = async (c: SettingsChange, what: string) => {
    setError(null);
    setSaved(null);
    try {
      show(await settingsChange(c));
      setSaved(`Saved: ${what}.`);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  // The token goes from Rust to the clipboard: the page only hears whether it worked.
  const copyToken = () => {
    setCopied(null);
    httpTokenCopy().then(
      (done) =>
        setCopied(
          done
            ? 'Copied the token to the clipboard. Paste it where your assistant asks for a bearer token.'
            : 'The token could not be put on the clipboard. Try again.',
        ),
      (e: unknown) => setCopied(errorMessage(e)),
    );
  };

  const decisionOf = (mode: Mode, access: Access): Decision | undefined =>
    view?.policy.find((p) => p.mode === mode && p.access === access)?.decision;

  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      {error && (
        <p className="notice error" role="alert" id="settings-error">
          {error}
        </p>
      )}
      {saved && (
        <p className="notice" role="status" id="settings-saved">
          {saved}
        </p>
      )}
      <h3>What your assistant may do</h3>
      <p>Every action is one of three kinds. For each mode, choose what happens when the assistant tries one.</p>
      {view === null && !error && <p className="hint">Loading your settings…</p>}
      {view && (
        <table className="policy">
          <thead>
            <tr>
              <th scope="col">Kind of action</th>
              <th scope="col">{MODE_WORDS.test}</th>
              <th scope="col">{MODE_WORDS.live}</th>
            </tr>
          </thead>
          <tbody>
            {KINDS.map((k) => (
              <tr key={k.access}>
                <th scope="row">
                  {k.name}
                  <div className="hint">{k.words}</div>
                </th>
                {(['test', 'live'] as Mode[]).map((mode) => (
                  <td key={mode}>
                    <select
                      id={`policy-${mode}-${k.access}`}
                      aria-label={`${k.name} in ${MODE_WORDS[mode]}`}
                      value={decisionOf(mode, k.access)}
                      onChange={(e) =>
                        void change(
                          { kind: 'decision', mode, access: k.access, decision: e.target.value as Decision },
                          `${k.name} in ${MODE_WORDS[mode].toLowerCase()}: ${DECISION_WORDS[e.target.value as Decision]}`,
                        )
                      }
                    >
                      {(Object.keys(DECISION_WORDS) as Decision[]).map((d) => (
                        <option key={d} value={d}>
                          {DECISION_WORDS[d]}
                        </option>
                      ))}
                    </select>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {view && (
        <>
          <ToolGroups />

          <h3>Activity</h3>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void change({ kind: 'retention_days', days: Number(days) }, `keep activity for ${days} days`);
            }}
          >
            <label htmlFor="retention-days">Keep activity for (days)</label>{' '}
            <input id="retention-days" type="number" min={1} value={days} onChange={(e) => setDays(e.target.value)} />{' '}
            <button type="submit">Save</button>
          </form>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void change(
                { kind: 'retention_records', records: Number(records) },
                `keep at most ${records} calls`,
              );
            }}
          >
            <label htmlFor="retention-records">Keep at most (calls)</label>{' '}
            <input
              id="retention-records"
              type="number"
              min={100}
              value={records}
              onChange={(e) => setRecords(e.target.value)}
            />{' '}
            <button type="submit">Save</button>
          </form>

          <h3>Approvals</h3>
          <p className="hint">
            When an action is set to “Ask me first”, Flex MCP holds it and asks you in a window. Unanswered, it is denied
            after this time.
          </p>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void change({ kind: 'approval_timeout', secs: Number(timeout) }, `approvals wait ${timeout} seconds`);
            }}
          >
            <label>
              Wait for my answer for{' '}
              <input
                id="approval-timeout"
                type="number"
                min={30}
                max={900}
                value={timeout}
                onChange={(e) => setTimeoutSecs(e.target.value)}
              />{' '}
              seconds
            </label>{' '}
            <button id="approval-timeout-save" type="submit">
              Save
            </button>
          </form>

          <h3>Start at login</h3>
          <StartAtLoginToggle />

          <h3>Local HTTP endpoint</h3>
          <p className="hint">
            Off unless you need it: an assistant that cannot start programs can reach Flex MCP at an address on
            this computer, with a token.
          </p>
          <label>
            <input
              id="http-endpoint"
              type="checkbox"
              checked={view.http_port !== null}
              onChange={(e) =>
                void change(
                  { kind: 'http_endpoint', port: e.target.checked ? DEFAULT_HTTP_PORT : null },
                  e.target.checked ? 'local HTTP endpoint on' : 'local HTTP endpoint off',
                )
              }
            />{' '}
            Serve MCP on this computer over HTTP
          </label>
          {view.http_url && (
            <p id="http-url">
              Address: <code>{view.http_url}</code> (started by <code>flex-mcp serve --http</code>){' '}
              <button id="http-token-copy" type="button" onClick={copyToken}>
                Copy token
              </button>
            </p>
          )}
          {view.http_url && copied && (
            <p className="hint" role="status" id="http-token-copied">
              {copied}
            </p>
          )}
        </>
      )}
    </section>
  );
}
