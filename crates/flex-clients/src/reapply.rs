//! Putting our entry back when another program removed or changed it, within limits.
//!
//! [`Reapplier::check`] looks at one client's config and decides: nothing to do; put the entry
//! back (through [`crate::connect`]: backup first, lock, atomic replace); stop, because it was
//! already put back [`STRIKE_LIMIT`] times within [`STRIKE_WINDOW`] (something keeps removing
//! it and the person should decide); or leave a file that no longer parses exactly as it is.
//! It reports only what is new (a file that stays broken is reported once), and it takes the
//! time as an argument so tests can move the clock.
//!
//! Which clients to check is the caller's business: only those the person connected, never one
//! they disconnected.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::env::{ClientEnv, config_path};
use crate::error::ClientsError;
use crate::kind::ClientKind;
use crate::ops::{connect, desired_entry, outdated_reason, read_entry};
use crate::safe_write::{read_text, resolve_target};

/// How many times we put an entry back within [`STRIKE_WINDOW`] before we stop and ask.
pub const STRIKE_LIMIT: usize = 3;

/// The window of [`STRIKE_LIMIT`].
pub const STRIKE_WINDOW: Duration = Duration::from_secs(10 * 60);

/// What happened to our entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// The entry is gone from a file that is still there.
    Removed,
    /// The whole file was deleted.
    FileDeleted,
    /// The entry is there but different.
    Changed {
        /// How it differs, in plain words.
        reason: String,
    },
}

/// Something the person should hear about.
#[derive(Debug)]
pub enum Reapplied {
    /// The entry was put back.
    Restored {
        /// The client.
        client: ClientKind,
        /// Its config file.
        path: PathBuf,
        /// The copy of the file taken before writing (none when the file had been deleted).
        backup: Option<PathBuf>,
        /// What had happened.
        cause: Cause,
    },
    /// The entry was taken away again after [`STRIKE_LIMIT`] restorations within
    /// [`STRIKE_WINDOW`]; we no longer put it back until [`Reapplier::resume`].
    Stopped {
        /// The client.
        client: ClientKind,
        /// Its config file.
        path: PathBuf,
        /// What happened this time.
        cause: Cause,
        /// How many times it was put back within the window.
        restored: usize,
    },
    /// The file no longer parses. It was not touched.
    Unparsable {
        /// The client.
        client: ClientKind,
        /// The parse error (file, line, column and fix).
        error: ClientsError,
    },
    /// The entry should have been put back, but writing failed.
    RestoreFailed {
        /// The client.
        client: ClientKind,
        /// Why.
        error: ClientsError,
    },
}

/// The 3-strike rule: restorations within a sliding window.
#[derive(Debug, Clone, Default)]
pub struct Strikes {
    times: VecDeque<Instant>,
}

impl Strikes {
    /// Whether another restoration is allowed at `now`; if so it is counted.
    pub fn take(&mut self, now: Instant) -> bool {
        while let Some(&t) = self.times.front() {
            if now.saturating_duration_since(t) >= STRIKE_WINDOW {
                self.times.pop_front();
            } else {
                break;
            }
        }
        if self.times.len() >= STRIKE_LIMIT {
            return false;
        }
        self.times.push_back(now);
        true
    }

    /// Restorations counted within the window ending at the last `take`.
    pub fn count(&self) -> usize {
        self.times.len()
    }
}

#[derive(Debug, Default)]
struct ClientState {
    strikes: Strikes,
    stopped: bool,
    /// The parse error last reported, so a file that stays broken is reported once.
    broken: Option<String>,
    /// The write error last reported.
    failing: Option<String>,
}

/// Checks clients' configs and puts our entry back, per client state kept between checks.
#[derive(Debug)]
pub struct Reapplier {
    env: ClientEnv,
    binary: PathBuf,
    backups_dir: PathBuf,
    clients: BTreeMap<ClientKind, ClientState>,
}

/// What one config holds right now.
enum Seen {
    Fine,
    FolderGone,
    Wrong(Cause),
    Broken(ClientsError),
}

impl Reapplier {
    /// A reapplier writing entries for `binary`, backups under `backups_dir`.
    pub fn new(env: ClientEnv, binary: PathBuf, backups_dir: PathBuf) -> Reapplier {
        Reapplier {
            env,
            binary,
            backups_dir,
            clients: BTreeMap::new(),
        }
    }

    /// The config file of `kind` in this environment.
    pub fn config_path(&self, kind: ClientKind) -> PathBuf {
        config_path(kind, &self.env)
    }

