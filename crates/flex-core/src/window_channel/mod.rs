//! The private channel between the tray process (tray, menu and host: `flex-mcp-tray`, which
//! never links a web view) and its window process (`flex-mcp-desktop --window`, the Tauri web
//! view), issue 8 §6 and issue 7 §3.
//!
//! Its ends are passed to the other process in its standard input (a `socketpair` on Unix, two
//! anonymous pipes on Windows: [`transport`]): no path on disk, so no other process of the user —
//! an assistant with a shell included — can connect to it and answer an approval or confirm a
//! loosening. Usually the tray starts the window process
//! ([`tray_side::WindowProcess::show`]); a `--window` started on its own (as WebDriver starts it)
//! starts its tray instead and hands it the channel the same way ([`tray_side::WindowProcess::adopt`]).
//!
//! JSON lines, one message each: the window sends [`ToTray::Call`] (a [`HostCommand`]) and gets
//! [`ToWindow::Reply`]; the tray pushes the host's events as [`ToWindow::Event`] (the names in
//! [`events`], which the window's `api.ts` listens to) and asks for windows with
//! [`ToWindow::Show`].

pub mod commands;
pub mod events;
pub mod transport;
pub mod tray_side;
pub mod window_side;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use commands::{ConfirmationPending, HostCommand};
pub use transport::Channel;

use crate::command_error::CommandError;

/// Which window to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "page", rename_all = "snake_case")]
pub enum Page {
    /// The main window.
    Main,
    /// The approval window.
    Approval,
    /// One call record in the main window's Activity detail.
    Activity {
        /// Its id.
        id: String,
    },
}

/// Window → tray.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToTray {
    /// Run a host command; answered by a reply with the same id.
    Call {
        /// Chosen by the window, unique per call.
        id: u64,
        /// What to run.
        request: HostCommand,
    },
}

/// Tray → window.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWindow {
    /// The answer to call `id`.
    Reply {
        /// The call's id.
        id: u64,
        /// What the command returned.
        result: Result<Value, CommandError>,
    },
    /// A host event for the front end (a name from [`events`] and its payload).
    Event {
        /// The event name.
        name: String,
        /// Its payload.
        payload: Value,
    },
    /// Show a window.
    Show {
        /// Which.
        page: Page,
    },
}

/// The channel in our stdio, only when the process that started us runs `program` (Linux: read
/// from `/proc`; elsewhere not checked). The tray adopts a window's channel this way: a channel
/// from any other program (an assistant with a shell that started `flex-mcp-tray` itself, to
/// answer its own approvals over it) is ignored, and the tray serves only the windows it starts.
pub fn inherited_from(program: &std::path::Path) -> Option<Channel> {
    let channel = Channel::inherited()?;
    #[cfg(target_os = "linux")]
    {
        let parent = std::os::unix::process::parent_id();
        let theirs = std::fs::read_link(format!("/proc/{parent}/exe")).ok();
        let ours = std::fs::canonicalize(program).ok();
        if theirs.is_none() || theirs != ours {
            tracing::warn!(
                parent,
                "a channel on stdin from a program that is not {}: ignored",
                program.display()
            );
            return None;
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = program;
    Some(channel)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    /// The lines the docs show are what the two ends write and read.
    #[test]
    fn messages_are_the_documented_json_lines() {
        let call = ToTray::Call {
            id: 3,
            request: HostCommand::ApprovalAnswer {
                id: 7,
                answer: "approve".into(),
            },
        };
        let line = serde_json::to_string(&call).unwrap();
        assert_eq!(
            line,
            r#"{"type":"call","id":3,"request":{"command":"approval_answer","id":7,"answer":"approve"}}"#
        );
        let ToTray::Call { id, request } = serde_json::from_str(&line).unwrap();
        assert_eq!(id, 3);
        assert!(matches!(request, HostCommand::ApprovalAnswer { id: 7, .. }));

        let show = serde_json::to_string(&ToWindow::Show {
            page: Page::Activity { id: "01J".into() },
        })
        .unwrap();
        assert_eq!(
            show,
            r#"{"type":"show","page":{"page":"activity","id":"01J"}}"#
        );
    }

    #[test]
    fn an_error_reply_keeps_its_code_and_sentence() {
        let reply = ToWindow::Reply {
            id: 1,
            result: Err(CommandError::unknown("The call no longer waits.")),
        };
        let line = serde_json::to_string(&reply).unwrap();
        let Ok(ToWindow::Reply { id, result }) = serde_json::from_str::<ToWindow>(&line) else {
            panic!("not a reply: {line}");
        };
        assert_eq!(id, 1);
        let err = serde_json::to_value(result.unwrap_err()).unwrap();
        assert_eq!(err["code"], "unknown");
        assert_eq!(err["message"], "The call no longer waits.");
    }
}
