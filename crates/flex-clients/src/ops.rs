//! The user-facing operations: status, connect, disconnect, repair. Each one reads the client's
//! config through the format-specific editor and writes only through [`crate::safe_write`].

use std::path::{Path, PathBuf};

use crate::entry::{DesiredEntry, FoundEntry};
use crate::env::{ClientEnv, config_path, install_marker};
use crate::error::{ClientsError, DocError};
use crate::json_doc::{self, Dialect, Edited};
use crate::kind::{ClientKind, ConfigFormat, SERVER_NAME};
use crate::safe_write::{self, BackupPlace, Hooks, Written};
use crate::toml_doc;

/// Where one client stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientStatus {
    /// Neither the client's config nor its folder exists.
    NotInstalled,
    /// Installed, without our entry.
    NotConnected,
    /// Our entry is there and runs this `flex-mcp stdio`.
    Connected,
    /// Our entry is there but wrong (missing or different program, wrong arguments or type).
    Outdated {
        /// Why, in plain words.
        reason: String,
    },
    /// The config cannot be parsed; we will not touch it.
    ConfigBroken {
        /// The full error, naming the file, position and fix.
        reason: String,
    },
}

impl ClientStatus {
    /// A short label: `connected`, `not connected`, `outdated`, `config broken`, `not installed`.
    pub fn label(&self) -> &'static str {
        match self {
            ClientStatus::NotInstalled => "not installed",
            ClientStatus::NotConnected => "not connected",
            ClientStatus::Connected => "connected",
            ClientStatus::Outdated { .. } => "outdated",
            ClientStatus::ConfigBroken { .. } => "config broken",
        }
    }
}

/// One client's status and config location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientReport {
    /// The client.
    pub client: ClientKind,
    /// Its config file.
    pub path: PathBuf,
    /// Whether it appears to be installed (config file or folder present).
    pub installed: bool,
    /// Where it stands.
    pub status: ClientStatus,
}

/// What an operation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeAction {
    /// Our entry was added.
    Added,
    /// Our entry was rewritten.
    Updated,
    /// Our entry was removed.
    Removed,
    /// Nothing to do: the entry was already right.
    AlreadyConnected,
    /// Nothing to do: there was no entry.
    NothingToRemove,
    /// Nothing to do: no outdated entry (absent or already right).
    NothingToRepair,
    /// The config was set back to one of its backups.
    Restored,
    /// Nothing to do: the config already holds exactly that backup.
    AlreadyAsBackup,
}

/// The result of connect, disconnect or repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The client.
    pub client: ClientKind,
    /// The config file that was (or would have been) changed.
    pub path: PathBuf,
    /// What happened.
    pub action: ChangeAction,
    /// The copy of the file from before the change, when one was written.
    pub backup: Option<PathBuf>,
    /// Anything else the user should know (e.g. a byte-order mark was removed).
    pub notes: Vec<String>,
}

impl Change {
    /// Whether the file was written.
    pub fn changed(&self) -> bool {
        matches!(
            self.action,
            ChangeAction::Added
                | ChangeAction::Updated
                | ChangeAction::Removed
                | ChangeAction::Restored
        )
    }
}

/// The entry we write for `kind`: `binary` (absolute, UTF-8) with `["stdio"]`.
pub fn desired_entry(kind: ClientKind, binary: &Path) -> Result<DesiredEntry, ClientsError> {
    if !binary.is_absolute() {
        return Err(ClientsError::BadBinaryPath {
            path: binary.to_path_buf(),
            problem: "is not absolute (clients start servers from an unknown folder)",
        });
    }
    let Some(command) = binary.to_str() else {
        return Err(ClientsError::BadBinaryPath {
            path: binary.to_path_buf(),
            problem: "is not valid UTF-8, so it cannot be written into a config file",
        });
    };
    Ok(DesiredEntry {
        command: command.to_string(),
        args: vec!["stdio".to_string()],
        stdio_type: kind.writes_stdio_type(),
    })
}

/// The status of every client.
pub fn list(env: &ClientEnv, binary: &Path) -> Vec<ClientReport> {
    ClientKind::ALL
        .iter()
        .map(|&k| report(k, env, binary))
        .collect()
}