    /// Whether we stopped putting `kind`'s entry back.
    pub fn is_stopped(&self, kind: ClientKind) -> bool {
        self.clients.get(&kind).is_some_and(|c| c.stopped)
    }

    /// Forget everything about `kind` (the person disconnected it).
    pub fn forget(&mut self, kind: ClientKind) {
        self.clients.remove(&kind);
    }

    /// The person asked to put the entry back: clear the strikes and the stop. The next
    /// [`Reapplier::check`] restores it.
    pub fn resume(&mut self, kind: ClientKind) {
        self.clients.remove(&kind);
    }

    /// Look at `kind`'s config at time `now` and act. `None`: nothing new to tell.
    pub fn check(&mut self, kind: ClientKind, now: Instant) -> Option<Reapplied> {
        let path = self.config_path(kind);
        let seen = self.look(kind, &path);
        let state = self.clients.entry(kind).or_default();
        let cause = match seen {
            Seen::Fine => {
                // Whoever put it back, it is back: a later removal is judged afresh (the
                // strikes still count, so a tug of war stops again at once).
                state.stopped = false;
                state.broken = None;
                state.failing = None;
                return None;
            }
            // The client's own folder is gone (uninstalled): recreating it would be wrong.
            Seen::FolderGone => return None,
            Seen::Broken(error) => {
                let text = error.to_string();
                if state.broken.as_deref() == Some(text.as_str()) {
                    return None;
                }
                state.broken = Some(text);
                return Some(Reapplied::Unparsable {
                    client: kind,
                    error,
                });
            }
            Seen::Wrong(cause) => cause,
        };
        state.broken = None;
        if state.stopped {
            return None;
        }
        if !state.strikes.take(now) {
            state.stopped = true;
            return Some(Reapplied::Stopped {
                client: kind,
                path,
                cause,
                restored: state.strikes.count(),
            });
        }
        match connect(kind, &self.env, &self.binary, &self.backups_dir) {
            Ok(change) => {
                state.failing = None;
                Some(Reapplied::Restored {
                    client: kind,
                    path,
                    backup: change.backup,
                    cause,
                })
            }
            // It became unparsable between our look and our write: same as above, untouched.
            Err(error) if error.is_broken_config() => {
                state.broken = Some(error.to_string());
                Some(Reapplied::Unparsable {
                    client: kind,
                    error,
                })
            }
            Err(error) => {
                let text = error.to_string();
                if state.failing.as_deref() == Some(text.as_str()) {
                    return None;
                }
                state.failing = Some(text);
                Some(Reapplied::RestoreFailed {
                    client: kind,
                    error,
                })
            }
        }
    }

    fn look(&self, kind: ClientKind, path: &Path) -> Seen {
        let target = resolve_target(path);
        let text = match read_text(&target) {
            Ok(Some(text)) => text,
            Ok(None) => {
                return if target.parent().is_some_and(Path::is_dir) {
                    Seen::Wrong(Cause::FileDeleted)
                } else {
                    Seen::FolderGone
                };
            }
            Err(e) if e.is_broken_config() => return Seen::Broken(e),
            // Unreadable for another reason (permissions, a passing I/O error): we cannot tell
            // what it holds, so we do nothing; the next change looks again.
            Err(_) => return Seen::Fine,
        };
        let found = match read_entry(kind, &text) {
            Ok(found) => found,
            Err(e) => return Seen::Broken(e.with_path(path.to_path_buf())),
        };
        let Some(found) = found else {
            return Seen::Wrong(Cause::Removed);
        };
        let Ok(desired) = desired_entry(kind, &self.binary) else {
            return Seen::Fine;
        };
        match outdated_reason(kind, &text, &found, &desired) {
            Some(reason) => Seen::Wrong(Cause::Changed { reason }),
            None => Seen::Fine,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strikes_allow_three_per_window_then_recover() {
        let t0 = Instant::now();
        let mut s = Strikes::default();
        assert!(s.take(t0));
        assert!(s.take(t0 + Duration::from_secs(60)));
        assert!(s.take(t0 + Duration::from_secs(120)));
        assert!(
            !s.take(t0 + Duration::from_secs(180)),
            "fourth within 10 minutes"
        );
        assert_eq!(s.count(), 3);
        // The first strike leaves the window ten minutes after it was taken.
        assert!(s.take(t0 + STRIKE_WINDOW));
    }
}
