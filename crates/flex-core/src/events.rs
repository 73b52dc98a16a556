//! What the host tells the app: mode and pause changes, approvals waiting and answered, settings
//! changes waiting for the person's confirmation. Delivered in-process only (a broadcast
//! channel on the host handle), never over the socket, which speaks only MCP.

use flex_api::Mode;
use serde::Serialize;

use crate::approvals::PendingApproval;
use crate::guard::Loosening;

/// One thing the app may want to show.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HostEvent {
    /// The mode in force changed (from the app, the CLI or the file).
    ModeChanged {
        /// Now.
        #[cfg_attr(feature = "ts", ts(as = "crate::bindings::ModeName"))]
        mode: Mode,
    },
    /// "Pause assistants" turned on or off.
    PauseChanged {
        /// Now.
        paused: bool,
    },
    /// A call waits for the person (show the approval window and a notification).
    ApprovalPending {
        /// What to show.
        approval: PendingApproval,
    },
    /// A waiting call was answered, expired, or its assistant went away.
    ApprovalResolved {
        /// `PendingApproval::id`.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        id: u64,
        /// `approved`, `denied`, `expired`, `allowed_for_a_while`, `withdrawn`.
        decision: String,
    },
    /// The settings file loosens the guard: nothing of it applies until the person confirms.
    ConfirmationPending {
        /// What would loosen.
        loosenings: Vec<Loosening>,
        /// The same, one plain sentence each.
        sentences: Vec<String>,
    },
    /// The person confirmed (`true`) or refused (`false`) the waiting change.
    ConfirmationResolved {
        /// Confirmed?
        confirmed: bool,
    },
}

/// The sending side; `subscribe()` gives a receiver.
pub type Events = tokio::sync::broadcast::Sender<HostEvent>;

/// A channel with room for bursts (a slow subscriber misses old events, never blocks the host).
pub fn channel() -> Events {
    tokio::sync::broadcast::channel(256).0
}
