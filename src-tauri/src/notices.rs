//! What needs the person (Home): the host's recent notices (the guardian's, records not saved).

use flex_core::host::HostHandle;
use flex_core::notice::Notice;
use tauri::State;

/// The notices the host kept, oldest first (live ones arrive as `flex://notice`).
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn notices_recent(host: State<'_, HostHandle>) -> Vec<Notice> {
    host.notices().recent()
}
