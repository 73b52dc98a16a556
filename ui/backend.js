// The window's only door to Rust. Every Tauri command the UI uses has exactly one function here,
// so a renamed or changed command breaks in one place, and tests can call the same names through
// `window.__TAURI__.core.invoke`.

const invoke = (command, args) => window.__TAURI__.core.invoke(command, args);

/**
 * Mode, demo flag, API base and key status of the running app.
 * @returns {Promise<{mode: 'test'|'live', modeLabel: string, demo: boolean, apiBase: string,
 *   keySource: 'demo'|'environment', keyStored: boolean, keySummary: string, trayLabel: string,
 *   notice: string|null}>}
 */
export function appStatus() {
  return invoke('app_status');
}

/**
 * The five most recent payments of the connected account (newest first).
 * Amounts arrive both as integer cents and formatted ("$12.34").
 * @returns {Promise<Array<{id: string, amountCents: number, amount: string, status: string,
 *   statusLabel: string, createdAt: string|null}>>}
 */
export function recentPayments() {
  return invoke('recent_payments');
}
