//! Which of the app's processes this is, from its arguments and its stdin (issue 8 §6).

/// This process's part.
pub(crate) enum Role {
    /// `flex-mcp-desktop` (optionally `--hidden`): tray + host, windows in a window process.
    Tray,
    /// `flex-mcp-desktop --window` started by a tray process: the window, with the channel to
    /// the tray on its stdin.
    #[cfg(unix)]
    Window(std::os::unix::net::UnixStream),
    /// `flex-mcp-desktop --window` without a channel (WebDriver starts it so, and so does a person
    /// who wants everything in one process): tray, host and window in this process, as before.
    OneProcess,
}

impl Role {
    /// Decide from `std::env::args()` and stdin.
    pub(crate) fn of_this_process() -> Role {
        if !std::env::args().any(|a| a == WINDOW_ARG) {
            return Role::Tray;
        }
        #[cfg(unix)]
        if let Some(channel) = crate::channel::inherited() {
            return Role::Window(channel);
        }
        Role::OneProcess
    }
}

/// The argument of the window process (and of the one-process app).
pub(crate) const WINDOW_ARG: &str = "--window";

/// `--hidden`: started by a bridge or at login, tray only, no window.
pub(crate) fn hidden() -> bool {
    std::env::args().any(|a| a == "--hidden")
}
