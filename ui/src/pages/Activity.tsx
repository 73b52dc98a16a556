// Activity: the calls the assistants made, in plain words, newest first; filters (mode, kind of
// action, outcome, assistant, time range, text); a detail panel; CSV export of what the filters
// show. The list reads the store a page at a time (keyset pages over indexed columns) as the
// person scrolls, and only the rows on screen are in the page (a virtualized list), so 100,000
// records scroll as smoothly as ten. New calls arrive as events and are prepended when the
// filters would show them.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  activityAssistants,
  activityExport,
  activityPage,
  errorMessage,
  onActivityAdded,
  type ActivityRow,
  type PageCursor,
} from '../api';
import { NO_FILTER, passes, toFilter, type FilterChoices } from '../activityFilter';
import { duration, localTime, money } from '../format';
import { activitySentence, approvalWords, outcomeWords } from '../sentences';

/** Rows per store read. */
const PAGE = 100;
const ROW_HEIGHT = 44;
/** Start reading the next page when the list is this many rows from its end. */
const AHEAD = 20;

interface Loaded {
  rows: ActivityRow[];
  next: PageCursor | null;
}

/** `show`: a record to open in the detail panel once it is in the list (the tray's latest calls). */
export function ActivityPage({ show = null }: { show?: string | null }) {
  const [choices, setChoices] = useState<FilterChoices>(NO_FILTER);
  const [text, setText] = useState('');
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [assistants, setAssistants] = useState<string[]>([]);
  const [selected, setSelected] = useState<ActivityRow | null>(null);
  const [exportLine, setExportLine] = useState<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  // The tray's latest calls are the newest records, so they are on the first, unfiltered page.
  useEffect(() => {
    const row = show ? loaded?.rows.find((r) => r.id === show) : undefined;
    if (row) setSelected(row);
  }, [show, loaded]);
  // "Since" is counted from when the filters were chosen, so pages of one list agree.
  const filter = useMemo(() => toFilter(choices, new Date()), [choices]);
  const generation = useRef(0);
  // The live feed's listener is set up once; it reads the filters in force through this.
  const filterRef = useRef(filter);
  filterRef.current = filter;

  // Typing waits a moment before it filters, so each key press is not a store read.
  useEffect(() => {
    const t = setTimeout(() => setChoices((c) => (c.text === text ? c : { ...c, text })), 250);
    return () => clearTimeout(t);
  }, [text]);

  useEffect(() => {
    const mine = ++generation.current;
    setLoaded(null);
    setError(null);
    setLoading(true);
    activityPage(filter, null, PAGE).then(
      (p) => {
        if (generation.current !== mine) return;
        setLoaded({ rows: p.rows, next: p.next });
        setLoading(false);
      },
      (e) => {
        setError(errorMessage(e));
        setLoading(false);
      },
    );
  }, [filter]);

  useEffect(() => {
    activityAssistants().then(setAssistants, () => setAssistants([]));
    const un = onActivityAdded((row) => {
      setAssistants((a) => (row.clientName && !a.includes(row.clientName) ? [...a, row.clientName].sort() : a));
      setLoaded((old) => {
        if (!old || old.rows.some((r) => r.id === row.id)) return old;
        return passes(row, filterRef.current) ? { ...old, rows: [row, ...old.rows] } : old;
      });
    });
    return () => {
      un.then((f) => f(), () => undefined);
    };
  }, []);
  const more = useCallback(() => {
    if (!loaded?.next || loading) return;
    const mine = generation.current;
    setLoading(true);
    activityPage(filter, loaded.next, PAGE).then(
      (p) => {
        if (generation.current !== mine) return;
        setLoaded((old) => (old ? { rows: [...old.rows, ...p.rows], next: p.next } : old));
        setLoading(false);
      },
      (e) => {
        setError(errorMessage(e));
        setLoading(false);
      },
    );
  }, [filter, loaded, loading]);

  const rows = loaded?.rows ?? [];
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtual.getVirtualItems();
  const last = items.length > 0 ? items[items.length - 1].index : -1;
  useEffect(() => {
    if (last >= rows.length - AHEAD) more();
  }, [last, rows.length, more]);

  const set = <K extends keyof FilterChoices>(key: K, value: FilterChoices[K]) =>
    setChoices((c) => ({ ...c, [key]: value }));
  const filtered = JSON.stringify(choices) !== JSON.stringify(NO_FILTER);

  const exportCsv = () => {
    setExportLine('Choose where to save the file…');
    activityExport(filter).then(
      (done) =>
        setExportLine(
          done
            ? `Saved ${done.rows.toLocaleString()} ${done.rows === 1 ? 'call' : 'calls'} to ${done.path}.`
            : 'Not exported: no file was chosen.',
        ),
      (e) => setExportLine(`Not exported: ${errorMessage(e)}`),
    );
  };

  return (
    <section aria-labelledby="activity-title" className="activity">
      <h2 id="activity-title">Activity</h2>
      <div className="filters" role="search">
        <label>
          Mode{' '}
          <select id="filter-mode" value={choices.mode} onChange={(e) => set('mode', e.target.value as FilterChoices['mode'])}>
            <option value="">All</option>
            <option value="test">Test</option>
            <option value="live">Live</option>
          </select>
        </label>
        <label>
          Kind{' '}
          <select id="filter-access" value={choices.access} onChange={(e) => set('access', e.target.value as FilterChoices['access'])}>
            <option value="">All</option>
            <option value="read">Look up</option>
            <option value="write">Change</option>
            <option value="destructive">Move money</option>
          </select>
        </label>
        <label>
          Outcome{' '}
          <select id="filter-outcome" value={choices.outcome} onChange={(e) => set('outcome', e.target.value as FilterChoices['outcome'])}>
            <option value="">All</option>
            <option value="ok">Done</option>
            <option value="refused">Blocked</option>
            <option value="api_error">Failed at Flex</option>
            <option value="invalid_arguments">Incomplete request</option>
          </select>
        </label>
        <label>
          Assistant{' '}
          <select id="filter-assistant" value={choices.assistant} onChange={(e) => set('assistant', e.target.value)}>
            <option value="">All</option>
            {assistants.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          When{' '}
          <select id="filter-since" value={choices.since} onChange={(e) => set('since', e.target.value as FilterChoices['since'])}>
            <option value="">Any time</option>
            <option value="hour">Last hour</option>
            <option value="day">Last 24 hours</option>
            <option value="week">Last 7 days</option>
            <option value="month">Last 30 days</option>
          </select>
        </label>
        <label>
          Search <input id="filter-text" type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <button id="activity-export" type="button" onClick={exportCsv}>
          Export CSV…
        </button>
      </div>
      {exportLine && (
        <p id="export-line" className="hint" role="status">
          {exportLine}
        </p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {loaded === null && !error && <p id="activity-loading">Loading activity…</p>}
      {loaded !== null && rows.length === 0 && !filtered && (
        <p id="activity-empty">
          No calls yet. Connect an assistant on the Assistants page and ask it something, like “Show my
          five latest payments”: each call it makes appears here.
        </p>
      )}
      {loaded !== null && rows.length === 0 && filtered && (
        <p id="activity-none">No call matches these filters. Choose “All” in a filter to see more.</p>
      )}
      <div className="activity-body">
        <div ref={scroller} id="activity-list" className="activity-list" tabIndex={0} aria-label="Calls, newest first">
          <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {items.map((v) => {
              const r = rows[v.index];
              return (
                <button
                  type="button"
                  key={r.id}
                  className="activity-row"
                  data-id={r.id}
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
        {selected && <Detail row={selected} close={() => setSelected(null)} />}
      </div>
    </section>
  );
}

function Detail({ row, close }: { row: ActivityRow; close: () => void }) {
  const decision = approvalWords(row.approval);
  return (
    <aside id="activity-detail" className="detail-panel" aria-labelledby="detail-title">
      <h3 id="detail-title">{activitySentence(row)}</h3>
      <dl>
        <dt>When</dt>
        <dd>{localTime(row.startedAt)}</dd>
        <dt>Assistant</dt>
        <dd>{row.clientName ?? 'Unknown assistant'}</dd>
        <dt>Outcome</dt>
        <dd>{outcomeWords(row.outcome)}</dd>
        {decision && (
          <>
            <dt>Your decision</dt>
            <dd id="detail-approval">{decision}</dd>
          </>
        )}
        <dt>Took</dt>
        <dd>{duration(row.durationUs)}</dd>
        {row.amountsCents.length > 0 && (
          <>
            <dt>Amounts</dt>
            <dd>{row.amountsCents.map(money).join(', ')}</dd>
          </>
        )}
      </dl>
      <details>
        <summary>Details</summary>
        <dl>
          <dt>Tool</dt>
          <dd>{row.tool}</dd>
          <dt>Class</dt>
          <dd>{row.access ?? 'unknown'}</dd>
          {row.errorCode && (
            <>
              <dt>Error code</dt>
              <dd>{row.errorCode}</dd>
            </>
          )}
          <dt>Arguments (secrets removed)</dt>
          <dd>
            <pre>{row.arguments}</pre>
          </dd>
        </dl>
      </details>
      <button type="button" onClick={close}>
        Close details
      </button>
    </aside>
  );
}
