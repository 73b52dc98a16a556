//! Watching config files for changes made by other programs, debounced.
//!
//! We watch each file's *parent directory* (not the file): clients and editors save by writing a
//! temp file and renaming it over the config, or by deleting and recreating it, and a watch on
//! the old file would go quiet after the first such save. When the parent does not exist yet,
//! the nearest existing ancestor is watched and the watch moves down as folders appear. Events
//! are gathered until nothing has happened for the debounce period, then reported once as the
//! set of watched files that may have changed; the caller re-reads them (an event says "look",
//! never what changed).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::error::ClientsError;

/// Report at the latest this long after the first event of a burst, even if events go on.
const MAX_DELAY: Duration = Duration::from_secs(2);

/// Watches a set of files and calls back with the ones that may have changed.
pub struct ConfigWatcher {
    inner: Arc<Mutex<Inner>>,
    tx: Sender<Raw>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ConfigWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigWatcher").finish_non_exhaustive()
    }
}

enum Raw {
    Event(notify::Result<notify::Event>),
    Stop,
}

struct Inner {
    watcher: RecommendedWatcher,
    /// The files we report on, and the symlink targets they resolve to.
    files: BTreeMap<PathBuf, Option<PathBuf>>,
    /// Directories watched now, with their identity (so a folder deleted and recreated under
    /// the same name is watched again).
    dirs: BTreeMap<PathBuf, Option<u64>>,
}

impl ConfigWatcher {
    /// Start watching nothing yet; `on_change` is called on the watcher's own thread with the
    /// watched files that may have changed, at most once per `debounce` of quiet.
    pub fn new(
        debounce: Duration,
        on_change: impl Fn(BTreeSet<PathBuf>) + Send + 'static,
    ) -> Result<ConfigWatcher, ClientsError> {
        let (tx, rx) = std::sync::mpsc::channel::<Raw>();
        let event_tx = tx.clone();
        let watcher = notify::recommended_watcher(move |event| {
            let _ = event_tx.send(Raw::Event(event));
        })
        .map_err(|e| watch_error(Path::new("."), e))?;
        let inner = Arc::new(Mutex::new(Inner {
            watcher,
            files: BTreeMap::new(),
            dirs: BTreeMap::new(),
        }));
        let thread_inner = inner.clone();
        let thread = std::thread::Builder::new()
            .name("flex-config-watch".into())
            .spawn(move || debounce_loop(&rx, &thread_inner, debounce, &on_change))
            .map_err(|e| ClientsError::io("start watching", PathBuf::from("."), e))?;
        Ok(ConfigWatcher {
            inner,
            tx,
            thread: Some(thread),
        })
    }

    /// Watch exactly `files` from now on.
    pub fn set_files(&self, files: &[PathBuf]) -> Result<(), ClientsError> {
        let Ok(mut inner) = self.inner.lock() else {
            return Ok(());
        };
        inner.files = files
            .iter()
            .map(|f| (f.clone(), symlink_target(f)))
            .collect();
        inner.place_watches()
    }
}

impl Drop for ConfigWatcher {
    fn drop(&mut self) {
        let _ = self.tx.send(Raw::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Inner {
    /// Watch the nearest existing ancestor of every file (and of its symlink target); drop
    /// watches no file needs; re-add watches whose folder was replaced.
    fn place_watches(&mut self) -> Result<(), ClientsError> {
        let mut wanted: BTreeMap<PathBuf, Option<u64>> = BTreeMap::new();
        for (file, target) in &self.files {
            for f in std::iter::once(file).chain(target.iter()) {
                if let Some(dir) = nearest_existing_dir(f) {
                    let id = dir_identity(&dir);
                    wanted.insert(dir, id);
                }
            }
        }
        let stale: Vec<PathBuf> = self
            .dirs
            .iter()
            .filter(|(dir, id)| wanted.get(*dir) != Some(id))
            .map(|(dir, _)| dir.clone())
            .collect();
        for dir in stale {
            let _ = self.watcher.unwatch(&dir);
            self.dirs.remove(&dir);
        }
        let mut first_error = None;
        for (dir, id) in wanted {
            if self.dirs.contains_key(&dir) {
                continue;
            }
            match self.watcher.watch(&dir, RecursiveMode::NonRecursive) {
                Ok(()) => {
                    self.dirs.insert(dir, id);
                }
                Err(e) => {
                    first_error.get_or_insert_with(|| watch_error(&dir, e));
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// The watched files an event at `path` may concern: the file itself, its symlink target,
    /// or a folder on the way to it (created, removed or renamed).
    fn concerned(&self, path: &Path) -> impl Iterator<Item = &PathBuf> {
        self.files.iter().filter_map(move |(file, target)| {
            // `starts_with` is true for the path itself as well as for a folder above it.
            let hit =
                file.starts_with(path) || target.as_deref().is_some_and(|t| t.starts_with(path));
            hit.then_some(file)
        })
    }
}

fn debounce_loop(
    rx: &Receiver<Raw>,
    inner: &Mutex<Inner>,
    debounce: Duration,
    on_change: &dyn Fn(BTreeSet<PathBuf>),
) {
    let mut pending: BTreeSet<PathBuf> = BTreeSet::new();
    let mut first_at: Option<Instant> = None;
    loop {
        let raw = if pending.is_empty() {
            match rx.recv() {
                Ok(raw) => Some(raw),
                Err(_) => return,
            }
        } else {
            let waited = first_at.map_or(Duration::ZERO, |t| t.elapsed());
            let timeout = debounce.min(MAX_DELAY.saturating_sub(waited));
            match rx.recv_timeout(timeout) {
                Ok(raw) => Some(raw),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        };
        match raw {
            Some(Raw::Stop) => return,
            Some(Raw::Event(Ok(event))) => {
                if let Ok(inner) = inner.lock() {
                    for path in &event.paths {
                        pending.extend(inner.concerned(path).cloned());
                    }
                }
                if !pending.is_empty() && first_at.is_none() {
                    first_at = Some(Instant::now());
                }
            }
            Some(Raw::Event(Err(_))) => {
                // The OS dropped events (queue overflow) or a watch failed: we no longer know
                // what changed, so every file is worth a look.
                if let Ok(inner) = inner.lock() {
                    pending.extend(inner.files.keys().cloned());
                }
                first_at.get_or_insert_with(Instant::now);
            }
            None => {
                if let Ok(mut inner) = inner.lock() {
                    // Folders may have appeared or been replaced: move the watches first, so a
                    // change right after this report is not missed.
                    let _ = inner.place_watches();
                }
                first_at = None;
                on_change(std::mem::take(&mut pending));
            }
        }
    }
}

fn watch_error(path: &Path, e: notify::Error) -> ClientsError {
    let source = match e.kind {
        notify::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    };
    ClientsError::io("watch", path, source)
}

fn symlink_target(path: &Path) -> Option<PathBuf> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_symlink() {
        return None;
    }
    std::fs::canonicalize(path).ok()
}

fn nearest_existing_dir(file: &Path) -> Option<PathBuf> {
    let mut dir = file.parent()?;
    loop {
        if dir.is_dir() {
            return Some(dir.to_path_buf());
        }
        dir = dir.parent()?;
    }
}

#[cfg(unix)]
fn dir_identity(dir: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(dir).ok().map(|m| m.ino())
}

#[cfg(not(unix))]
fn dir_identity(_dir: &Path) -> Option<u64> {
    None
}
