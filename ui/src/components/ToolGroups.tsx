// Settings → "Tools assistants are offered" (issue 11 §1): each tool group in plain words, on or
// off for every assistant or for one (by the name it gives when it connects), and read-only. Each
// change is one `settings_change` (flex-core's single settings function, the same rules as
// `flex-mcp tools`); the person's own click here applies at once, like the policy choices above.
import { useCallback, useEffect, useState } from 'react';
import { errorMessage, settingsChange, toolGroups, type SettingsChange, type ToolsView } from '../api';
import { groupChangeWords, groupFacts, readOnlyWords, scopeWords } from '../toolGroups';

const EVERY = '';

export function ToolGroups() {
  const [scope, setScope] = useState<string | null>(null);
  const [view, setView] = useState<ToolsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const load = useCallback((assistant: string | null) => {
    toolGroups(assistant).then(setView, (e: unknown) => setError(errorMessage(e)));
  }, []);

  useEffect(() => load(scope), [load, scope]);

  const change = async (c: SettingsChange, what: string) => {
    setError(null);
    setSaved(null);
    try {
      const after = await settingsChange(c);
      setSaved(
        after.loosened
          ? `Saved: ${what}. Assistants can now be offered tools that change things or move money.`
          : `Saved: ${what}.`,
      );
      load(scope);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <>
      <h3>Tools assistants are offered</h3>
      <p className="hint">
        Tools come in groups. Fewer groups keep an assistant quick and within its limits (Cursor uses only its first 40
        tools). The allow / ask / deny choices above still decide every call.
      </p>
      {error && (
        <p className="notice error" role="alert" id="tools-error">
          {error}
        </p>
      )}
      {saved && (
        <p className="notice" role="status" id="tools-saved">
          {saved}
        </p>
      )}
      {view === null && !error && <p className="hint">Loading the tool groups…</p>}
      {view && (
        <>
          <label>
            Choose for{' '}
            <select
              id="tools-scope"
              value={scope ?? EVERY}
              onChange={(e) => {
                setSaved(null);
                setScope(e.target.value === EVERY ? null : e.target.value);
              }}
            >
              <option value={EVERY}>Every assistant</option>
              {view.assistants.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          {view.assistant !== null && (
            <p className="hint" id="tools-scope-note">
              {view.own_groups
                ? `“${view.assistant}” has its own groups.`
                : `“${view.assistant}” follows the choice for every assistant until you change a group here.`}{' '}
              It applies to an assistant that gives this name when it connects (the Activity page shows the names
              assistants gave).
            </p>
          )}
          <label>
            <input
              id="tools-read-only"
              type="checkbox"
              checked={view.read_only}
              disabled={view.assistant !== null && view.read_only_for_all}
              onChange={(e) =>
                void change(
                  { kind: 'read_only', on: e.target.checked, assistant: view.assistant },
                  readOnlyWords(e.target.checked, view.assistant),
                )
              }
            />{' '}
            <strong>Read-only</strong>: only look things up. Assistants cannot change anything or move money.
          </label>
          {view.assistant !== null && view.read_only_for_all && (
            <p className="hint">Read-only is on for every assistant; turn it off there first.</p>
          )}
          <ul className="tool-groups" aria-label={`Tool groups for ${scopeWords(view.assistant)}`}>
            {view.groups.map((g) => (
              <li key={g.id}>
                <label>
                  <input
                    id={`group-${g.id}`}
                    type="checkbox"
                    checked={g.on}
                    onChange={(e) =>
                      void change(
                        { kind: 'tool_group', group: g.id, on: e.target.checked, assistant: view.assistant },
                        groupChangeWords(g, e.target.checked, view.assistant),
                      )
                    }
                  />{' '}
                  <strong>{g.title}</strong> <span className="hint">({groupFacts(g)})</span>
                </label>
                <div className="hint">{g.summary}</div>
              </li>
            ))}
          </ul>
          <p className="hint" id="tools-offered">
            {scopeWords(view.assistant)[0].toUpperCase() + scopeWords(view.assistant).slice(1)} is offered{' '}
            {view.offered_tools} tools{view.read_only ? ', only ones that look things up' : ''}.
          </p>
        </>
      )}
    </>
  );
}
