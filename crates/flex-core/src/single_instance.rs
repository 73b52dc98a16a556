//! One app per user: the first copy holds a lock in the runtime dir and listens on a socket next
//! to it; a second copy finds the lock taken, asks the first to show its window, and exits before
//! building anything (no second tray icon, no second demo simulator).
//!
//! This runs before `tauri::Builder`: tauri-plugin-single-instance let the second copy run its
//! whole setup first (docs/ui.md). A file lock rather than a D-Bus name works without a session
//! bus and is released by the kernel when the process dies, so a crash never leaves a stale claim.
//!
//! Windows: the same lock file (`LockFileEx` through std, also released when the process dies),
//! and a named pipe instead of the socket (`flex_bridge::locations::pipe_name` of the socket
//! path), which only the current user can open (`flex_mcp::pipe_security`). A pipe vanishes with
//! the process that made it, so there is never an old one to remove.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{BufRead as _, BufReader, Write as _};
#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
#[cfg(unix)]
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;

use crate::Paths;

/// Where later copies knock: a Unix socket, or on Windows a named pipe.
#[cfg(unix)]
type Listener = UnixListener;
#[cfg(windows)]
type Listener = interprocess::os::windows::named_pipe::PipeListener<
    interprocess::os::windows::named_pipe::pipe_mode::Bytes,
    interprocess::os::windows::named_pipe::pipe_mode::Bytes,
>;

/// The line a second copy sends to the first.
const SHOW: &str = "show";

/// Why the claim could not be settled either way.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The runtime dir, the lock or the socket could not be used.
    #[error("Flex MCP could not check whether it is already running ({what}: {source}).")]
    Io {
        /// What we were doing.
        what: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
}

/// What starting the app found.
#[derive(Debug)]
pub enum Claim {
    /// We are the only copy: keep this alive for the app's lifetime.
    First(Instance),
    /// Another copy is running and was asked to show its window.
    AlreadyRunning,
}

/// The running copy's claim: the held lock and the socket later copies knock on.
#[derive(Debug)]
pub struct Instance {
    /// Held, never read: the claim lasts while this file stays open.
    lock: File,
    listener: Listener,
    socket: PathBuf,
}

fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io { what, source }
}

/// The lock file (user-only, in the runtime dir).
fn lock_path(paths: &Paths) -> PathBuf {
    paths.runtime_dir.join("app.lock")
}

/// The socket a second copy connects to.
fn socket_path(paths: &Paths) -> PathBuf {
    paths.runtime_dir.join("app-instance.sock")
}

/// Take the one-per-user claim, or hand over to the copy that holds it.
///
/// # Errors
/// When the runtime dir cannot be created or the lock or socket cannot be used.
#[cfg(unix)]
pub fn claim(paths: &Paths) -> Result<Claim, Error> {
    let Some(lock) = take_lock(paths)? else {
        return Ok(Claim::AlreadyRunning);
    };
    // We hold the lock, so a socket file left here is from a copy that died.
    let socket = socket_path(paths);
    match std::fs::remove_file(&socket) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io("removing an old socket")(e)),
    }
    let listener = UnixListener::bind(&socket).map_err(io("listening on the socket"))?;
    Ok(Claim::First(Instance {
        lock,
        listener,
        socket,
    }))
}

/// Take the one-per-user claim, or hand over to the copy that holds it.
///
/// # Errors
/// When the runtime dir cannot be created or the lock or pipe cannot be used.
#[cfg(windows)]
pub fn claim(paths: &Paths) -> Result<Claim, Error> {
    let Some(lock) = take_lock(paths)? else {
        return Ok(Claim::AlreadyRunning);
    };
    // We hold the lock, so the pipe cannot be another copy's: creating its first instance fails
    // only when another program took the name, which must not pass for a running copy.
    let socket = socket_path(paths);
    let listener =
        flex_mcp::pipe_security::user_only_listener(&flex_bridge::locations::pipe_name(&socket))
            .and_then(|options| options.create_duplex())
            .map_err(io("listening on the pipe"))?;
    Ok(Claim::First(Instance {
        lock,
        listener,
        socket,
    }))
}

