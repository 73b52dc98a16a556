//! What needs the person (Home): the host's recent notices (the guardian's, records not saved).

use serde_json::Value;
use tauri::State;

use crate::error::CommandError;
use crate::host_link::{HostCommand, HostLink};

/// The notices the host kept, oldest first (`Notice[]`; live ones arrive as `flex://notice`).
#[tauri::command]
pub(crate) async fn notices_recent(link: State<'_, HostLink>) -> Result<Value, CommandError> {
    link.call(HostCommand::NoticesRecent).await
}
