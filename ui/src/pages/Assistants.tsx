// Assistants: the nine clients, found or not, connected or not, outdated or broken (with file,
// line, column and fix), with Connect / Disconnect / Repair. Every word comes from flex-core, the
// same words `flex-mcp clients list` prints.
import { useCallback, useEffect, useState } from 'react';
import {
  assistantBackups,
  assistantCheck,
  assistantInstallLink,
  assistantOpenInstallLink,
  assistantRestore,
  assistantPreview,
  assistantConnect,
  assistantDisconnect,
  assistantRepair,
  assistantsList,
  errorMessage,
  type Assistant,
  type AssistantBackup,
  type AssistantChange,
  type InstallLink,
  type Preview,
  type Working,
} from '../api';
import { localTime } from '../format';

const STATE_WORDS: Record<Assistant['state'], string> = {
  notFound: 'Not found on this computer',
  notConnected: 'Not connected',
  connected: 'Connected',
  outdated: 'Entry outdated',
  configBroken: 'Config file broken',
};

export function AssistantsPage() {
  const [list, setList] = useState<Assistant[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [last, setLast] = useState<AssistantChange | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [checks, setChecks] = useState<Record<string, Working>>({});
  const [previews, setPreviews] = useState<Record<string, Preview>>({});
  const [backups, setBackups] = useState<Record<string, AssistantBackup[]>>({});
  const [links, setLinks] = useState<Record<string, InstallLink | null>>({});

  const load = useCallback(() => {
    assistantsList().then(
      (l) => {
        setList(l);
        // Install links exist for a few assistants only; ask once per found one.
        for (const a of l.filter((x) => x.found)) {
          assistantInstallLink(a.id).then(
            (link) => setLinks((old) => ({ ...old, [a.id]: link })),
            () => undefined,
          );
        }
      },
      (e) => setError(errorMessage(e)),
    );
  }, []);
  useEffect(load, [load]);

  const act = (id: string, f: (id: string) => Promise<AssistantChange>) => {
    setBusy(id);
    setError(null);
    f(id)
      .then(setLast, (e) => setError(errorMessage(e)))
      .finally(() => {
        setBusy(null);
        load();
      });
  };

  const showBackups = (id: string) => {
    assistantBackups(id).then(
      (b) => setBackups((old) => ({ ...old, [id]: b })),
      (e) => setError(errorMessage(e)),
    );
  };

  const restore = (id: string, name: string) => {
    act(id, (x) => assistantRestore(x, name));
    setBackups((old) => {
      const { [id]: _, ...rest } = old;
      return rest;
    });
  };

  const openLink = (id: string) => {
    setError(null);
    assistantOpenInstallLink(id).then(
      () => undefined,
      (e) => setError(errorMessage(e)),
    );
  };

  const preview = (id: string) => {
    assistantPreview(id).then(
      (p) => setPreviews((old) => ({ ...old, [id]: p })),
      (e) => setError(errorMessage(e)),
    );
  };

  const check = (id: string) => {
    setBusy(id);
    assistantCheck(id)
      .then((w) => setChecks((old) => ({ ...old, [id]: w })), (e) => setError(errorMessage(e)))
      .finally(() => setBusy(null));
  };

  return (
    <section aria-labelledby="assistants-title">
      <h2 id="assistants-title">Assistants</h2>
      {last && (
        <div className="banner ok" role="status" id="assistant-change">
          <p>{last.sentence}</p>
          {last.notes.map((n) => (
            <p key={n}>{n}</p>
          ))}
          {last.backup && <p>The previous file is saved at {last.backup}.</p>}
          {last.nextStep && (
            <p>
              <b>Next:</b> {last.nextStep}
            </p>
          )}
        </div>
      )}
      {error && (
        <p className="banner notice" role="alert" id="assistant-error">
          {error}
        </p>
      )}
      {list === null && !error && <p>Looking for assistants on this computer…</p>}
      <ul className="assistants" id="assistants">
        {(list ?? []).map((a) => (
          <li key={a.id} data-id={a.id} data-state={a.state} className={a.found ? '' : 'absent'}>
            <div className="assistant-head">
              <b>{a.name}</b>
              <span className={`state state-${a.state}`}>{STATE_WORDS[a.state]}</span>
            </div>
            {a.detail && <p className="detail">{a.detail}</p>}
            {a.needsRestart && (
              <p className="detail needs-restart" role="status">
                Needs a restart: {a.needsRestart}
              </p>
            )}
            {checks[a.id] && (
              <p className={`detail ${checks[a.id].working ? 'ok-text' : 'error'}`} role="status">
                {checks[a.id].working ? 'Working: ' : 'Not working: '}
                {checks[a.id].sentence}
              </p>
            )}
            <p className="path" title="Its configuration file">
              {a.configPath}
            </p>
            {previews[a.id] && (
              <div className="preview" id={`preview-${a.id}`}>
                <p>
                  {previews[a.id].changed
                    ? `Connect will write this into ${previews[a.id].path}${previews[a.id].before === null ? ' (a new file)' : ''}:`
                    : 'Nothing to change: the entry is already right.'}
                </p>
                {previews[a.id].changed && <pre>{previews[a.id].after}</pre>}
              </div>
            )}
            <div className="actions">
              {(a.state === 'notConnected' || a.state === 'outdated') && (
                <button type="button" disabled={busy !== null} onClick={() => preview(a.id)}>
                  Show the change <span className="sr-only">({a.name})</span>
                </button>
              )}
              {a.state === 'notConnected' && (
                <button type="button" className="connect" disabled={busy !== null} onClick={() => act(a.id, assistantConnect)}>
                  Connect <span className="sr-only">{a.name}</span>
                </button>
              )}
              {a.state === 'outdated' && (
                <button type="button" disabled={busy !== null} onClick={() => act(a.id, assistantRepair)}>
                  Repair <span className="sr-only">{a.name}</span>
                </button>
              )}
              {a.state === 'connected' && (
                <button type="button" disabled={busy !== null} onClick={() => check(a.id)}>
                  Check it works <span className="sr-only">({a.name})</span>
                </button>
              )}
              {(a.state === 'connected' || a.state === 'outdated') && (
                <button
                  type="button"
                  disabled={busy !== null}
                  onClick={() => act(a.id, assistantDisconnect)}
                >
                  Disconnect <span className="sr-only">{a.name}</span>
                </button>
              )}
              {a.found && (
                <button type="button" className="backups-button" disabled={busy !== null} onClick={() => showBackups(a.id)}>
                  Backups <span className="sr-only">of {a.name}</span>
                </button>
              )}
              {a.state === 'notConnected' && links[a.id] && (
                <button type="button" className="install-link" disabled={busy !== null} onClick={() => openLink(a.id)}>
                  Install from {a.name} <span className="sr-only">(opens {a.name})</span>
                </button>
              )}
            </div>
            {a.state === 'notConnected' && links[a.id] && (
              <p className="hint install-hint">
                Or let {a.name} add it itself: {links[a.id]?.whatHappens}
              </p>
            )}
            {backups[a.id] && (
              <div className="backups" id={`backups-${a.id}`}>
                {backups[a.id].length === 0 ? (
                  <p className="hint">No backups yet: one is saved before every change Flex MCP makes to this file.</p>
                ) : (
                  <ul>
                    {backups[a.id].map((b) => (
                      <li key={b.name} data-name={b.name}>
                        <span>
                          {b.takenAt ? localTime(b.takenAt) : b.name}
                          {' — '}
                          {b.hasFlex ? 'with Flex connected' : 'without Flex'}
                        </span>{' '}
                        <button type="button" className="restore" disabled={busy !== null} onClick={() => restore(a.id, b.name)}>
                          Restore <span className="sr-only">this backup</span>
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