/// One client's status, with its path and whether it is installed.
pub fn report(kind: ClientKind, env: &ClientEnv, binary: &Path) -> ClientReport {
    let path = config_path(kind, env);
    let installed = path.exists() || install_marker(kind, env).is_dir();
    let status = status_at(kind, &path, installed, binary);
    ClientReport {
        client: kind,
        path,
        installed,
        status,
    }
}

/// Where `kind` stands for `env`, compared with `binary`.
pub fn status(kind: ClientKind, env: &ClientEnv, binary: &Path) -> ClientStatus {
    report(kind, env, binary).status
}

fn status_at(kind: ClientKind, path: &Path, installed: bool, binary: &Path) -> ClientStatus {
    let text = match safe_write::read_text(&safe_write::resolve_target(path)) {
        Ok(Some(text)) => text,
        Ok(None) if installed => return ClientStatus::NotConnected,
        Ok(None) => return ClientStatus::NotInstalled,
        Err(e) => {
            return ClientStatus::ConfigBroken {
                reason: e.to_string(),
            };
        }
    };
    let found = match read_entry(kind, &text) {
        Ok(found) => found,
        Err(e) => {
            return ClientStatus::ConfigBroken {
                reason: e.with_path(path.to_path_buf()).to_string(),
            };
        }
    };
    let Some(found) = found else {
        return ClientStatus::NotConnected;
    };
    let desired = match desired_entry(kind, binary) {
        Ok(d) => d,
        Err(e) => {
            return ClientStatus::Outdated {
                reason: e.to_string(),
            };
        }
    };
    if let Some(reason) = outdated_reason(kind, &text, &found, &desired) {
        return ClientStatus::Outdated { reason };
    }
    ClientStatus::Connected
}

pub(crate) fn outdated_reason(
    kind: ClientKind,
    text: &str,
    found: &FoundEntry,
    desired: &DesiredEntry,
) -> Option<String> {
    found.mismatch(desired).or_else(|| {
        (kind.format() == ConfigFormat::StrictJson && json_doc::has_bom(text)).then(|| {
            format!(
                "the file starts with a byte-order mark, which {} may fail to read",
                kind.display_name()
            )
        })
    })
}

/// Add our entry to `kind`'s config (or correct it), creating the file if needed. A backup of the
/// old file goes to `<backups_dir>/<cli name>/`.
pub fn connect(
    kind: ClientKind,
    env: &ClientEnv,
    binary: &Path,
    backups_dir: &Path,
) -> Result<Change, ClientsError> {
    connect_with_hooks(kind, env, binary, backups_dir, &Hooks::default())
}

pub(crate) fn connect_with_hooks(
    kind: ClientKind,
    env: &ClientEnv,
    binary: &Path,
    backups_dir: &Path,
    hooks: &Hooks<'_>,
) -> Result<Change, ClientsError> {
    let desired = desired_entry(kind, binary)?;
    let path = config_path(kind, env);
    let mut action = ChangeAction::AlreadyConnected;
    let mut notes = Vec::new();
    let written = edit(kind, &path, backups_dir, hooks, |old| {
        let text = old.unwrap_or("");
        let had_entry = !text.trim().is_empty() && read_entry(kind, text)?.is_some();
        let edited = upsert_entry(kind, text, SERVER_NAME, &desired)?;
        action = if had_entry {
            ChangeAction::Updated
        } else {
            ChangeAction::Added
        };
        notes = edited.notes;
        Ok(Some(edited.text))
    })?;
    let backup = match written {
        Written::Replaced { backup } => backup,
        Written::Unchanged => {
            action = ChangeAction::AlreadyConnected;
            notes.clear();
            None
        }
    };
    Ok(Change {
        client: kind,
        path,
        action,
        backup,
        notes,
    })
}

