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

/// Set in the tray process when it turned GDK's GL off itself, so its window process turns it
/// back on (WebKit draws with GL; the person's own `GDK_GL`, if any, is left alone).
#[cfg(target_os = "linux")]
pub(crate) const GL_OFF_BY_US: &str = "FLEX_MCP_TRAY_GDK_GL";

/// Linux, tray process: GTK opens the GL driver at start only to pick a visual, but the tray and
/// its dialogs draw with cairo. With `GDK_GL=disable` the driver is never loaded (under Xvfb
/// that is llvmpipe, ≈ 30 MiB of PSS; on a desktop, the GPU driver). Edition 2024 makes
/// `set_var` unsafe, so the process re-executes itself (same pid, arguments and stdio) with it
/// set; it returns only when that is not needed or not possible.
#[cfg(target_os = "linux")]
pub(crate) fn tray_without_gl() {
    use std::os::unix::process::CommandExt as _;
    if std::env::var_os("GDK_GL").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("GDK_GL", "disable")
        .env(GL_OFF_BY_US, "1")
        .exec();
    tracing::warn!("the tray could not start without GL ({err}); going on with it");
}
