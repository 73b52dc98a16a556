//! "Start Flex MCP when I log in" (Settings and the first launch's Done step): flex-core's
//! `autostart`, with this program as what starts.

use flex_core::autostart::{self, StartAtLogin};
use tauri::State;

use crate::account::AppState;
use crate::error::CommandError;

/// Whether the app starts at login (read from the autostart entry).
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn start_at_login(state: State<'_, AppState>) -> Result<StartAtLogin, CommandError> {
    Ok(autostart::state(state.current().paths()?))
}

/// Turn starting at login on or off; resolves with the state read back.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn start_at_login_set(
    state: State<'_, AppState>,
    on: bool,
) -> Result<StartAtLogin, CommandError> {
    let app = std::env::current_exe().map_err(|e| {
        CommandError::unknown(format!("Flex MCP could not find its own program file: {e}"))
    })?;
    Ok(autostart::set(state.current().paths()?, on, &app)?)
}
