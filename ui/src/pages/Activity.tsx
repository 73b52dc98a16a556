// Activity: the calls the assistants made, in plain words, newest first; filters; a detail panel.
// The list is virtualized so a long history scrolls smoothly. New records arrive through the
// activity event once the live feed lands (issue 7 §5); until then the page reloads on open.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { activityRecent, errorMessage, onActivityAdded, type ActivityRow } from '../api';
import { duration, localTime, money } from '../format';
import { activitySentence, outcomeWords } from '../sentences';

/** How many records the page asks for (the store's paged queries will lift this). */
const PAGE = 1000;
const ROW_HEIGHT = 44;

export function matches(row: ActivityRow, mode: string, outcome: string, text: string): boolean {
  if (mode && row.mode !== mode) return false;
  if (outcome && row.outcome !== outcome) return false;
  if (text) {
    const t = text.toLowerCase();
    const hay = `${activitySentence(row)} ${row.tool} ${row.clientName ?? ''} ${row.objectIds.join(' ')}`;
    if (!hay.toLowerCase().includes(t)) return false;
  }
  return true;
}

export function ActivityPage() {
  const [rows, setRows] = useState<ActivityRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState('');
  const [outcome, setOutcome] = useState('');
  const [text, setText] = useState('');
  const [selected, setSelected] = useState<ActivityRow | null>(null);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    activityRecent(PAGE).then(setRows, (e) => setError(errorMessage(e)));
    const un = onActivityAdded((row) => setRows((old) => [row, ...(old ?? [])]));
    return () => {
      un.then((f) => f(), () => undefined);
    };
  }, []);

  const shown = useMemo(
    () => (rows ?? []).filter((r) => matches(r, mode, outcome, text)),
    [rows, mode, outcome, text],
  );
  const virtual = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });

  return (
    <section aria-labelledby="activity-title" className="activity">
      <h2 id="activity-title">Activity</h2>
      <div className="filters" role="search">
        <label>
          Mode{' '}
          <select value={mode} onChange={(e) => setMode(e.target.value)}>
            <option value="">All</option>
            <option value="test">Test</option>
            <option value="live">Live</option>
          </select>
        </label>
        <label>
          Outcome{' '}
          <select value={outcome} onChange={(e) => setOutcome(e.target.value)}>
            <option value="">All</option>
            <option value="ok">Done</option>
            <option value="refused">Blocked</option>
            <option value="api_error">Failed at Flex</option>
            <option value="invalid_arguments">Incomplete request</option>
          </select>
        </label>
        <label>
          Search <input type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {rows === null && !error && <p>Loading activity…</p>}
      {rows !== null && rows.length === 0 && (
        <p id="activity-empty">
          No calls yet. Connect an assistant on the Assistants page and ask it something, like “Show my
          five latest payments”: each call it makes appears here.
        </p>
      )}
      {rows !== null && rows.length > 0 && shown.length === 0 && <p>No call matches these filters.</p>}
      <div className="activity-body">
        <div ref={scroller} className="activity-list" tabIndex={0} aria-label="Calls, newest first">
          <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {virtual.getVirtualItems().map((v) => {
              const r = shown[v.index];
              return (
                <button
                  type="button"
                  key={r.id}
                  className="activity-row"
                  aria-pressed={selected?.id === r.id}
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${v.start}px)` }}
                  onClick={() => setSelected(r)}
                >
                  <span className="when">{localTime(r.startedAt)}</span>
                  <span className={`badge small`} data-mode={r.mode}>
                    {r.mode === 'live' ? 'LIVE' : 'TEST'}
                  </span>
                  <span className="what">{activitySentence(r)}</span>
                  <span className="who">{r.clientName ?? 'Unknown assistant'}</span>
                  <span className={`outcome outcome-${r.outcome}`}>{outcomeWords(r.outcome)}</span>
                </button>
              );
            })}
          </div>
        </div>
        {selected && (
          <aside className="detail-panel" aria-labelledby="detail-title">
            <h3 id="detail-title">{activitySentence(selected)}</h3>
            <dl>
              <dt>When</dt>
              <dd>{localTime(selected.startedAt)}</dd>
              <dt>Assistant</dt>
              <dd>{selected.clientName ?? 'Unknown assistant'}</dd>
              <dt>Outcome</dt>
              <dd>{outcomeWords(selected.outcome)}</dd>
              <dt>Took</dt>
              <dd>{duration(selected.durationUs)}</dd>
              {selected.amountsCents.length > 0 && (
                <>
                  <dt>Amounts</dt>
                  <dd>{selected.amountsCents.map(money).join(', ')}</dd>
                </>
              )}
            </dl>
            <details>
              <summary>Details</summary>
              <dl>
                <dt>Tool</dt>
                <dd>{selected.tool}</dd>
                <dt>Class</dt>
                <dd>{selected.access ?? 'unknown'}</dd>
                {selected.errorCode && (
                  <>
                    <dt>Error code</dt>
                    <dd>{selected.errorCode}</dd>
                  </>
                )}
                <dt>Arguments (secrets removed)</dt>
                <dd>
                  <pre>{selected.arguments}</pre>
                </dd>
              </dl>
            </details>
            <button type="button" onClick={() => setSelected(null)}>
              Close details
            </button>
          </aside>
        )}
      </div>
    </section>
  );
}
