//! The window's commands that touch the host (approvals, confirmations, settings changes, an
//! account change), as one typed request. In the one-process app they run on the host in this
//! process; in a window process they travel over the private channel to the tray process
//! (`channel.rs`), which runs exactly the same [`execute`]. So a command behaves the same in both,
//! and nothing that answers an approval or confirms a loosening is reachable by a path on disk.
//!
//! What stays in the window process (through flex-core directly, no host needed): reading the
//! account and payments, the assistants' configs (list, preview, connect, disconnect, repair,
//! check), the activity store, the settings file, the keychain (sign in with a key, sign out).
//! Those are the person's own files and keychain, which an assistant running as the same user
//! could read or write anyway; only the host's decisions need the channel.

use flex_core::approvals::Answer;
use flex_core::host::HostHandle;
use flex_core::settings_change::{SettingsChange, SettingsView};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::{AppHandle, Manager as _};

use crate::error::CommandError;

/// One request to the host.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub(crate) enum HostCommand {
    /// Calls waiting for the person, oldest first.
    ApprovalsPending,
    /// Answer call `id`: `approve`, `deny` or `allow_for_a_while`.
    ApprovalAnswer {
        /// `PendingApproval::id`.
        id: u64,
        /// The answer's word.
        answer: String,
    },
    /// What waits for confirmation, one sentence each.
    ConfirmationPending,
    /// Confirm or refuse it.
    ConfirmationAnswer {
        /// Confirm?
        confirm: bool,
    },
    /// A change from the Settings page (the person's own: applied at once).
    SettingsChange {
        /// The change.
        change: SettingsChange,
    },
    /// The window signed in or out (a key or the Flex sign-in): the host decides again which
    /// sign-in serves each mode, and the tray reads the account again.
    AccountChanged,
    /// When both a key and the Flex sign-in exist for `mode`: which one serves it.
    SetSignIn {
        /// Test or live.
        mode: flex_api::Mode,
        /// The key or the Flex sign-in.
        choice: flex_core::key_rule::SignInChoice,
    },
    /// The notices the host kept (Home's "Needs you"), oldest first.
    NoticesRecent,
    /// The settings in force (a loosening written to the file but not yet confirmed is not).
    Settings,
}

/// Where the host is for this process's commands.
pub(crate) enum HostLink {
    /// In this process (the one-process app, and the tray process itself).
    InProcess(HostHandle),
    /// In the tray process, over the inherited channel.
    #[cfg(unix)]
    Channel(crate::channel::Client),
}

impl HostLink {
    /// Run `command` on the host; its result as the window receives it.
    pub(crate) async fn call(
        &self,
        app: &AppHandle,
        command: HostCommand,
    ) -> Result<Value, CommandError> {
        match self {
            HostLink::InProcess(host) => execute(app, host, command).await,
            #[cfg(unix)]
            HostLink::Channel(client) => client.call(command).await,
        }
    }
}

/// A change that loosens the guard (live mode from the CLI or the file, pause lifted, a class
/// towards allow), waiting for the person: one plain sentence each; empty when none waits.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct ConfirmationPending {
    sentences: Vec<String>,
}

fn json(value: impl Serialize) -> Result<Value, CommandError> {
    serde_json::to_value(value)
        .map_err(|e| CommandError::unknown(format!("Flex MCP could not encode its answer: {e}")))
}

/// Run `command` on `host` (in the process that owns it).
pub(crate) async fn execute(
    app: &AppHandle,
    host: &HostHandle,
    command: HostCommand,
) -> Result<Value, CommandError> {
    match command {
        HostCommand::ApprovalsPending => json(host.pending_approvals()),
        HostCommand::ApprovalAnswer { id, answer } => {
            let answer = match answer.as_str() {
                "approve" => Answer::Approve,
                "deny" => Answer::Deny,
                "allow_for_a_while" => Answer::AllowForAWhile,
                other => {
                    return Err(CommandError::unknown(format!(
                        "the window sent an answer Flex MCP does not know ({other}); the call \
                         still waits"
                    )));
                }
            };
            json(host.answer(id, answer))
        }
        HostCommand::ConfirmationPending => json(ConfirmationPending {
            sentences: host
                .waiting_confirmation()
                .iter()
                .map(flex_core::guard::Loosening::describe)
                .collect(),
        }),
        HostCommand::ConfirmationAnswer { confirm } => {
            if confirm {
                json(host.confirm_pending())
            } else {
                json(
                    host.reject_pending()
                        .map_err(|e| CommandError::unknown(format!("{e:#}")))?,
                )
            }
        }
        HostCommand::SettingsChange { change } => {
            // Through the host, so the person's own change applies at once (a file edit would
            // wait for the guard's confirmation).
            let applied = host
                .change_settings(change)
                .map_err(|e| CommandError::unknown(e.to_string()))?;
            json(SettingsView::of(&applied.settings, applied.loosening))
        }
        HostCommand::AccountChanged => {
            host.sign_in_changed().await;
            if let Some(state) = app.try_state::<crate::account::AppState>() {
                state.replace(crate::account::connect().await);
            }
            crate::tray::account_changed(app);
            json(true)
        }
        HostCommand::SetSignIn { mode, choice } => {
            // `set_sign_in` decides again which sign-in serves; the window then reports the
            // account change (`account_changed`), which refreshes the tray.
            host.set_sign_in(mode, choice)
                .map_err(|e| CommandError::unknown(format!("{e:#}")))?;
            json(true)
        }
        HostCommand::NoticesRecent => json(host.notices().recent()),
        HostCommand::Settings => json(host.settings().map_err(CommandError::unknown)?),
    }
}

/// The settings the host has in force, from either process.
pub(crate) async fn settings_in_force(
    app: &AppHandle,
    link: &HostLink,
) -> Result<flex_core::settings::Settings, CommandError> {
    let value = link.call(app, HostCommand::Settings).await?;
    serde_json::from_value(value)
        .map_err(|e| CommandError::unknown(format!("Flex MCP could not read its settings: {e}")))
}

/// After this process signed in or out (and read its account again): the tray shows it. In the
/// window process the tray process reads the account again too.
pub(crate) async fn account_changed(app: &AppHandle) {
    match app.try_state::<HostLink>().as_deref() {
        // The host in this process decides again which sign-in serves each mode.
        Some(HostLink::InProcess(host)) => host.sign_in_changed().await,
        #[cfg(unix)]
        Some(HostLink::Channel(client)) => {
            if let Err(e) = client.call(HostCommand::AccountChanged).await {
                tracing::warn!("the tray could not be told about the new account: {e:?}");
            }
        }
        None => {}
    }
    crate::tray::account_changed(app);
}