/// Remove our entry from `kind`'s config; nothing else changes.
pub fn disconnect(
    kind: ClientKind,
    env: &ClientEnv,
    backups_dir: &Path,
) -> Result<Change, ClientsError> {
    let path = config_path(kind, env);
    let written = edit(kind, &path, backups_dir, &Hooks::default(), |old| {
        let Some(text) = old else { return Ok(None) };
        Ok(Some(remove_entry(kind, text, SERVER_NAME)?.text))
    })?;
    let (action, backup) = match written {
        Written::Replaced { backup } => (ChangeAction::Removed, backup),
        Written::Unchanged => (ChangeAction::NothingToRemove, None),
    };
    Ok(Change {
        client: kind,
        path,
        action,
        backup,
        notes: Vec::new(),
    })
}

/// Rewrite our entry if it is outdated; leave absent or correct entries alone.
pub fn repair(
    kind: ClientKind,
    env: &ClientEnv,
    binary: &Path,
    backups_dir: &Path,
) -> Result<Change, ClientsError> {
    let desired = desired_entry(kind, binary)?;
    let path = config_path(kind, env);
    let mut notes = Vec::new();
    let written = edit(kind, &path, backups_dir, &Hooks::default(), |old| {
        let Some(text) = old else { return Ok(None) };
        let Some(found) = read_entry(kind, text)? else {
            return Ok(None);
        };
        if outdated_reason(kind, text, &found, &desired).is_none() {
            return Ok(None);
        }
        let edited = upsert_entry(kind, text, SERVER_NAME, &desired)?;
        notes = edited.notes;
        Ok(Some(edited.text))
    })?;
    let (action, backup) = match written {
        Written::Replaced { backup } => (ChangeAction::Updated, backup),
        Written::Unchanged => {
            notes.clear();
            (ChangeAction::NothingToRepair, None)
        }
    };
    Ok(Change {
        client: kind,
        path,
        action,
        backup,
        notes,
    })
}

/// Add a server other than ours through the same lock and backup path. The app's guardian and
/// our concurrency tests use it; it is not part of the everyday API.
pub(crate) fn upsert_other_server(
    kind: ClientKind,
    env: &ClientEnv,
    name: &str,
    entry: &DesiredEntry,
    backups_dir: &Path,
) -> Result<bool, ClientsError> {
    let path = config_path(kind, env);
    let written = edit(kind, &path, backups_dir, &Hooks::default(), |old| {
        Ok(Some(
            upsert_entry(kind, old.unwrap_or(""), name, entry)?.text,
        ))
    })?;
    Ok(written != Written::Unchanged)
}

/// Lock, read, edit, validate our own output, back up, replace.
/// One backup of a client's config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// Its file name in the client's backup folder (what [`restore`] takes).
    pub name: String,
    /// The whole path.
    pub path: PathBuf,
    /// When it was taken, RFC 3339 UTC (from its name, which starts with the time).
    pub taken_at: Option<String>,
}

/// The backups of `kind`'s config, newest first.
pub fn backups(kind: ClientKind, backups_dir: &Path) -> Vec<Backup> {
    let mut out: Vec<Backup> = safe_write::list_backups(&backups_dir.join(kind.cli_name()))
        .into_iter()
        .filter(|p| p.is_file())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_string();
            Some(Backup {
                taken_at: safe_write::backup_time(&name),
                name,
                path,
            })
        })
        .collect();
    out.reverse();
    out
}

/// Put backup `name` (one of [`backups`]) back as `kind`'s config, through the same safe write
/// as every change: under the lock, the current file backed up first, written atomically, and
/// only if the backup parses in the client's format.
pub fn restore(
    kind: ClientKind,
    env: &ClientEnv,
    backups_dir: &Path,
    name: &str,
) -> Result<Change, ClientsError> {
    let dir = backups_dir.join(kind.cli_name());
    let Some(found) = backups(kind, backups_dir)
        .into_iter()
        .find(|b| b.name == name)
    else {
        return Err(ClientsError::NoSuchBackup {
            name: name.to_string(),
            dir,
        });
    };
    let text = safe_write::read_text(&found.path)?.unwrap_or_default();
    let path = config_path(kind, env);
    let written = edit(kind, &path, backups_dir, &Hooks::default(), |old| {
        Ok((old != Some(text.as_str())).then(|| text.clone()))
    })?;
    let (action, backup) = match written {
        Written::Replaced { backup } => (ChangeAction::Restored, backup),
        Written::Unchanged => (ChangeAction::AlreadyAsBackup, None),
    };
    Ok(Change {
        client: kind,
        path,
        action,
        backup,
        notes: Vec::new(),
    })
}

