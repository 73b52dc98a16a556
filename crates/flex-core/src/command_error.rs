//! What a failed window command sends to the window: a stable code to switch on and a sentence to
//! show. One type for both processes: the window process returns it from its own commands and
//! receives it from the tray process's host over the window channel (`window_channel`).

use serde::{Deserialize, Serialize};

use crate::Code;

/// A command failure as the front end receives it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CommandError {
    code: Code,
    message: String,
}

impl From<anyhow::Error> for CommandError {
    fn from(err: anyhow::Error) -> Self {
        CommandError {
            code: Code::of(&err),
            message: Code::message(&err),
        }
    }
}

impl CommandError {
    /// A failure known only by its message (e.g. a client that could not be built at start).
    pub fn unknown(message: impl Into<String>) -> Self {
        CommandError {
            code: Code::Unknown,
            message: message.into(),
        }
    }

    /// The sentence shown to the person.
    pub fn message(&self) -> &str {
        &self.message
    }
}
