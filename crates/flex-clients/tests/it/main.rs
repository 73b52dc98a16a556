//! Integration tests of flex-clients against real files in temporary homes. One binary, with a
//! module per concern:
//! - `fixtures`: a corpus of realistic client configs, byte-level assertions and golden outputs;
//! - `properties`: property tests over generated configs;
//! - `crash`: a writer killed mid-write leaves a parseable old file;
//! - `operations`: status, detection, backups, missing directories.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod crash;
mod fixtures;
mod operations;
mod properties;

use std::path::{Path, PathBuf};

use flex_clients::{ClientEnv, ClientKind, Os, config_path};

/// The program path written into configs in these tests. It need not exist: entries are compared
/// as written first.
pub(crate) const BINARY: &str = "/opt/flex/bin/flex-mcp";

/// A temporary home with its own client environment and backups folder. Nothing here reads the
/// real process environment, so the developer's own configs are never touched.
pub(crate) struct Sandbox {
    /// Keeps the temporary directory alive as long as the sandbox.
    _dir: tempfile::TempDir,
    pub(crate) env: ClientEnv,
    pub(crate) backups: PathBuf,
}

impl Sandbox {
    pub(crate) fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let env = ClientEnv::new(Os::Linux, dir.path().join("home"));
        let backups = dir.path().join("flex").join("backups");
        std::fs::create_dir_all(&env.home).unwrap();
        Sandbox {
            _dir: dir,
            env,
            backups,
        }
    }

    pub(crate) fn path(&self, kind: ClientKind) -> PathBuf {
        config_path(kind, &self.env)
    }

    /// Put `bytes` where `kind` reads its config.
    pub(crate) fn place(&self, kind: ClientKind, bytes: &[u8]) -> PathBuf {
        let path = self.path(kind);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    pub(crate) fn read(&self, kind: ClientKind) -> Vec<u8> {
        std::fs::read(self.path(kind)).unwrap()
    }

    pub(crate) fn backups_of(&self, kind: ClientKind) -> Vec<PathBuf> {
        flex_clients::list_backups(&self.backups.join(kind.cli_name()))
    }

    pub(crate) fn binary() -> &'static Path {
        Path::new(BINARY)
    }
}

/// Files in `dir` other than the config, its lock file and (optionally) nothing else: a leftover
/// temp file would show up here.
pub(crate) fn stray_files(dir: &Path, config: &Path) -> Vec<String> {
    let config_name = config.file_name().unwrap().to_string_lossy().into_owned();
    let lock_name = format!(".{config_name}.flex-mcp.lock");
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| *n != config_name && *n != lock_name)
        .collect()
}
