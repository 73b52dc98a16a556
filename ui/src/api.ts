// The window's only door to Rust: one function per Tauri command, one per event. Every type comes
// from ./bindings, generated from the Rust structs by ts-rs (scripts/check-bindings.sh fails CI
// when they are stale), so a renamed field breaks the TypeScript build, not a person's screen.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { ActivityFilter } from './bindings/ActivityFilter';
import type { ActivityRow } from './bindings/ActivityRow';
import type { AppStatus } from './bindings/AppStatus';
import type { Assistant } from './bindings/Assistant';
import type { AssistantBackup } from './bindings/AssistantBackup';
import type { AssistantChange } from './bindings/AssistantChange';
import type { CommandError } from './bindings/CommandError';
import type { ConfirmationPending } from './bindings/ConfirmationPending';
import type { HostEvent } from './bindings/HostEvent';
import type { PendingApproval } from './bindings/PendingApproval';
import type { PaymentRow } from './bindings/PaymentRow';
import type { InstallLink } from './bindings/InstallLink';
import type { KeySignIn } from './bindings/KeySignIn';
import type { Preview } from './bindings/Preview';
import type { SettingsChange } from './bindings/SettingsChange';
import type { StartAtLogin } from './bindings/StartAtLogin';
import type { StoredKey } from './bindings/StoredKey';
import type { Exported } from './bindings/Exported';
import type { Mode } from './bindings/Mode';
import type { Notice } from './bindings/Notice';
import type { PageCursor } from './bindings/PageCursor';
import type { RowsPage } from './bindings/RowsPage';
import type { SettingsView } from './bindings/SettingsView';
import type { Working } from './bindings/Working';
import type { SignInLink } from './bindings/SignInLink';
import type { FlexSignedIn } from './bindings/FlexSignedIn';
import type { FlexSignedOut } from './bindings/FlexSignedOut';
import type { SignInState } from './bindings/SignInState';
import type { SignInChoice } from './bindings/SignInChoice';
import type { ToolsView } from './bindings/ToolsView';

export type {
  ActivityFilter,
  ActivityRow,
  AppStatus,
  Assistant,
  AssistantBackup,
  AssistantChange,
  CommandError,
  ConfirmationPending,
  Exported,
  HostEvent,
  InstallLink,
  KeySignIn,
  Notice,
  PageCursor,
  PaymentRow,
  PendingApproval,
  Preview,
  RowsPage,
  SettingsChange,
  SettingsView,
  ToolsView,
  StartAtLogin,
  StoredKey,
  Working,
  SignInLink,
  FlexSignedIn,
  FlexSignedOut,
  SignInState,
  SignInChoice,
};

/** Mode, demo flag, API base and key status of the running app. */
export const appStatus = (): Promise<AppStatus> => invoke('app_status');

/** The five newest payments of the connected account, newest first. */
export const recentPayments = (): Promise<PaymentRow[]> => invoke('recent_payments');

/** The nine supported assistants and where each stands. */
export const assistantsList = (): Promise<Assistant[]> => invoke('assistants_list');

/** Add our entry to one assistant's config (a backup is made first). */
export const assistantConnect = (id: string): Promise<AssistantChange> =>
  invoke('assistant_connect', { id });

/** Remove our entry from one assistant's config (nothing else changes). */
export const assistantDisconnect = (id: string): Promise<AssistantChange> =>
  invoke('assistant_disconnect', { id });

/** Point an outdated entry at this installation's flex-mcp again. */
export const assistantRepair = (id: string): Promise<AssistantChange> =>
  invoke('assistant_repair', { id });

/** Start one assistant's entry as the assistant would and complete an MCP handshake. */
export const assistantCheck = (id: string): Promise<Working> => invoke('assistant_check', { id });

/**
 * Sign in with a pasted API key: one verifying call, then the keychain only. Rejects with a
 * CommandError (`invalid_key`, `key_rejected`, `network`, `keychain_unavailable`).
 */
export const signInWithKey = (key: string): Promise<KeySignIn> => invoke('sign_in_with_key', { key });

