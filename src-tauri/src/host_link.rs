//! The window's commands that touch the host (approvals, confirmations, settings changes, an
//! account change) go to the tray process over the private window channel
//! (`flex_core::window_channel`), which runs them on its host. Nothing that answers an approval or
//! confirms a loosening is reachable by a path on disk.

use flex_core::window_channel::window_side::Client;
use serde_json::Value;
use tauri::{AppHandle, Manager as _};

pub(crate) use flex_core::window_channel::HostCommand;

use crate::error::CommandError;

/// This process's way to the host: the window channel's client end.
pub(crate) struct HostLink(pub(crate) Client);

impl HostLink {
    /// Run `command` on the host; its result as the window receives it.
    pub(crate) async fn call(&self, command: HostCommand) -> Result<Value, CommandError> {
        self.0.call(command).await
    }
}

/// The settings the host has in force.
pub(crate) async fn settings_in_force(
    link: &HostLink,
) -> Result<flex_core::settings::Settings, CommandError> {
    let value = link.call(HostCommand::Settings).await?;
    serde_json::from_value(value)
        .map_err(|e| CommandError::unknown(format!("Flex MCP could not read its settings: {e}")))
}

/// After this process signed in or out (and read its account again): the host decides again
/// which sign-in serves each mode, and the tray shows it.
pub(crate) async fn account_changed(app: &AppHandle) {
    if let Some(link) = app.try_state::<HostLink>()
        && let Err(e) = link.call(HostCommand::AccountChanged).await
    {
        tracing::warn!("the tray could not be told about the new account: {e:?}");
    }
}
