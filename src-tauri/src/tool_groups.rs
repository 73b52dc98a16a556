//! The Settings page's tool groups (issue 11 §1) and the local HTTP endpoint's "Copy token".
//! Changes to groups and read-only go through the existing `settings_change` command; this file
//! only adds the view of them and the copy.
//!
//! The token is copied from Rust to the desktop clipboard (GTK's, through the `gtk` crate Tauri
//! already links), so it never enters the page: not its text, not its JavaScript, not an error.

use flex_core::activity_rows;
use flex_core::tools_view::{self, ToolsView};
use tauri::{AppHandle, State};

use crate::account::AppState;
use crate::error::CommandError;
use crate::host_link::{HostLink, settings_in_force};

/// The tool groups for every assistant (`assistant: null`) or for one, with the names to choose
/// from (recorded in activity, in settings, the known clients).
#[tauri::command]
pub(crate) async fn tool_groups(
    state: State<'_, AppState>,
    link: State<'_, HostLink>,
    assistant: Option<String>,
) -> Result<ToolsView, CommandError> {
    let settings = settings_in_force(&link).await?;
    let c = state.current();
    // Activity that cannot be read only shortens the list of names; the groups still show.
    let recorded = activity_rows::assistants(c.paths()?, &c.settings).unwrap_or_default();
    Ok(tools_view::view(
        &settings.tools,
        assistant.as_deref().filter(|n| !n.trim().is_empty()),
        &recorded,
    ))
}

/// Put the local HTTP endpoint's bearer token on the clipboard. `Ok(true)` when copied.
#[tauri::command]
pub(crate) async fn http_token_copy(
    app: AppHandle,
    state: State<'_, AppState>,
    link: State<'_, HostLink>,
) -> Result<bool, CommandError> {
    let settings = settings_in_force(&link).await?;
    if settings.http_port.is_none() {
        return Err(CommandError::unknown(
            "The local HTTP endpoint is off, so it has no token to copy. Turn it on first.",
        ));
    }
    let paths = state.current().paths()?.clone();
    // The error names the file, never the token.
    let token = flex_core::serve::http_token(&paths)?;
    Ok(copy(&app, token).await)
}

/// Set the clipboard on GTK's main thread; `false` when that thread could not be reached.
#[cfg(target_os = "linux")]
async fn copy(app: &AppHandle, text: String) -> bool {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let ran = app.run_on_main_thread(move || {
        let clipboard = gtk::Clipboard::get(&gtk::gdk::SELECTION_CLIPBOARD);
        clipboard.set_text(&text);
        // Hand it to a clipboard manager, if one runs, so it outlives the window.
        clipboard.store();
        let _ = tx.send(true);
    });
    if let Err(e) = ran {
        tracing::warn!("the clipboard could not be reached: {e}");
        return false;
    }
    rx.await.unwrap_or(false)
}

/// Only Linux is built in this project; elsewhere `tauri-plugin-clipboard-manager` would do.
#[cfg(not(target_os = "linux"))]
#[allow(clippy::unused_async)] // the same signature as the Linux one, which awaits GTK
async fn copy(_app: &AppHandle, _text: String) -> bool {
    false
}