/// Take the lock (the runtime dir and the lock file user-only on Unix); `None` when another copy
/// holds it, which has then been asked to show its window.
fn take_lock(paths: &Paths) -> Result<Option<File>, Error> {
    let mut dir = std::fs::DirBuilder::new();
    dir.recursive(true);
    let mut open = OpenOptions::new();
    open.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        dir.mode(0o700);
        open.mode(0o600);
    }
    dir.create(&paths.runtime_dir)
        .map_err(io("creating the runtime folder"))?;
    let lock = open
        .open(lock_path(paths))
        .map_err(io("opening the lock file"))?;
    match lock.try_lock() {
        Ok(()) => Ok(Some(lock)),
        Err(TryLockError::WouldBlock) => {
            knock(paths)?;
            Ok(None)
        }
        Err(TryLockError::Error(e)) => Err(io("locking")(e)),
    }
}

/// Ask the running copy to show its window.
#[cfg(unix)]
fn knock(paths: &Paths) -> Result<(), Error> {
    let mut stream =
        UnixStream::connect(socket_path(paths)).map_err(io("reaching the running copy"))?;
    writeln!(stream, "{SHOW}").map_err(io("reaching the running copy"))
}

/// Ask the running copy to show its window (the pipe's server cannot act as us: identification
/// level only).
#[cfg(windows)]
fn knock(paths: &Paths) -> Result<(), Error> {
    let mut stream = flex_mcp::pipe_security::client_options()
        .open(flex_bridge::locations::pipe_name(&socket_path(paths)))
        .map_err(io("reaching the running copy"))?;
    writeln!(stream, "{SHOW}").map_err(io("reaching the running copy"))
}

impl Instance {
    /// Call `on_show` (on a background thread) each time another copy is started. Keeps the
    /// claim for as long as the thread lives, that is the process's lifetime.
    pub fn on_show(self, on_show: impl Fn() + Send + 'static) {
        let started = std::thread::Builder::new()
            .name("single-instance".into())
            .spawn(move || {
                // The thread owns the whole claim (lock included) for the process's lifetime.
                let Instance { lock, listener, .. } = self;
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let mut line = String::new();
                    if BufReader::new(stream).read_line(&mut line).is_ok() && line.trim() == SHOW {
                        on_show();
                    }
                }
                drop(lock);
            });
        if let Err(e) = started {
            tracing::warn!(error = %e, "single-instance listener not started");
        }
    }

    /// The socket path (for logs).
    pub fn socket(&self) -> &std::path::Path {
        &self.socket
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    fn paths(dir: &tempfile::TempDir) -> Paths {
        Paths::under(dir.path(), dir.path())
    }

    #[test]
    fn a_second_claim_hands_over_and_the_first_is_asked_to_show() {
        let dir = tempfile::tempdir().unwrap();
        let Claim::First(first) = claim(&paths(&dir)).unwrap() else {
            panic!("the first claim must win");
        };
        let (tx, rx) = mpsc::channel();
        first.on_show(move || tx.send(()).unwrap());
        assert!(matches!(
            claim(&paths(&dir)).unwrap(),
            Claim::AlreadyRunning
        ));
        rx.recv_timeout(Duration::from_secs(10))
            .expect("the running copy is asked to show its window");
        assert!(matches!(
            claim(&paths(&dir)).unwrap(),
            Claim::AlreadyRunning
        ));
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
    }

    #[test]
    fn a_claim_left_by_a_process_that_ended_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        // A copy that died leaves its socket file behind but its lock is gone with it.
        let Claim::First(first) = claim(&paths(&dir)).unwrap() else {
            panic!("the first claim must win");
        };
        let socket = first.socket().to_path_buf();
        drop(first);
        #[cfg(unix)]
        assert!(socket.exists());
        #[cfg(windows)]
        let _ = socket;
        assert!(matches!(claim(&paths(&dir)).unwrap(), Claim::First(_)));
    }

    #[test]
    fn separate_homes_do_not_see_each_other() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let _a = claim(&paths(&a)).unwrap();
        assert!(matches!(claim(&paths(&b)).unwrap(), Claim::First(_)));
    }
}
