//! Which `flex-mcp` program a client entry should run: the path that keeps working after an
//! upgrade. Installed copies resolve to their stable launcher (`/usr/bin/flex-mcp` from the .deb
//! and .rpm, a Homebrew or `/usr/local/bin` link); a build folder or an unpacked copy stays
//! exactly where it is, so `doctor` and `clients repair` can see when it moves.

use std::path::{Path, PathBuf};

/// Launchers that package managers put on the PATH and keep in place across upgrades. The .deb
/// and .rpm install the real file at the first; Homebrew and `make install`-style installs keep
/// a link in the others whose target (a versioned Cellar folder, say) changes with each release.
#[cfg(unix)]
pub const LAUNCHERS: &[&str] = &[
    "/usr/bin/flex-mcp",
    "/usr/local/bin/flex-mcp",
    "/opt/homebrew/bin/flex-mcp",
];
/// Windows installs put `flex-mcp.exe` next to the app in a per-user folder that upgrades keep.
#[cfg(not(unix))]
pub const LAUNCHERS: &[&str] = &[];

/// The file name of the CLI on this platform.
pub const CLI_FILE_NAME: &str = if cfg!(windows) {
    "flex-mcp.exe"
} else {
    "flex-mcp"
};

/// The app's two programs (issue 8 §6): the tray process (tray, menu and host; never a web
/// view) and the window process (the Tauri web view), shipped side by side in one folder.
pub const TRAY_PROGRAM: &str = "flex-mcp-tray";
/// See [`TRAY_PROGRAM`]. Also the name people, start-at-login and a bridge run (the bridge's
/// name for it): it hands over to the tray.
pub const DESKTOP_PROGRAM: &str = flex_bridge::APP_PROGRAM;

/// Why the app's programs cannot start here, in words, when this is not a desktop session
/// (GTK would panic without a display).
pub fn without_desktop() -> Option<&'static str> {
    (!flex_bridge::desktop_session()).then_some(
        "Flex MCP needs a desktop session, but neither DISPLAY nor WAYLAND_DISPLAY is set. On a \
         machine without a desktop, run `scripts/run-app.sh` (it starts a virtual display) or \
         serve MCP without the app: `flex-mcp stdio --standalone`.",
    )
}

/// The program `name` (one of the above) in the folder of the running `exe`.
pub fn beside(exe: &Path, name: &str) -> PathBuf {
    let exe = without_deleted_mark(exe);
    let dir = exe.parent().unwrap_or(Path::new("."));
    dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// What a client entry should run when the running program is `exe`: the first of `launchers`
/// that leads to the same file, otherwise `exe` without symlinks.
pub fn entry_program(exe: &Path, launchers: &[&Path]) -> PathBuf {
    let exe = without_deleted_mark(exe);
    let real = std::fs::canonicalize(&exe).unwrap_or(exe);
    launchers
        .iter()
        .find(|launcher| std::fs::canonicalize(launcher).is_ok_and(|target| target == real))
        .map_or(real, |launcher| launcher.to_path_buf())
}

/// [`entry_program`] for this process with the platform's [`LAUNCHERS`]: the `flex-mcp` beside
/// the running full CLI (`flex-mcp-cli`, which that `flex-mcp` runs for every command but
/// `stdio`), so entries name the program clients should run.
pub fn current_entry_program() -> std::io::Result<PathBuf> {
    Ok(cli_next_to(&std::env::current_exe()?))
}

/// The CLI shipped beside the app whose executable is `app_exe` (every package puts both in one
/// folder: `/usr/bin`, `Flex MCP.app/Contents/MacOS`, the Windows install folder; a build puts
/// both in `target/<profile>`), resolved like [`entry_program`]. The app writes this into clients.
pub fn cli_next_to(app_exe: &Path) -> PathBuf {
    let app_exe = without_deleted_mark(app_exe);
    let dir = app_exe.parent().unwrap_or(Path::new("."));
    let launchers: Vec<&Path> = LAUNCHERS.iter().map(Path::new).collect();
    entry_program(&dir.join(CLI_FILE_NAME), &launchers)
}

/// Linux names a running program whose file was replaced (a package upgrade renames the new
/// file over it) `/usr/bin/flex-mcp (deleted)`; the path that matters is the one without the mark.
fn without_deleted_mark(exe: &Path) -> PathBuf {
    const MARK: &str = " (deleted)";
    match exe.to_str().and_then(|s| s.strip_suffix(MARK)) {
        Some(stripped) if !exe.exists() => PathBuf::from(stripped),
        _ => exe.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn program(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"#!/bin/sh\n").unwrap();
    }

    #[test]
    fn a_build_folder_stays_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let built = dir.path().join("repo/target/release/flex-mcp");
        program(&built);
        let launcher = dir.path().join("usr/bin/flex-mcp");
        program(&launcher);
        assert_eq!(
            entry_program(&built, &[&launcher]),
            std::fs::canonicalize(&built).unwrap()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_install_resolves_to_its_launcher_not_the_versioned_target() {
        let dir = tempfile::tempdir().unwrap();
        let versioned = dir.path().join("Cellar/flex-mcp/0.1.0/bin/flex-mcp");
        program(&versioned);
        let launcher = dir.path().join("bin/flex-mcp");
        std::fs::create_dir_all(launcher.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&versioned, &launcher).unwrap();
        let unrelated = dir.path().join("usr/bin/flex-mcp");
        program(&unrelated);
        assert_eq!(
            entry_program(&versioned, &[&unrelated, &launcher]),
            launcher
        );
    }

    #[test]
    fn a_replaced_program_is_named_by_its_path_without_the_deleted_mark() {
        let dir = tempfile::tempdir().unwrap();
        let installed = dir.path().join("usr/bin/flex-mcp");
        program(&installed);
        let running = PathBuf::from(format!("{} (deleted)", installed.display()));
        assert_eq!(entry_program(&running, &[&installed]), installed);
    }

    #[test]
    fn the_tray_and_the_window_find_each_other_in_their_folder() {
        let exe = Path::new("/usr/bin/flex-mcp-desktop (deleted)");
        assert_eq!(
            beside(exe, TRAY_PROGRAM),
            PathBuf::from(format!(
                "/usr/bin/flex-mcp-tray{}",
                std::env::consts::EXE_SUFFIX
            ))
        );
    }

    #[test]
    fn the_app_finds_the_cli_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("usr/bin/flex-mcp-desktop");
        program(&app);
        let cli = dir.path().join("usr/bin").join(CLI_FILE_NAME);
        program(&cli);
        assert_eq!(cli_next_to(&app), std::fs::canonicalize(&cli).unwrap());
    }
}
