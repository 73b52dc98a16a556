//! The approval window's commands (issue 7 §4, issue 8 §4): calls held for the person and
//! settings changes waiting for their confirmation, answered through the host's control API in
//! this process (never over the socket, so an assistant cannot answer its own call).

use flex_core::approvals::{Answer, PendingApproval};
use flex_core::host::HostHandle;
use serde::Serialize;
use tauri::State;

use crate::error::CommandError;

/// Calls waiting for the person, oldest first (the window shows the first, the rest queue).
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn approvals_pending(host: State<'_, HostHandle>) -> Vec<PendingApproval> {
    host.pending_approvals()
}

/// Answer call `id` with `approve`, `deny` or `allow_for_a_while`. `false`: it no longer waits
/// (expired, or its assistant went away) or that answer is not offered for it.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn approval_answer(
    host: State<'_, HostHandle>,
    id: u64,
    answer: String,
) -> Result<bool, CommandError> {
    let answer = match answer.as_str() {
        "approve" => Answer::Approve,
        "deny" => Answer::Deny,
        "allow_for_a_while" => Answer::AllowForAWhile,
        other => {
            return Err(CommandError::unknown(format!(
                "the window sent an answer Flex MCP does not know ({other}); the call still waits"
            )));
        }
    };
    Ok(host.answer(id, answer))
}

/// A change that loosens the guard (live mode from the CLI or the file, pause lifted, a class
/// towards allow), waiting for the person: one plain sentence each; empty when none waits.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct ConfirmationPending {
    sentences: Vec<String>,
}

/// What waits for confirmation.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn confirmation_pending(host: State<'_, HostHandle>) -> ConfirmationPending {
    ConfirmationPending {
        sentences: host
            .waiting_confirmation()
            .iter()
            .map(flex_core::guard::Loosening::describe)
            .collect(),
    }
}

/// Confirm (`true`) or refuse (`false`, the file is set back) the waiting change.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn confirmation_answer(
    host: State<'_, HostHandle>,
    confirm: bool,
) -> Result<bool, CommandError> {
    if confirm {
        Ok(host.confirm_pending())
    } else {
        host.reject_pending()
            .map_err(|e| CommandError::unknown(format!("{e:#}")))
    }
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
