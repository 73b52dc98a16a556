//! The approval window's commands (issue 7 §4, issue 8 §4): calls held for the person and
//! settings changes waiting for their confirmation, answered by the host — in this process, or
//! in the tray process over the private channel (`host_link.rs`), never over the MCP socket, so
//! an assistant cannot answer its own call.

use serde_json::Value;
use tauri::State;

use crate::error::CommandError;
use crate::host_link::{HostCommand, HostLink};

/// Calls waiting for the person, oldest first (`PendingApproval[]`; the window shows the first,
/// the rest queue).
#[tauri::command]
pub(crate) async fn approvals_pending(link: State<'_, HostLink>) -> Result<Value, CommandError> {
    link.call(HostCommand::ApprovalsPending).await
}

/// Answer call `id` with `approve`, `deny` or `allow_for_a_while`. `false`: it no longer waits
/// (expired, or its assistant went away) or that answer is not offered for it.
#[tauri::command]
pub(crate) async fn approval_answer(
    link: State<'_, HostLink>,
    id: u64,
    answer: String,
) -> Result<Value, CommandError> {
    link.call(HostCommand::ApprovalAnswer { id, answer }).await
}

/// What waits for confirmation: `{sentences}`, one plain sentence per loosening (live mode from
/// the CLI or the file, pause lifted, a class towards allow); empty when none waits.
#[tauri::command]
pub(crate) async fn confirmation_pending(link: State<'_, HostLink>) -> Result<Value, CommandError> {
    link.call(HostCommand::ConfirmationPending).await
}

/// Confirm (`true`) or refuse (`false`, the file is set back) the waiting change.
#[tauri::command]
pub(crate) async fn confirmation_answer(
    link: State<'_, HostLink>,
    confirm: bool,
) -> Result<Value, CommandError> {
    link.call(HostCommand::ConfirmationAnswer { confirm }).await
}

/// The approval window's label (its capability is `capabilities/approval.json`).
const WINDOW: &str = "approval";

/// Show the approval window on top and focused: build it when it is not open, else bring it
/// forward (it re-reads the queue on every host event itself).
pub(crate) fn show_window(app: &tauri::AppHandle) {
    use tauri::Manager as _;
    if let Some(window) = app.get_webview_window(WINDOW) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_always_on_top(true);
        let _ = window.set_focus();
        return;
    }
    let built = tauri::WebviewWindowBuilder::new(
        app,
        WINDOW,
        tauri::WebviewUrl::App("index.html#approval".into()),
    )
    .title("Flex MCP — your approval is needed")
    .inner_size(480.0, 440.0)
    .always_on_top(true)
    .focused(true)
    .build();
    if let Err(e) = built {
        tracing::warn!("the approval window could not be opened: {e}");
    }
}
