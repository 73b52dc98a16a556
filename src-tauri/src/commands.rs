//! The window's commands: each a few lines that call `flex-core`. Their names match the
//! functions of `ui/src/api.ts` and the list in `build.rs` (which makes Tauri check each call
//! against `capabilities/main.json`).

use flex_core::account_keys::{self, StoredKey};
use flex_core::activity_rows::{self, ActivityRow};
use flex_core::app_status::{self, AppStatus, PaymentRow, RECENT_PAYMENTS};
use flex_core::assistant_preview::{self, Preview};
use flex_core::assistants::{self, Assistant, AssistantChange};
use flex_core::key_sign_in::{self, KeySignIn};
use flex_core::settings_change::{self, SettingsChange, SettingsView};
use flex_core::working::{self, Working};
use tauri::State;

use crate::account::AppState;
use crate::error::CommandError;

/// How many calls the Activity page asks for at most.
const ACTIVITY_LIMIT_MAX: u32 = 1000;

/// Mode, demo flag, API base and key status.
// Tauri hands managed state to commands by value; it is a cheap handle.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn app_status(state: State<'_, AppState>) -> AppStatus {
    // The page asks for this first and draws its content from the answer: the time of the first
    // one is when a (re)opened window shows content (bench/memory.py reads this line).
    static FIRST: std::sync::Once = std::sync::Once::new();
    FIRST.call_once(|| tracing::info!("the window read its first status: its content shows"));
    let c = state.current();
    app_status::status(&c.account, c.notice.clone())
}

/// The newest payments of the account.
#[tauri::command]
pub(crate) async fn recent_payments(
    state: State<'_, AppState>,
) -> Result<Vec<PaymentRow>, CommandError> {
    let client = state
        .current()
        .client
        .clone()
        .map_err(CommandError::unknown)?;
    Ok(app_status::recent_payments(&client, RECENT_PAYMENTS).await?)
}

/// The nine assistants and where each stands.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn assistants_list(state: State<'_, AppState>) -> Result<Vec<Assistant>, CommandError> {
    let c = state.current();
    let (paths, binary) = c.assistants_context()?;
    Ok(assistants::list(paths, &binary))
}

/// Add our entry to one assistant's config.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn assistant_connect(
    state: State<'_, AppState>,
    id: String,
) -> Result<AssistantChange, CommandError> {
    let c = state.current();
    let (paths, binary) = c.assistants_context()?;
    Ok(assistants::connect(
        paths,
        assistants::kind(&id)?,
        &binary,
        false,
    )?)
}

/// Remove our entry from one assistant's config.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn assistant_disconnect(
    state: State<'_, AppState>,
    id: String,
) -> Result<AssistantChange, CommandError> {
    let c = state.current();
    let (paths, binary) = c.assistants_context()?;
    Ok(assistants::disconnect(
        paths,
        assistants::kind(&id)?,
        &binary,
    )?)
}

/// Point an outdated entry at this installation's `flex-mcp` again.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn assistant_repair(
    state: State<'_, AppState>,
    id: String,
) -> Result<AssistantChange, CommandError> {
    let c = state.current();
    let (paths, binary) = c.assistants_context()?;
    Ok(assistants::repair(paths, assistants::kind(&id)?, &binary)?)
}

/// Run one assistant's entry as the client would and complete an MCP `initialize`. Async, so the
/// few hundred milliseconds of the check never block the window's other calls.
#[tauri::command]
pub(crate) async fn assistant_check(
    state: State<'_, AppState>,
    id: String,
) -> Result<Working, CommandError> {
    let (_, binary) = state.current().assistants_context()?;
    let kind = assistants::kind(&id)?;
    tauri::async_runtime::spawn_blocking(move || {
        working::check(kind, &binary, working::INITIALIZE_TIMEOUT)
    })
    .await
    .map_err(|e| CommandError::unknown(format!("the check could not run: {e}")))
}

/// The newest calls the assistants made, newest first.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn activity_recent(
    state: State<'_, AppState>,
    limit: u32,
) -> Result<Vec<ActivityRow>, CommandError> {
    let c = state.current();
    Ok(activity_rows::recent(
        c.paths()?,
        &c.settings,
        limit.min(ACTIVITY_LIMIT_MAX),
    )?)
}

/// Sign in with a pasted API key: verify it with one call, save it in the keychain (only there),
/// and when it is for the current mode start using it instead of the demo. The key travels
/// once, in this call's arguments, and is never logged or returned.
#[tauri::command]
pub(crate) async fn sign_in_with_key(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    key: String,
) -> Result<KeySignIn, CommandError> {
    let c = state.current();
    let paths = c.paths()?.clone();
    let store = flex_core::credentials::keychain()?;
    let done = key_sign_in::sign_in(&store, &paths, &c.settings, &key).await?;
    drop(key);
    if done.active_now {
        crate::account::reconnect(&app).await;
        crate::host_link::account_changed(&app).await;
        // The window reloads its header and pages on this event.
        let _ = tauri::Emitter::emit(&app, flex_core::window_channel::events::STATUS_CHANGED, ());
    }
    Ok(done)
}

/// The Settings page's values.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn settings_view(state: State<'_, AppState>) -> Result<SettingsView, CommandError> {
    let c = state.current();
    settings_change::view(c.paths()?).map_err(|e| CommandError::unknown(e.to_string()))
}

/// One change on the Settings page, through flex-core's single settings function, applied by the
/// host (`SettingsView` as saved).
#[tauri::command]
pub(crate) async fn settings_change(
    link: State<'_, crate::host_link::HostLink>,
    change: SettingsChange,
) -> Result<serde_json::Value, CommandError> {
    link.call(crate::host_link::HostCommand::SettingsChange { change })
        .await
}

/// Per mode the stored key (last 4 only), when verified, missing scopes.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn account_keys(state: State<'_, AppState>) -> Result<Vec<StoredKey>, CommandError> {
    let c = state.current();
    let store = flex_core::credentials::keychain()?;
    Ok(account_keys::list_in(&store, c.paths()?)?)
}

/// Sign out of one mode (the same function as `flex-mcp logout --mode`); the app reconnects, so
/// signing out of the current mode falls back to the demo at once.
#[tauri::command]
pub(crate) async fn sign_out(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    mode: flex_api::Mode,
) -> Result<Vec<StoredKey>, CommandError> {
    let paths = state.current().paths()?.clone();
    let store = flex_core::credentials::keychain()?;
    account_keys::sign_out_in(&store, &paths, mode)?;
    crate::account::reconnect(&app).await;
    crate::host_link::account_changed(&app).await;
    let _ = tauri::Emitter::emit(&app, flex_core::window_channel::events::STATUS_CHANGED, ());
    Ok(account_keys::list_in(&store, &paths)?)
}

/// "Show the change": exactly what Connect would write into one assistant's config, not written.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn assistant_preview(
    state: State<'_, AppState>,
    id: String,
) -> Result<Preview, CommandError> {
    let c = state.current();
    let (paths, binary) = c.assistants_context()?;
    Ok(assistant_preview::connect_preview(
        paths,
        assistants::kind(&id)?,
        &binary,
    )?)
}
