//! The config guardian: watches the config files of the clients the person connected and puts
//! our entry back when another program removes or changes it (Claude Desktop rewrites its file
//! on launch, login and preference changes), telling the person each time with a [`Notice`].
//!
//! The parts live in `flex-clients` ([`ConfigWatcher`]: parent-directory watches, debounced;
//! [`Reapplier`]: backup-first restore, the 3-strike stop, broken files left alone). This
//! module runs them on one thread over [`Paths`]: it reads the remembered set
//! ([`crate::connected`]) and watches that file too, so a client connected or disconnected from
//! the CLI while the app runs is picked up, and a disconnect is never undone.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use flex_clients::{
    Cause, ClientEnv, ClientKind, ClientsError, ConfigWatcher, Reapplied, Reapplier,
};

use crate::connected;
use crate::notice::{Notice, NoticeCode, Notices};
use crate::paths::Paths;

/// Quiet time after the last file event before we look (saves come in bursts: temp file,
/// rename, chmod).
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// A full look at every watched client this often, in case the OS dropped an event.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Where the 3-strike rule gets the time; tests move it by hand.
pub trait Clock: Send + Sync + 'static {
    /// The current monotonic time.
    fn now(&self) -> Instant;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// What the guardian needs. [`GuardianConfig::new`] gives the product's choices.
pub struct GuardianConfig {
    /// Our state (remembered set, backups).
    pub paths: Paths,
    /// Where the clients' configs are.
    pub env: ClientEnv,
    /// The `flex-mcp` program our entry runs (absolute).
    pub binary: PathBuf,
    /// The 3-strike clock.
    pub clock: Arc<dyn Clock>,
    /// Quiet time before looking at a changed file.
    pub debounce: Duration,
}

impl GuardianConfig {
    /// The configs of this process's environment for `paths.home`, the real clock.
    pub fn new(paths: &Paths, binary: PathBuf) -> GuardianConfig {
        GuardianConfig {
            env: ClientEnv::from_process(&paths.home),
            paths: paths.clone(),
            binary,
            clock: Arc::new(SystemClock),
            debounce: DEBOUNCE,
        }
    }
}

enum Msg {
    Changed(BTreeSet<PathBuf>),
    Resume(ClientKind),
    CheckAll,
    Stop,
}

/// Starts the guardian.
#[derive(Debug)]
pub struct Guardian;

impl Guardian {
    /// Guard the clients remembered under `paths`, writing entries for `binary`; notices go to
    /// `notices`.
    pub fn start(
        paths: &Paths,
        binary: PathBuf,
        notices: Arc<Notices>,
    ) -> anyhow::Result<GuardianHandle> {
        Guardian::start_with(GuardianConfig::new(paths, binary), notices)
    }

