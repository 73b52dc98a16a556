//! Finding and starting the Flex MCP app for a bridge that found no host.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a bridge waits for a started app's socket.
pub const APP_START_WAIT: Duration = Duration::from_secs(5);

/// The app's program name: what people, start-at-login and a bridge run.
pub const APP_PROGRAM: &str = "flex-mcp-desktop";

/// Whether this is a desktop session the app can show itself in (Linux: `DISPLAY` or
/// `WAYLAND_DISPLAY` is set; macOS and Windows always have one).
pub fn desktop_session() -> bool {
    !cfg!(target_os = "linux")
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// The app, when this is a desktop session and it is installed next to us or on PATH.
pub fn desktop_app() -> Option<PathBuf> {
    if !desktop_session() {
        return None;
    }
    let name = format!("{APP_PROGRAM}{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&name)))
        .filter(|p| p.is_file());
    beside.or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|dir| dir.join(&name))
            .find(|p| p.is_file())
    })
}

/// Start the app tray-only, detached from this process (its own process group, no stdio), so
/// it outlives the assistant that spawned us.
pub fn start_hidden(app: &Path) -> std::io::Result<()> {
    let mut cmd = std::process::Command::new(app);
    cmd.arg("--hidden")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    cmd.spawn().map(drop)
}
