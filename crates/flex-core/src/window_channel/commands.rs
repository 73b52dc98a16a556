//! The window's commands that touch the host (approvals, confirmations, settings changes, an
//! account change), as one typed request the window process sends over the channel and the tray
//! process runs on its host ([`execute`]). Nothing that answers an approval or confirms a
//! loosening is reachable by a path on disk.
//!
//! What stays in the window process (through flex-core directly, no host needed): reading the
//! account and payments, the assistants' configs, the activity store, the settings file, the
//! keychain (sign in with a key, sign out). Those are the person's own files and keychain, which
//! an assistant running as the same user could read or write anyway; only the host's decisions
//! need the channel.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::approvals::Answer;
use crate::command_error::CommandError;
use crate::host::HostHandle;
use crate::settings_change::{SettingsChange, SettingsView};

/// One request to the host.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum HostCommand {
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
        choice: crate::key_rule::SignInChoice,
    },
    /// The notices the host kept (Home's "Needs you"), oldest first.
    NoticesRecent,
    /// The settings in force (a loosening written to the file but not yet confirmed is not).
    Settings,
    /// Where the host's built-in demo answers (`null` without one): the window shows the demo
    /// assistants are served, not a second copy.
    DemoAddress,
}

/// A change that loosens the guard (live mode from the CLI or the file, pause lifted, a class
/// towards allow), waiting for the person: one plain sentence each; empty when none waits.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConfirmationPending {
    sentences: Vec<String>,
}

fn json(value: impl Serialize) -> Result<Value, CommandError> {
    serde_json::to_value(value)
        .map_err(|e| CommandError::unknown(format!("Flex MCP could not encode its answer: {e}")))
}

/// Run `command` on `host` (in the tray process, which owns it). `account_changed` is the tray's
/// own reaction to [`HostCommand::AccountChanged`] (read the account again, show it).
pub async fn execute(
    host: &HostHandle,
    command: HostCommand,
    account_changed: &(dyn Fn() + Send + Sync),
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
                .map(crate::guard::Loosening::describe)
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
            account_changed();
            json(true)
        }
        HostCommand::SetSignIn { mode, choice } => {
            // `set_sign_in` decides again which sign-in serves; the window then reports the
            // account change (`AccountChanged`), which refreshes the tray.
            host.set_sign_in(mode, choice)
                .map_err(|e| CommandError::unknown(format!("{e:#}")))?;
            json(true)
        }
        HostCommand::NoticesRecent => json(host.notices().recent()),
        HostCommand::Settings => json(host.settings().map_err(CommandError::unknown)?),
        HostCommand::DemoAddress => json(host.demo_base_url()),
    }
}
