//! The window's commands: each a few lines that call `flex-core`. Their names match the
//! functions of `ui/backend.js`.

use flex_core::app_status::{self, AppStatus, PaymentRow, RECENT_PAYMENTS};
use tauri::State;

use crate::account::Connected;
use crate::error::CommandError;

/// Mode, demo flag, API base and key status.
// Tauri hands managed state to commands by value; it is a cheap handle.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn app_status(state: State<'_, Connected>) -> AppStatus {
    app_status::status(&state.account, state.notice.clone())
}

/// The newest payments of the account.
#[tauri::command]
pub(crate) async fn recent_payments(
    state: State<'_, Connected>,
) -> Result<Vec<PaymentRow>, CommandError> {
    let client = state.client.as_ref().map_err(CommandError::unknown)?;
    Ok(app_status::recent_payments(client, RECENT_PAYMENTS).await?)
}