fn edit(
    kind: ClientKind,
    path: &Path,
    backups_dir: &Path,
    hooks: &Hooks<'_>,
    mut change: impl FnMut(Option<&str>) -> Result<Option<String>, DocError>,
) -> Result<Written, ClientsError> {
    let backup_dir = backups_dir.join(kind.cli_name());
    let place = BackupPlace { dir: &backup_dir };
    safe_write::edit_file(path, &place, hooks, |old| {
        let new = change(old).map_err(|e| e.with_path(path.to_path_buf()))?;
        if let Some(text) = &new {
            // Our own output must parse in the client's format; never write anything else.
            validate(kind, text).map_err(|e| e.with_path(path.to_path_buf()))?;
        }
        Ok(new)
    })
}

fn dialect(kind: ClientKind) -> Dialect<'static> {
    Dialect {
        strict: kind.format() == ConfigFormat::StrictJson,
        servers_key: kind.servers_key(),
        client: kind.display_name(),
    }
}

pub(crate) fn read_entry(kind: ClientKind, text: &str) -> Result<Option<FoundEntry>, DocError> {
    match kind.format() {
        ConfigFormat::Toml => toml_doc::read_entry(text, kind.servers_key(), SERVER_NAME),
        _ => json_doc::read_entry(text, dialect(kind), SERVER_NAME),
    }
}

fn upsert_entry(
    kind: ClientKind,
    text: &str,
    name: &str,
    entry: &DesiredEntry,
) -> Result<Edited, DocError> {
    match kind.format() {
        ConfigFormat::Toml => toml_doc::upsert_entry(text, kind.servers_key(), name, entry),
        _ => json_doc::upsert_entry(text, dialect(kind), name, entry),
    }
}

fn remove_entry(kind: ClientKind, text: &str, name: &str) -> Result<Edited, DocError> {
    match kind.format() {
        ConfigFormat::Toml => toml_doc::remove_entry(text, kind.servers_key(), name),
        _ => json_doc::remove_entry(text, dialect(kind), name),
    }
}

fn validate(kind: ClientKind, text: &str) -> Result<(), DocError> {
    match kind.format() {
        ConfigFormat::Toml => toml_doc::validate(text, kind.servers_key()),
        _ => json_doc::validate(text, dialect(kind)),
    }
}

/// Pure edit functions over text, for callers that manage files themselves (and for property
/// tests): add/replace, and remove, our entry in `kind`'s format.
pub mod text {
    use super::{ClientKind, ClientsError, DesiredEntry, FoundEntry, SERVER_NAME};
    use std::path::Path;

    /// `text` with our entry added or replaced. `path` is only used in error messages.
    pub fn connect(
        kind: ClientKind,
        text: &str,
        entry: &DesiredEntry,
        path: &Path,
    ) -> Result<String, ClientsError> {
        super::upsert_entry(kind, text, SERVER_NAME, entry)
            .map(|e| e.text)
            .map_err(|e| e.with_path(path.to_path_buf()))
    }

    /// `text` without our entry.
    pub fn disconnect(kind: ClientKind, text: &str, path: &Path) -> Result<String, ClientsError> {
        super::remove_entry(kind, text, SERVER_NAME)
            .map(|e| e.text)
            .map_err(|e| e.with_path(path.to_path_buf()))
    }

    /// Our entry as found in `text`.
    pub fn entry(
        kind: ClientKind,
        text: &str,
        path: &Path,
    ) -> Result<Option<FoundEntry>, ClientsError> {
        super::read_entry(kind, text).map_err(|e| e.with_path(path.to_path_buf()))
    }

    /// Whether `text` parses in `kind`'s format.
    pub fn is_valid(kind: ClientKind, text: &str) -> bool {
        super::validate(kind, text).is_ok()
    }
}
