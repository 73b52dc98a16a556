//! Changing a config file without ever leaving it half-written or losing someone else's update.
//!
//! Every change is a read-modify-write done while holding an exclusive lock on a sidecar file
//! (`.<name>.flex-mcp.lock` next to the config), so two of our processes (the CLI and the app, or
//! two CLIs) never interleave. The old file is copied to a timestamped backup first, and the new
//! content is written to a temp file in the same directory, fsynced, given the old file's
//! permissions, and renamed over the config: a reader (or a crash) sees the old or the new file,
//! never a mix. The lock cannot stop a client app that rewrites its own file without it; that is
//! why backups exist.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};

use crate::error::ClientsError;

/// How many backups we keep per client; older ones are deleted.
pub const BACKUPS_KEPT: usize = 10;

/// Points in a write where a test can stop the process (to prove a crash leaves a valid file).
#[derive(Default)]
pub struct Hooks<'a> {
    /// Called when half of the new content is in the temp file.
    pub after_partial_write: Option<&'a dyn Fn()>,
    /// Called when the temp file is complete, just before it replaces the config.
    pub before_rename: Option<&'a dyn Fn()>,
}

/// Where backups of one client's config go.
pub(crate) struct BackupPlace<'a> {
    pub dir: &'a Path,
}

/// The file actually written: a symlinked config (dotfile managers) is followed, so the link
/// stays a link and its target is updated.
pub(crate) fn resolve_target(path: &Path) -> PathBuf {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// Read `path` as text; `None` when it does not exist.
pub(crate) fn read_text(path: &Path) -> Result<Option<String>, ClientsError> {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ClientsError::NotUtf8 {
                path: path.to_path_buf(),
            }),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ClientsError::io("read", path, e)),
    }
}

/// What [`edit_file`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Written {
    /// The edit produced no change; the file was not touched.
    Unchanged,
    /// The file was replaced; `backup` holds the old content (none if there was no old file).
    Replaced { backup: Option<PathBuf> },
}

/// Run `edit` on the current text of `path` (`None` if missing) under the lock, and if it returns
/// new text, back up the old file and atomically replace it.
pub(crate) fn edit_file(
    path: &Path,
    backups: &BackupPlace<'_>,
    hooks: &Hooks<'_>,
    mut edit: impl FnMut(Option<&str>) -> Result<Option<String>, ClientsError>,
) -> Result<Written, ClientsError> {
    let target = resolve_target(path);
    let dir = target
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let file_name = target.file_name().map_or_else(
        || "config".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );

    // Without the directory there is no file and nowhere to put a lock yet; only create it when
    // the edit has something to write (disconnecting must not create directories). The edit is
    // then run again under the lock, against whatever is there by then.
    if !dir.is_dir() {
        if edit(None)?.is_none() {
            return Ok(Written::Unchanged);
        }
        fs::create_dir_all(&dir).map_err(|e| ClientsError::io("create the folder", &dir, e))?;
    }

    let _lock = lock(&dir, &file_name)?;
    remove_stale_temp_files(&dir, &file_name);
    let old = read_text(&target)?;
    let Some(new_text) = edit(old.as_deref())? else {
        return Ok(Written::Unchanged);
    };
    if old.as_deref() == Some(new_text.as_str()) {
        return Ok(Written::Unchanged);
    }
    let backup = write_new(
        &target,
        &dir,
        &file_name,
        old.as_deref(),
        new_text.as_bytes(),
        backups,
        hooks,
    )?;
    Ok(Written::Replaced { backup })
}

/// The sidecar lock: exclusive, held until the returned file is dropped (closing releases it).
fn lock(dir: &Path, file_name: &str) -> Result<File, ClientsError> {
    let path = dir.join(format!(".{file_name}.flex-mcp.lock"));
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| ClientsError::io("open the lock file", &path, e))?;
    file.lock()
        .map_err(|e| ClientsError::io("lock", &path, e))?;
    Ok(file)
}

fn temp_prefix(file_name: &str) -> String {
    format!(".{file_name}.flex-mcp-tmp")
}