/** The Settings page's values. */
export const settingsView = (): Promise<SettingsView> => invoke('settings_view');

/** One settings change (flex-core `settings_change`); resolves with the settings as saved. */
export const settingsChange = (change: SettingsChange): Promise<SettingsView> =>
  invoke('settings_change', { change });

/** The tool groups for every assistant (`null`) or one; changes go through `settingsChange`. */
export const toolGroups = (assistant: string | null): Promise<ToolsView> => invoke('tool_groups', { assistant });

/** Copy the local HTTP endpoint's token to the clipboard (from Rust: the page never sees it). */
export const httpTokenCopy = (): Promise<boolean> => invoke('http_token_copy');

/** "Show the change": the exact text Connect would write into this assistant's config (nothing written). */
export const assistantPreview = (id: string): Promise<Preview> => invoke('assistant_preview', { id });

/** Per mode the stored key (last 4 characters only), when verified, missing permissions. */
export const accountKeys = (): Promise<StoredKey[]> => invoke('account_keys');

/** Sign out of one mode (as `flex-mcp logout --mode`); resolves with the keys left. */
export const signOut = (mode: Mode): Promise<StoredKey[]> => invoke('sign_out', { mode });

/** The backups of one assistant's config, newest first. */
export const assistantBackups = (id: string): Promise<AssistantBackup[]> =>
  invoke('assistant_backups', { id });

/** Put one backup back as the assistant's config (the current file is backed up first). */
export const assistantRestore = (id: string, name: string): Promise<AssistantChange> =>
  invoke('assistant_restore', { id, name });

/** The assistant's own install link for our entry (Cursor, VS Code, LM Studio); `null`: none. */
export const assistantInstallLink = (id: string): Promise<InstallLink | null> =>
  invoke('assistant_install_link', { id });

/** Open that link with the desktop's handler; `false` when the assistant has none. */
export const assistantOpenInstallLink = (id: string): Promise<boolean> =>
  invoke('assistant_open_install_link', { id });

/** Whether Flex MCP starts (in the tray) when the person logs in. */
export const startAtLogin = (): Promise<StartAtLogin> => invoke('start_at_login');

/** Turn starting at login on or off; resolves with the state read back from the desktop's file. */
export const startAtLoginSet = (on: boolean): Promise<StartAtLogin> => invoke('start_at_login_set', { on });

/** What the host told the person recently (the guardian's notices), oldest first. */
export const noticesRecent = (): Promise<Notice[]> => invoke('notices_recent');
/**
 * "Sign in with Flex": opens the browser at Flex's sign-in page (`openBrowser: false`: only the
 * link) and resolves at once with the link; then call flexSignInFinish to wait for the browser.
 */
export const flexSignInStart = (openBrowser: boolean): Promise<SignInLink> =>
  invoke('flex_sign_in_start', { openBrowser });

/**
 * Wait for the started sign-in to come back from the browser. Rejects with a CommandError whose
 * message says what to do (`cancelled` after flexSignInCancel).
 */
export const flexSignInFinish = (): Promise<FlexSignedIn> => invoke('flex_sign_in_finish');

/** Cancel the sign-in in progress; `false` when none was. */
export const flexSignInCancel = (): Promise<boolean> => invoke('flex_sign_in_cancel');

/** Per mode what serves it (API key by its last 4, Flex sign-in, nothing), and the Flex sign-in. */
export const signInState = (): Promise<SignInState> => invoke('sign_in_state');

/** When both an API key and the Flex sign-in exist for a mode: which one serves it (saved). */
export const signInChoose = (mode: Mode, choice: SignInChoice): Promise<SignInState> =>
  invoke('sign_in_choose', { mode, choice });

/** Sign out of Flex: revoked at Flex, then removed from the keychain (as `flex-mcp logout`). */
export const flexSignOut = (): Promise<FlexSignedOut> => invoke('flex_sign_out');

/** The newest `limit` calls the assistants made, newest first. */
export const activityRecent = (limit: number): Promise<ActivityRow[]> =>
  invoke('activity_recent', { limit });

