//! The clients the person connected through Flex MCP, remembered in a small file in the data
//! dir (`connected-clients.json`: client names only, no secrets), and the connect and disconnect
//! actions that keep it true. The guardian watches exactly these clients, so a disconnect the
//! person made is never undone: [`disconnect`] forgets the client *before* removing the entry.
//!
//! A machine that connected clients before this file existed has no file: the first read seeds
//! it with the clients whose config holds our entry now.

use std::collections::BTreeSet;
use std::fs::OpenOptions;
use std::path::Path;

use flex_clients::{Change, ClientEnv, ClientKind, ClientStatus, ClientsError};
use serde::{Deserialize, Serialize};

use crate::paths::Paths;
use crate::settings::write_atomic;

#[derive(Debug, Default, Serialize, Deserialize)]
struct ConnectedFile {
    /// Command-line names (`claude-desktop`, `cursor`, …).
    clients: Vec<String>,
}

/// The clients the person connected. Seeds the file from the configs when there is none yet.
pub fn remembered(
    paths: &Paths,
    env: &ClientEnv,
    binary: &Path,
) -> Result<BTreeSet<ClientKind>, ClientsError> {
    update(paths, env, binary, |_| {})
}

/// Connect `kind` (our entry written with a backup first) and remember it.
pub fn connect(
    paths: &Paths,
    env: &ClientEnv,
    kind: ClientKind,
    binary: &Path,
) -> Result<Change, ClientsError> {
    let change = flex_clients::connect(kind, env, binary, &paths.backups_dir())?;
    update(paths, env, binary, |set| {
        set.insert(kind);
    })?;
    Ok(change)
}

/// Forget `kind`, then remove our entry from its config.
pub fn disconnect(
    paths: &Paths,
    env: &ClientEnv,
    kind: ClientKind,
    binary: &Path,
) -> Result<Change, ClientsError> {
    update(paths, env, binary, |set| {
        set.remove(&kind);
    })?;
    flex_clients::disconnect(kind, env, &paths.backups_dir())
}

/// Remember (`true`) or forget `kind` without touching its config: after a backup was restored,
/// the guardian follows what the restored file holds (it must not put back an entry the person
/// restored away, nor stop watching one they restored).
pub fn set_remembered(
    paths: &Paths,
    env: &ClientEnv,
    kind: ClientKind,
    binary: &Path,
    remembered: bool,
) -> Result<(), ClientsError> {
    update(paths, env, binary, |set| {
        if remembered {
            set.insert(kind);
        } else {
            set.remove(&kind);
        }
    })
    .map(|_| ())
}

/// Read the set under a lock, apply `change`, write it back when it differs (or is new).
fn update(
    paths: &Paths,
    env: &ClientEnv,
    binary: &Path,
    change: impl FnOnce(&mut BTreeSet<ClientKind>),
) -> Result<BTreeSet<ClientKind>, ClientsError> {
    let file = paths.connected_clients_file();
    let dir = &paths.data_dir;
    std::fs::create_dir_all(dir).map_err(|e| ClientsError::Io {
        action: "create the folder",
        path: dir.clone(),
        source: e,
    })?;
    let lock_path = dir.join(".connected-clients.lock");
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .and_then(|f| f.lock().map(|()| f))
        .map_err(|e| ClientsError::Io {
            action: "lock",
            path: lock_path.clone(),
            source: e,
        })?;
    let (before, existed) = match read(&file) {
        Some(set) => (set, true),
        None => (seed(env, binary), false),
    };
    let mut after = before.clone();
    change(&mut after);
    if !existed || after != before {
        let body = ConnectedFile {
            clients: after.iter().map(|k| k.cli_name().to_string()).collect(),
        };
        let text = serde_json::to_string_pretty(&body).unwrap_or_default();
        write_atomic(&file, format!("{text}\n").as_bytes()).map_err(|e| ClientsError::Io {
            action: "save the list of connected clients to",
            path: file.clone(),
            source: e,
        })?;
    }
    drop(lock);
    Ok(after)
}

/// The remembered set, or `None` when there is no readable file. An unreadable file is
/// treated as missing (seeded again): it holds nothing the person typed.
fn read(file: &Path) -> Option<BTreeSet<ClientKind>> {
    let text = std::fs::read_to_string(file).ok()?;
    let parsed: ConnectedFile = serde_json::from_str(&text).ok()?;
    Some(
        parsed
            .clients
            .iter()
            .filter_map(|name| name.parse().ok())
            .collect(),
    )
}

fn seed(env: &ClientEnv, binary: &Path) -> BTreeSet<ClientKind> {
    flex_clients::list(env, binary)
        .into_iter()
        .filter(|r| {
            matches!(
                r.status,
                ClientStatus::Connected | ClientStatus::Outdated { .. }
            )
        })
        .map(|r| r.client)
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use flex_clients::Os;

    #[test]
    fn connect_remembers_and_disconnect_forgets() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".cursor")).unwrap();
        let paths = Paths::under(&dir.path().join("flex"), &home);
        let env = ClientEnv::new(Os::Linux, &home);
        let binary = dir.path().join("bin/flex-mcp");

        assert!(remembered(&paths, &env, &binary).unwrap().is_empty());
        connect(&paths, &env, ClientKind::Cursor, &binary).unwrap();
        assert_eq!(
            remembered(&paths, &env, &binary).unwrap(),
            BTreeSet::from([ClientKind::Cursor])
        );
        let text = std::fs::read_to_string(paths.connected_clients_file()).unwrap();
        assert!(text.contains("\"cursor\""), "{text}");

        disconnect(&paths, &env, ClientKind::Cursor, &binary).unwrap();
        assert!(remembered(&paths, &env, &binary).unwrap().is_empty());
    }

    #[test]
    fn a_missing_file_is_seeded_from_the_configs() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".cursor")).unwrap();
        let paths = Paths::under(&dir.path().join("flex"), &home);
        let env = ClientEnv::new(Os::Linux, &home);
        let binary = dir.path().join("bin/flex-mcp");
        // Connected before the remembered set existed (an older version).
        flex_clients::connect(ClientKind::Cursor, &env, &binary, &paths.backups_dir()).unwrap();
        assert_eq!(
            remembered(&paths, &env, &binary).unwrap(),
            BTreeSet::from([ClientKind::Cursor])
        );
        assert!(paths.connected_clients_file().exists());
    }
}
