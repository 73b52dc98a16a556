//! MCP client configs: detection, paths per OS, and safe merge/write/remove of our entry. Must not
//! depend on Tauri or the network.
//!
//! The promise to the user: we change only our `flex` entry; everything else in the file (other
//! servers, unknown keys, key order, indentation, comments, line endings) keeps its bytes; a file
//! we cannot parse is never written; every change is backed up first, written atomically and
//! serialised by a file lock.
//!
//! - [`ClientKind`]: the clients and what differs between them (format, server-map key).
//! - [`config_path`] / [`ClientEnv`]: where each client's config is, as a pure function.
//! - [`report`], [`list`], [`status`], [`connect`], [`disconnect`], [`repair`]: the operations;
//!   [`backups`] and [`restore`]: the backups each change leaves, and putting one back.
//! - [`ConfigWatcher`] and [`Reapplier`]: the guardian's parts (watch configs, put our entry
//!   back within the 3-strike limit); flex-core runs them for the clients the person connected.
#![warn(missing_docs)]
// Tests may unwrap: a panic there is a failed assertion, with the value printed.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod entry;
mod env;
mod error;
mod json_doc;
mod kind;
mod ops;
mod reapply;
mod safe_write;
mod toml_doc;
mod watch;

pub use entry::{DesiredEntry, FoundEntry};
pub use env::{ClientEnv, Os, config_path, install_marker};
pub use error::ClientsError;
pub use kind::{ClientKind, ConfigFormat, SERVER_NAME, UnknownClient};
pub use ops::{
    Backup, Change, ChangeAction, ClientReport, ClientStatus, backups, connect, desired_entry,
    disconnect, list, repair, report, restore, status, text,
};
pub use reapply::{Cause, Reapplied, Reapplier, STRIKE_LIMIT, STRIKE_WINDOW, Strikes};
pub use safe_write::{BACKUPS_KEPT, list_backups};
pub use watch::ConfigWatcher;

/// Hooks for crash and concurrency tests. Not part of the supported API.
#[doc(hidden)]
pub mod testing {
    use std::path::Path;

    pub use crate::safe_write::Hooks;
    use crate::{Change, ClientEnv, ClientKind, ClientsError, DesiredEntry};

    /// [`crate::connect`] with hooks that can stop the process mid-write.
    pub fn connect_with_hooks(
        kind: ClientKind,
        env: &ClientEnv,
        binary: &Path,
        backups_dir: &Path,
        hooks: &Hooks<'_>,
    ) -> Result<Change, ClientsError> {
        crate::ops::connect_with_hooks(kind, env, binary, backups_dir, hooks)
    }

    /// Add or replace a server named `name` (not ours) under the same lock as every writer.
    pub fn upsert_other_server(
        kind: ClientKind,
        env: &ClientEnv,
        name: &str,
        entry: &DesiredEntry,
        backups_dir: &Path,
    ) -> Result<bool, ClientsError> {
        crate::ops::upsert_other_server(kind, env, name, entry, backups_dir)
    }
}