    /// [`Guardian::start`] with every part chosen by the caller.
    pub fn start_with(
        config: GuardianConfig,
        notices: Arc<Notices>,
    ) -> anyhow::Result<GuardianHandle> {
        let (tx, rx) = std::sync::mpsc::channel::<Msg>();
        let watch_tx = tx.clone();
        let watcher = ConfigWatcher::new(config.debounce, move |files| {
            let _ = watch_tx.send(Msg::Changed(files));
        })
        .context("starting the config guardian")?;
        let thread = std::thread::Builder::new()
            .name("flex-guardian".into())
            .spawn(move || {
                let mut run = Run::new(config, watcher, notices);
                run.reload();
                run.check_all();
                loop {
                    match rx.recv_timeout(SWEEP_EVERY) {
                        Ok(Msg::Changed(files)) => run.changed(&files),
                        Ok(Msg::Resume(kind)) => run.resume(kind),
                        Ok(Msg::CheckAll) | Err(RecvTimeoutError::Timeout) => run.check_all(),
                        Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            })
            .context("starting the config guardian")?;
        Ok(GuardianHandle {
            tx,
            thread: Some(thread),
        })
    }
}

/// The running guardian. Dropping it stops it.
#[derive(Debug)]
pub struct GuardianHandle {
    tx: Sender<Msg>,
    thread: Option<JoinHandle<()>>,
}

impl GuardianHandle {
    /// The person asked to put `kind`'s entry back after the guardian stopped: clear the
    /// strikes and restore it now. Ignored for a client the person did not connect.
    pub fn resume(&self, kind: ClientKind) {
        let _ = self.tx.send(Msg::Resume(kind));
    }

    /// Look at every guarded client now.
    pub fn check_now(&self) {
        let _ = self.tx.send(Msg::CheckAll);
    }

    /// Stop watching and wait for the guardian's thread to end.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for GuardianHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The guardian thread's state.
struct Run {
    paths: Paths,
    env: ClientEnv,
    binary: PathBuf,
    clock: Arc<dyn Clock>,
    watcher: ConfigWatcher,
    notices: Arc<Notices>,
    reapplier: Reapplier,
    guarded: BTreeSet<ClientKind>,
}

impl Run {
    fn new(config: GuardianConfig, watcher: ConfigWatcher, notices: Arc<Notices>) -> Run {
        let reapplier = Reapplier::new(
            config.env.clone(),
            config.binary.clone(),
            config.paths.backups_dir(),
        );
        Run {
            paths: config.paths,
            env: config.env,
            binary: config.binary,
            clock: config.clock,
            watcher,
            notices,
            reapplier,
            guarded: BTreeSet::new(),
        }
    }

    /// Re-read the remembered set and watch its clients' files (and the set's own file).
    /// Returns the clients that were added.
    fn reload(&mut self) -> BTreeSet<ClientKind> {
        let set = match connected::remembered(&self.paths, &self.env, &self.binary) {
            Ok(set) => set,
            Err(e) => {
                tracing::warn!("the guardian cannot read the connected clients: {e}");
                return BTreeSet::new();
            }
        };
        for gone in self.guarded.difference(&set) {
            self.reapplier.forget(*gone);
        }
        let added: BTreeSet<ClientKind> = set.difference(&self.guarded).copied().collect();
        self.guarded = set;
        let mut files: Vec<PathBuf> = self
            .guarded
            .iter()
            .map(|k| self.reapplier.config_path(*k))
            .collect();
        files.push(self.paths.connected_clients_file());
        if let Err(e) = self.watcher.set_files(&files) {
            tracing::warn!("the guardian cannot watch every config: {e}");
        }
        added
    }

    fn changed(&mut self, files: &BTreeSet<PathBuf>) {
        if files.contains(&self.paths.connected_clients_file()) {
            for kind in self.reload() {
                self.check(kind);
            }
        }
        let due: Vec<ClientKind> = self
            .guarded
            .iter()
            .copied()
            .filter(|k| files.contains(&self.reapplier.config_path(*k)))
            .collect();
        for kind in due {
            self.check(kind);
        }
    }

    fn resume(&mut self, kind: ClientKind) {
        self.reload();
        if self.guarded.contains(&kind) {
            self.reapplier.resume(kind);
            self.check(kind);
        }
    }

    fn check_all(&mut self) {
        let all: Vec<ClientKind> = self.guarded.iter().copied().collect();
        for kind in all {
            self.check(kind);
        }
    }

    fn check(&mut self, kind: ClientKind) {
        if let Some(event) = self.reapplier.check(kind, self.clock.now()) {
            self.notices.publish(notice_for(event));
        }
    }
}

/// The notice for what the reapplier did, in plain words.
pub fn notice_for(event: Reapplied) -> Notice {
    let at = chrono::Local::now().format("%H:%M");
    match event {
        Reapplied::Restored {
            client,
            path,
            backup,
            cause,
        } => {
            let what = match &cause {
                Cause::Removed => {
                    format!("another program removed the Flex entry from {client}'s settings")
                }
                Cause::FileDeleted => format!("{client}'s settings file was deleted"),
                Cause::Changed { reason } => {
                    format!(
                        "another program changed the Flex entry in {client}'s settings: {reason}"
                    )
                }
            };
            let kept = if backup.is_some() {
                " A copy of the file as it was is kept in Flex MCP's backups."
            } else {
                ""
            };
            let message = format!(
                "At {at} {what}. Flex MCP put it back.{kept} {}",
                client.reload_hint()
            );
            Notice {
                client: Some(client.cli_name().to_string()),
                path: Some(path),
                backup,
                ..Notice::new(NoticeCode::EntryRestored, message)
            }
        }
        Reapplied::Stopped {
            client,
            path,
            restored,
            ..
        } => {
            let message = format!(
                "At {at} the Flex entry in {client}'s settings was removed again, after Flex MCP \
                 had put it back {restored} times in {} minutes. Flex MCP stopped putting it back: \
                 something keeps removing it. Quit {client}, then choose \"Put it back\"; or \
                 choose \"Disconnect\" to leave {client} without Flex.",
                flex_clients::STRIKE_WINDOW.as_secs() / 60,
            );
            Notice {
                client: Some(client.cli_name().to_string()),
                path: Some(path),
                ..Notice::new(NoticeCode::EntryRestoreStopped, message)
            }
        }
        Reapplied::Unparsable { client, error } => {
            let (path, line, column) = match &error {
                ClientsError::Unparsable {
                    path, line, column, ..
                }
                | ClientsError::UnexpectedShape {
                    path, line, column, ..
                } => (Some(path.clone()), Some(*line), Some(*column)),
                ClientsError::NotUtf8 { path } => (Some(path.clone()), None, None),
                _ => (None, None, None),
            };
            let message = format!(
                "At {at} {client}'s settings file changed and can no longer be read, so Flex MCP \
                 left it exactly as it is. {error}"
            );
            Notice {
                client: Some(client.cli_name().to_string()),
                path,
                line,
                column,
                ..Notice::new(NoticeCode::ConfigUnparsable, message)
            }
        }
        Reapplied::RestoreFailed { client, error } => {
            let message = format!(
                "At {at} the Flex entry was missing from {client}'s settings and Flex MCP could \
                 not put it back: {error}. Check that the file can be written, then choose \
                 \"Put it back\"."
            );
            Notice {
                client: Some(client.cli_name().to_string()),
                ..Notice::new(NoticeCode::EntryRestoreFailed, message)
            }
        }
    }
}
