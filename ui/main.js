// Fills the window from the backend. Plain DOM, no framework: the window is small and its
// element ids are what the GUI smoke test reads.
import { appStatus, recentPayments } from './backend.js';

const $ = (id) => document.getElementById(id);

// Commands fail with {code, message} (see src-tauri/src/error.rs); show the sentence.
const reason = (err) => (err && err.message) || String(err);
const sentence = (text) => text.charAt(0).toUpperCase() + text.slice(1);

function show(id, visible) {
  $(id).hidden = !visible;
}

function renderStatus(s) {
  const badge = $('mode-badge');
  badge.textContent = `${s.modeLabel} mode`;
  badge.dataset.mode = s.mode;
  show('demo-label', s.demo);
  show('demo-banner', s.demo);
  show('live-warning', s.mode === 'live');
  $('mode-text').textContent =
    s.mode === 'live'
      ? 'Live: real customers, real money.'
      : 'Test: simulated payments, no real money moves.';
  $('api-base').textContent = s.demo ? `${s.apiBase} (built-in demo on this computer)` : s.apiBase;
  $('key-status').textContent = s.keySummary;
  $('notice').textContent = s.notice ?? '';
  show('notice', Boolean(s.notice));
  document.title = s.demo ? 'Flex MCP — DEMO' : 'Flex MCP';
}

function dateOnly(iso) {
  return iso ? iso.slice(0, 10) : '';
}

function renderPayments(rows) {
  const body = $('payments-body');
  body.replaceChildren(
    ...rows.map((p) => {
      const tr = document.createElement('tr');
      tr.className = 'payment';
      tr.dataset.id = p.id;
      for (const [cls, text] of [
        ['amount', p.amount],
        ['status', p.statusLabel],
        ['date', dateOnly(p.createdAt)],
        ['id', p.id],
      ]) {
        const td = document.createElement('td');
        td.className = cls;
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
  show('payments', rows.length > 0);
  show('payments-empty', rows.length === 0);
}

async function load() {
  try {
    renderStatus(await appStatus());
  } catch (err) {
    $('notice').textContent = `Could not read the app status: ${reason(err)}`;
    show('notice', true);
  }
  try {
    renderPayments(await recentPayments());
  } catch (err) {
    $('payments-error').textContent = sentence(reason(err));
    show('payments-error', true);
  } finally {
    show('payments-loading', false);
  }
}

load();