/** One page of calls matching `filter`, newest first, continuing after `after`. */
export const activityPage = (
  filter: ActivityFilter,
  after: PageCursor | null,
  limit: number,
): Promise<RowsPage> => invoke('activity_page', { filter, after, limit });

/** The assistants that made calls (the Assistant filter's choices). */
export const activityAssistants = (): Promise<string[]> => invoke('activity_assistants');

/**
 * Ask where to save, then write the calls matching `filter` there as CSV; `null` when the person
 * cancelled the dialog.
 */
export const activityExport = (filter: ActivityFilter): Promise<Exported | null> =>
  invoke('activity_export', { filter });

/** The person's answer to a held call. */
export type ApprovalAnswer = 'approve' | 'deny' | 'allow_for_a_while';

/** Calls waiting for the person, oldest first. */
export const approvalsPending = (): Promise<PendingApproval[]> => invoke('approvals_pending');

/** Answer a held call; `false` when it no longer waits. */
export const approvalAnswer = (id: number, answer: ApprovalAnswer): Promise<boolean> =>
  invoke('approval_answer', { id, answer });

/** A loosening change waiting for confirmation: one plain sentence each (empty: none). */
export const confirmationPending = (): Promise<ConfirmationPending> =>
  invoke('confirmation_pending');

/** Confirm (`true`) or refuse (`false`) the waiting change. */
export const confirmationAnswer = (confirm: boolean): Promise<boolean> =>
  invoke('confirmation_answer', { confirm });

/**
 * Events the tray process forwards from its host as they happen, over the window channel
 * (flex-core `window_channel::events`, where the names are defined).
 */
export const EVENTS = {
  /** Something changed that the window shows (mode, pause, an assistant's state): reload. */
  statusChanged: 'flex://status-changed',
  /** A new call record was stored: payload is its ActivityRow. */
  activityAdded: 'flex://activity-added',
  /** Any host event (mode, pause, approvals, confirmations), tagged by `type`. */
  hostEvent: 'flex://host-event',
  /** Something that needs the person (an entry put back, records not saved). */
  notice: 'flex://notice',
  /** The tray's "latest calls": show this record in Activity (payload `{id}`; windows.rs). */
  showActivity: 'flex://show-activity',
} as const;

/** The record a window was opened for (`index.html#activity/<id>`, windows.rs), if any. */
export const activityInHash = (hash: string): string | null => {
  const m = /^#activity\/(.+)$/.exec(hash);
  return m ? decodeURIComponent(m[1]) : null;
};

/** The tray asked to show one call record in Activity. */
export const onShowActivity = (onId: (id: string) => void): Promise<UnlistenFn> =>
  listen<{ id: string }>(EVENTS.showActivity, (e) => onId(e.payload.id));

/** Call `onChange` whenever the app says its status changed. */
export const onStatusChanged = (onChange: () => void): Promise<UnlistenFn> =>
  listen(EVENTS.statusChanged, () => onChange());

/** Call `onRow` with every new activity record. */
export const onActivityAdded = (onRow: (row: ActivityRow) => void): Promise<UnlistenFn> =>
  listen<ActivityRow>(EVENTS.activityAdded, (e) => onRow(e.payload));

/** Call `onNotice` with every new notice (an entry put back, a config broken, records not saved). */
export const onNotice = (onNotice: (notice: Notice) => void): Promise<UnlistenFn> =>
  listen<Notice>(EVENTS.notice, (e) => onNotice(e.payload));

/** Call `onEvent` with every host event (mode, pause, approvals, confirmations). */
export const onHostEvent = (onEvent: (event: HostEvent) => void): Promise<UnlistenFn> =>
  listen<HostEvent>(EVENTS.hostEvent, (e) => onEvent(e.payload));

/** The sentence of a failed command: commands reject with {code, message} (src-tauri error.rs). */
export function errorMessage(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err && typeof err.message === 'string') {
    const m = err.message;
    return m.charAt(0).toUpperCase() + m.slice(1);
  }
  return String(err);
}