/// Temp files left by a process that was killed mid-write. Safe to delete: we hold the lock, and
/// temp files only exist while a writer holds it.
fn remove_stale_temp_files(dir: &Path, file_name: &str) {
    let prefix = temp_prefix(file_name);
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

fn write_new(
    target: &Path,
    dir: &Path,
    file_name: &str,
    old: Option<&str>,
    bytes: &[u8],
    backups: &BackupPlace<'_>,
    hooks: &Hooks<'_>,
) -> Result<Option<PathBuf>, ClientsError> {
    let backup = match old {
        Some(old) => Some(write_backup(backups.dir, file_name, old.as_bytes())?),
        None => None,
    };
    let permissions = fs::metadata(target).ok().map(|m| m.permissions());

    let mut tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(file_name))
        .tempfile_in(dir)
        .map_err(|e| ClientsError::io("create a temporary file in", dir, e))?;
    let half = bytes.len() / 2;
    tmp.write_all(&bytes[..half])
        .map_err(|e| ClientsError::io("write", tmp.path(), e))?;
    if let Some(hook) = hooks.after_partial_write {
        hook();
    }
    tmp.write_all(&bytes[half..])
        .map_err(|e| ClientsError::io("write", tmp.path(), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| ClientsError::io("flush", tmp.path(), e))?;
    if let Some(permissions) = permissions {
        tmp.as_file()
            .set_permissions(permissions)
            .map_err(|e| ClientsError::io("set permissions on", tmp.path(), e))?;
    }
    if let Some(hook) = hooks.before_rename {
        hook();
    }
    tmp.persist(target)
        .map_err(|e| ClientsError::io("replace", target, e.error))?;
    sync_dir(dir);
    Ok(backup)
}

/// Make the rename durable. Best effort: not every platform can open a directory.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Copy `bytes` to `<dir>/<timestamp>-<file_name>` (user-only permissions: other servers'
/// entries may hold their own secrets) and keep only the newest [`BACKUPS_KEPT`].
fn write_backup(dir: &Path, file_name: &str, bytes: &[u8]) -> Result<PathBuf, ClientsError> {
    create_private_dir(dir)?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ").to_string();
    let mut n = 0u32;
    let (path, mut file) = loop {
        let name = if n == 0 {
            format!("{stamp}-{file_name}")
        } else {
            format!("{stamp}.{n}-{file_name}")
        };
        let path = dir.join(name);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(file) => break (path, file),
            Err(e) if e.kind() == ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => return Err(ClientsError::io("write the backup", &path, e)),
        }
    };
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| ClientsError::io("write the backup", &path, e))?;
    prune_backups(dir);
    Ok(path)
}

fn create_private_dir(dir: &Path) -> Result<(), ClientsError> {
    fs::create_dir_all(dir).map_err(|e| ClientsError::io("create the backup folder", dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

/// Names start with a UTC timestamp, so name order is age order.
fn prune_backups(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut names: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .collect();
    names.sort();
    let excess = names.len().saturating_sub(BACKUPS_KEPT);
    for old in names.into_iter().take(excess) {
        let _ = fs::remove_file(old);
    }
}

/// When a backup was taken, from its name (`20261201T093000.123456Z-mcp.json`, possibly with
/// a `.N` counter after the time), as RFC 3339 UTC; `None` for a name we did not write.
pub(crate) fn backup_time(name: &str) -> Option<String> {
    let stamp = name.split('-').next()?;
    let stamp = stamp.split_once('Z').map(|(t, _)| t)?;
    let parsed = chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S%.f").ok()?;
    Some(
        parsed
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// The backups of one client, oldest first.
pub fn list_backups(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_name_gives_its_time() {
        assert_eq!(
            backup_time("20261201T093000.123456Z-mcp.json").as_deref(),
            Some("2026-12-01T09:30:00Z")
        );
        assert_eq!(
            backup_time("20261201T093000.123456Z.2-mcp.json").as_deref(),
            Some("2026-12-01T09:30:00Z")
        );
        assert_eq!(backup_time("notes.txt"), None);
        let dir = tempfile::tempdir().unwrap();
        let written = write_backup(dir.path(), "mcp.json", b"{}").unwrap();
        let name = written.file_name().unwrap().to_str().unwrap();
        assert!(backup_time(name).is_some(), "{name}");
    }

    #[test]
    fn backups_are_bounded_and_newest_kept() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..(BACKUPS_KEPT + 5) {
            write_backup(dir.path(), "mcp.json", format!("{i}").as_bytes()).unwrap();
        }
        let all = list_backups(dir.path());
        assert_eq!(all.len(), BACKUPS_KEPT);
        let newest = fs::read_to_string(all.last().unwrap()).unwrap();
        assert_eq!(
            newest,
            format!("{}", BACKUPS_KEPT + 4),
            "the newest backup survives pruning"
        );
    }

    #[cfg(unix)]
    #[test]
    fn permissions_of_the_config_are_kept() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        fs::write(&file, "{}").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
        let backups = dir.path().join("b");
        let place = BackupPlace { dir: &backups };
        let Written::Replaced {
            backup: Some(backup),
        } = edit_file(&file, &place, &Hooks::default(), |_| {
            Ok(Some("{\"a\":1}".into()))
        })
        .unwrap()
        else {
            panic!("expected a replacement with a backup")
        };
        assert_eq!(fs::read_to_string(&file).unwrap(), "{\"a\":1}");
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert_eq!(fs::read_to_string(&backup).unwrap(), "{}");
        assert_eq!(
            fs::metadata(&backup).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_config_stays_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles-mcp.json");
        fs::write(&real, "{}").unwrap();
        let link = dir.path().join("mcp.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let backups = dir.path().join("b");
        edit_file(
            &link,
            &BackupPlace { dir: &backups },
            &Hooks::default(),
            |_| Ok(Some("[]".into())),
        )
        .unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "[]");
    }

    #[test]
    fn no_directory_is_created_when_there_is_nothing_to_write() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("missing").join("c.json");
        let backups = dir.path().join("b");
        let out = edit_file(
            &file,
            &BackupPlace { dir: &backups },
            &Hooks::default(),
            |_| Ok(None),
        )
        .unwrap();
        assert_eq!(out, Written::Unchanged);
        assert!(!dir.path().join("missing").exists());
    }
}
