//! What a failed command sends to the window: a stable code to switch on and a sentence to show.

use flex_core::Code;
use serde::{Deserialize, Serialize};

/// A command failure as the front end receives it.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct CommandError {
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
    pub(crate) fn unknown(message: impl Into<String>) -> Self {
        CommandError {
            code: Code::Unknown,
            message: message.into(),
        }
    }
}
