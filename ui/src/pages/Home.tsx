// Home: mode, account, assistants and the latest payments; a "Get started" card while no
// assistant is connected; "Needs you": what waits for the person, each with its fix (needsYou.ts),
// updated live from the host's notices.
import { useEffect, useState } from 'react';
import type { Page } from '../App';
import {
  activityPage,
  assistantsList,
  errorMessage,
  noticesRecent,
  onNotice,
  recentPayments,
  type ActivityRow,
  type AppStatus,
  type Assistant,
  type Notice,
  type PaymentRow,
} from '../api';
import { NO_FILTER, toFilter } from '../activityFilter';
import { localTime } from '../format';
import { needsYou, pageWords } from '../needsYou';

export function HomePage({ status, go }: { status: AppStatus | null; go: (p: Page) => void }) {
  const [rows, setRows] = useState<PaymentRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [assistants, setAssistants] = useState<Assistant[] | null>(null);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [calls, setCalls] = useState<ActivityRow[]>([]);
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());

  useEffect(() => {
    recentPayments().then(setRows, (e) => setError(errorMessage(e)));
    assistantsList().then(setAssistants, () => setAssistants([]));
    noticesRecent().then(setNotices, () => setNotices([]));
    activityPage(toFilter(NO_FILTER, new Date()), null, 20).then((p) => setCalls(p.rows), () => setCalls([]));
    const un = onNotice((n) => {
      setNotices((old) => [...old, n]);
      // A notice usually means an assistant's state changed too.
      assistantsList().then(setAssistants, () => undefined);
    });
    return () => {
      un.then((f) => f(), () => undefined);
    };
  }, []);

  const connected = assistants?.filter((a) => a.state === 'connected') ?? [];
  const attention = needsYou(assistants ?? [], notices, calls, dismissed);
  return (
    <>
      {assistants !== null && connected.length === 0 && (
        <section className="card" aria-labelledby="start-title">
          <h2 id="start-title">Connect your first assistant</h2>
          <p>No assistant uses Flex MCP yet. It takes a minute, and you can try it on sample data first.</p>
          <button type="button" id="get-started" className="primary" onClick={() => go('start')}>
            Get started
          </button>
        </section>
      )}
      {attention.length > 0 && (
        <section className="card attention" aria-labelledby="attention-title" id="needs-you">
          <h2 id="attention-title">Needs you</h2>
          <ul>
            {attention.map((n) => (
              <li key={n.key} data-key={n.key}>
                <p className="needs-what">{n.what}</p>
                <p className="needs-fix">
                  <b>What to do:</b> {n.fix}{' '}
                  {n.page && (
                    <button type="button" className="link" onClick={() => go(n.page ?? 'home')}>
                      {pageWords(n.page)}
                    </button>
                  )}{' '}
                  <button
                    type="button"
                    className="link"
                    onClick={() => setDismissed((d) => new Set([...d, n.key]))}
                  >
                    Dismiss
                  </button>
                </p>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="status-title">
        <h2 id="status-title">Status</h2>
        <dl>
          <dt>Mode</dt>
          <dd id="mode-text">
            {status
              ? status.mode === 'live'
                ? 'Live: real customers, real money.'
                : 'Test: simulated payments, no real money moves.'
              : '…'}
          </dd>
          <dt>Flex address</dt>
          <dd id="api-base">
            {status ? (status.demo ? `${status.apiBase} (built-in demo on this computer)` : status.apiBase) : '…'}
          </dd>
          <dt>Account key</dt>
          <dd id="key-status">{status?.keySummary ?? '…'}</dd>
          <dt>Assistants</dt>
          <dd id="assistants-summary">
            {assistants === null
              ? '…'
              : connected.length === 0
                ? 'None connected yet.'
                : connected.map((a) => a.name).join(', ')}
          </dd>
        </dl>
      </section>
      <section aria-labelledby="payments-title">
        <h2 id="payments-title">Latest payments</h2>
        <table id="payments" hidden={!rows || rows.length === 0}>
          <thead>
            <tr>
              <th scope="col">Amount</th>
              <th scope="col">Status</th>
              <th scope="col">Date</th>
              <th scope="col">Payment ID</th>
            </tr>
          </thead>
          <tbody id="payments-body">
            {(rows ?? []).map((p) => (
              <tr key={p.id} className="payment" data-id={p.id}>
                <td className="amount">{p.amount}</td>
                <td className="status">{p.statusLabel}</td>
                <td className="date" title={localTime(p.createdAt)}>
                  {p.createdAt ? p.createdAt.slice(0, 10) : ''}
                </td>
                <td className="id">{p.id}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p id="payments-empty" hidden={!rows || rows.length > 0}>
          No payments yet. They appear here as soon as your Flex account has any.
        </p>
        <p id="payments-loading" hidden={rows !== null || error !== null}>
          Loading payments…
        </p>
        <p id="payments-error" className="error" hidden={error === null}>
          {error ?? ''}
        </p>
      </section>
    </>
  );
}
