//! Which part this process plays, from its arguments and its stdin (issue 8 §6). The tray and
//! the host live in `flex-mcp-tray` (beside this program), which never links a web view; this
//! program holds the windows.

use std::path::PathBuf;

use flex_core::program;
use flex_core::window_channel::{Channel, tray_side::WINDOW_ARG};

/// This process's part.
pub(crate) enum Role {
    /// `flex-mcp-desktop` (optionally `--hidden`): hand over to the tray program.
    Tray,
    /// `flex-mcp-desktop --window` started by the tray, with the channel in its stdio: the
    /// windows, ending with the last one.
    Window(Channel),
    /// `flex-mcp-desktop --window` without a channel (WebDriver starts it so): start the tray
    /// with a channel of our own and stay, windows or not, as long as it runs.
    WindowFirst,
}

impl Role {
    /// Decide from `std::env::args()` and stdin.
    pub(crate) fn of_this_process() -> Role {
        if !std::env::args().any(|a| a == WINDOW_ARG) {
            return Role::Tray;
        }
        match Channel::inherited() {
            Some(channel) => Role::Window(channel),
            None => Role::WindowFirst,
        }
    }
}

/// The tray program beside this one.
fn tray_program() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from(program::DESKTOP_PROGRAM));
    program::beside(&exe, program::TRAY_PROGRAM)
}

fn missing(tray: &std::path::Path, e: &std::io::Error) -> String {
    format!(
        "Flex MCP could not start its tray program {} ({e}). Reinstall Flex MCP: the tray comes \
         with the app.",
        tray.display()
    )
}

/// Become the tray program (same pid, arguments and stdio, so whoever started us — a person,
/// start-at-login, a bridge waiting for the host — keeps waiting on the right process). Returns
/// only when that failed, with the message to show.
#[cfg(unix)]
pub(crate) fn hand_over_to_tray() -> String {
    use std::os::unix::process::CommandExt as _;
    let tray = tray_program();
    let err = std::process::Command::new(&tray)
        .args(std::env::args_os().skip(1))
        .exec();
    missing(&tray, &err)
}

/// Windows has no `exec`: run the tray program with our arguments and stdio, and leave with its
/// exit status. Returns only when it could not be started, with the message to show.
#[cfg(not(unix))]
pub(crate) fn hand_over_to_tray() -> String {
    let tray = tray_program();
    match std::process::Command::new(&tray)
        .args(std::env::args_os().skip(1))
        .status()
    {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => missing(&tray, &e),
    }
}

/// Start the tray program with the channel's other end in its stdio; ours is returned. The tray
/// serves this process as its window process and ends when it closes the channel.
pub(crate) fn start_tray() -> Result<Channel, String> {
    let tray = tray_program();
    let mut command = std::process::Command::new(&tray);
    command.arg("--hidden");
    let channel = Channel::for_child(&mut command).map_err(|e| missing(&tray, &e))?;
    let mut child = command.spawn().map_err(|e| missing(&tray, &e))?;
    // Our copy of the tray's end closes with `command`: the end is the tray's alone.
    drop(command);
    let pid = child.id();
    tracing::info!(pid, "tray process started for this window");
    // Reap it when it ends (the channel's end tells the rest).
    let _ = std::thread::Builder::new()
        .name("tray-process".into())
        .spawn(move || match child.wait() {
            Ok(status) => tracing::info!(pid, %status, "tray process ended"),
            Err(e) => tracing::warn!(pid, "could not wait for the tray process: {e}"),
        });
    Ok(channel)
}
