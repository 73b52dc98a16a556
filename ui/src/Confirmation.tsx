// A loosening waiting for the person (issue 7 §3): `flex-mcp mode live`, a class moved towards
// allow, pause lifted, read-only off, a group turned on, or any other loosening of the settings
// file made outside this window. The host keeps it from applying until the person answers here;
// the dialog appears the moment the host says so (the `confirmation_pending` host event), never by
// polling, and says in plain words what would change and who asked.
import { useCallback, useEffect, useState } from 'react';
import {
  confirmationAnswer,
  confirmationPending,
  errorMessage,
  onHostEvent,
} from './api';
import { confirmationTitle, WHO_ASKED } from './sentences';

export function Confirmation({ answered }: { answered: () => void }) {
  const [sentences, setSentences] = useState<string[]>([]);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    confirmationPending().then(
      (p) => setSentences(p.sentences),
      (e) => setError(errorMessage(e)),
    );
  }, []);

  useEffect(() => {
    load();
    const un = onHostEvent((event) => {
      if (event.type === 'confirmation_pending') {
        setResult(null);
        setSentences(event.sentences);
      } else if (event.type === 'confirmation_resolved') {
        load();
      }
    });
    return () => {
      un.then((f) => f(), () => undefined);
    };
  }, [load]);

  const answer = (confirm: boolean) => {
    setBusy(true);
    confirmationAnswer(confirm).then(
      (done) => {
        setBusy(false);
        setSentences([]);
        setResult(
          !done
            ? 'Nothing was waiting any more.'
            : confirm
              ? 'Done: the change applies from the next call.'
              : 'Kept as it was. The settings file was set back.',
        );
        answered();
      },
      (e) => {
        setBusy(false);
        setError(errorMessage(e));
      },
    );
  };

  if (sentences.length === 0) {
    return result ? (
      <p id="confirmation-result" className="banner ok" role="status">
        {result}
      </p>
    ) : null;
  }
  return (
    <section
      id="confirmation"
      className="card attention confirmation"
      role="alertdialog"
      aria-labelledby="confirmation-title"
      aria-describedby="confirmation-changes"
    >
      <h2 id="confirmation-title">{confirmationTitle(sentences.length)}</h2>
      <ul id="confirmation-changes">
        {sentences.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ul>
      <p id="confirmation-who">{WHO_ASKED}</p>
      <div className="actions">
        <button
          id="confirmation-confirm"
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => answer(true)}
          autoFocus
        >
          Confirm
        </button>
        <button id="confirmation-keep" type="button" disabled={busy} onClick={() => answer(false)}>
          Keep as is
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
