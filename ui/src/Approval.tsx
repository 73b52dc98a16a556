// The approval window (issue 7 §4): the oldest held call — its sentence, LIVE/TEST, which
// assistant, Details (redacted arguments) — with Approve / Deny / (write class) "Allow this for
// <assistant> for 15 minutes" and a countdown to the automatic denial. Later calls queue behind
// it in arrival order; the window closes itself when none waits.
import { useCallback, useEffect, useState } from 'react';
import { listen } from '@tauri-apps/api/event';
import { getCurrentWindow } from '@tauri-apps/api/window';
import {
  approvalAnswer,
  approvalsPending,
  EVENTS,
  errorMessage,
  type ApprovalAnswer,
  type PendingApproval,
} from './api';

export function ApprovalWindow() {
  const [queue, setQueue] = useState<PendingApproval[] | null>(null);
  const [shownAt, setShownAt] = useState<{ id: number; at: number } | null>(null);
  const [now, setNow] = useState(Date.now());
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    approvalsPending().then(
      (q) => {
        setQueue(q);
        if (q.length === 0) void getCurrentWindow().close();
      },
      (e) => setError(errorMessage(e)),
    );
  }, []);

  useEffect(() => {
    load();
    const un = listen(EVENTS.hostEvent, load);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(tick);
      un.then((f) => f(), () => undefined);
    };
  }, [load]);

  const current = queue?.[0];
  useEffect(() => {
    if (current && shownAt?.id !== current.id) setShownAt({ id: current.id, at: Date.now() });
  }, [current, shownAt]);

  const answer = (a: ApprovalAnswer) => {
    if (!current) return;
    approvalAnswer(current.id, a).then(load, (e) => setError(errorMessage(e)));
  };

  if (!current) return <main id="approval">{error ?? 'Nothing waits for you.'}</main>;
  const started = shownAt?.id === current.id ? shownAt.at : now;
  const left = Math.max(0, current.timeout_secs - Math.floor((now - started) / 1000));
  return (
    <main id="approval" aria-live="assertive">
      <h1 id="approval-title">
        {current.title}{' '}
        <span id="approval-mode" className="badge" data-mode={current.mode}>
          {current.mode === 'live' ? 'LIVE' : 'TEST'}
        </span>
      </h1>
      <p id="approval-assistant">{current.assistant} asks:</p>
      <p id="approval-sentence">{current.sentence}</p>
      <details>
        <summary>Details</summary>
        <pre id="approval-details">{JSON.stringify(current.arguments, null, 2)}</pre>
      </details>
      <p id="approval-countdown">Denied automatically in {left} s unless you answer.</p>
      <div className="actions">
        <button id="approval-approve" type="button" onClick={() => answer('approve')}>
          Approve
        </button>
        <button id="approval-deny" type="button" onClick={() => answer('deny')}>
          Deny
        </button>
        {current.can_allow_for_a_while && (
          <button id="approval-allow" type="button" onClick={() => answer('allow_for_a_while')}>
            Allow this for {current.assistant} for 15 minutes
          </button>
        )}
      </div>
      {queue.length > 1 && <p id="approval-queued">{queue.length - 1} more waiting after this.</p>}
      {error && <p role="alert">{error}</p>}
    </main>
  );
}
