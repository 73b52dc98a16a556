//! Test sandbox: a temporary home where Cursor is installed, our state under the same temp dir,
//! and a stand-in `flex-mcp` binary (an empty file: connecting only needs its path).

use std::path::PathBuf;

use crate::Paths;

/// `(dir, home, paths, bin)`: the temp dir (removed when dropped: keep it), the clients' home
/// (with `.cursor/`), our state under the same dir, the stand-in `flex-mcp`.
#[allow(clippy::unwrap_used)] // test set-up: a failure here is a failed test
pub(crate) fn cursor_home() -> (tempfile::TempDir, PathBuf, Paths, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".cursor")).unwrap();
    let paths = Paths::under(&dir.path().join("flex"), &home);
    let bin = dir.path().join("flex-mcp");
    std::fs::write(&bin, "").unwrap();
    (dir, home, paths, bin)
}
