//! The host: one long-lived process per user that owns the Flex clients, credentials, mode,
//! policy, activity store and approval queue, and serves one MCP session per connection on a
//! user-only local endpoint. The app runs it in-process; `flex-mcp host` runs it headless.
//!
//! - One host per user: an exclusive `flock` on a lock file in the runtime dir (released by the
//!   kernel when the process dies, so a crash never leaves a stale lock), holding our pid so a
//!   second host can say which process hosts. Only the lock holder touches the socket, so a
//!   socket file left by a crashed host is simply replaced.
//! - Unix socket at `Paths::socket_path()`: directory 0700, socket 0600, and each peer's uid
//!   checked (`SO_PEERCRED`/`getpeereid` through tokio) and refused when it is not ours: file
//!   permissions alone can be widened by mistake, the peer check cannot.
//! - Windows: a named pipe that only the current user can open, and the same lock file
//!   (the `cfg(windows)` `endpoint` below; docs/host.md "Windows").
//! - The control API ([`HostHandle`]: events, answers to approvals, confirmations, mode, pause)
//!   is Rust in this process only. The socket speaks MCP and nothing else, so an assistant that
//!   can run shell commands cannot approve its own call or confirm its own loosening.
//!
//! The window, in a process of its own, reaches this API only through the window channel
//! (`window_channel`): ends inherited in its stdio, never a path in the file system that any
//! process of the user could open.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use flex_api::Mode;
use flex_mcp::approval::{Approver, HeadlessApprover};
use flex_mcp::server::FlexServer;

use crate::activity::ActivityStore;
use crate::approvals::{Answer, ApprovalQueue, PendingApproval, QueueApprover};
use crate::events::{self, Events, HostEvent};
use crate::guard::Loosening;
use crate::guardian::{Guardian, GuardianHandle};
use crate::notice::{Notice, Notices};
use crate::paths::Paths;
use crate::serve::{API_KEY_ENV, HostContext, KeyLookup};
use crate::settings::Settings;

/// How often the host looks at the settings file, so a change from the CLI shows in the tray
/// within a second even when no call is made.
const SETTINGS_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// What a refused peer reads before the connection closes (one JSON-RPC error line, so a bridge
/// can say why instead of falling back silently).
pub const REFUSED_LINE: &str = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32001,\
\"message\":\"refused: this Flex MCP host belongs to another user\"}}\n";

/// Why a host could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// Another process already hosts for this user.
    #[error(
        "Flex MCP is already running for this user (process {pid}). Use that one, or quit it \
         first (tray menu: Quit, or stop `flex-mcp host`)."
    )]
    AlreadyRunning {
        /// Its process id, as it wrote it (0 if unreadable).
        pid: u32,
    },
    /// The runtime directory, lock or socket could not be set up.
    #[error("could not set up the local endpoint at {path}: {source}")]
    Endpoint {
        /// Which file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// How to run a host.
#[derive(Clone)]
pub struct HostOptions {
    /// Where everything lives.
    pub paths: Paths,
    /// Where stored keys come from (the keychain in production).
    pub lookup: KeyLookup,
    /// `true` in the app: "ask" waits for the person in the approval queue. `false` headless:
    /// "ask" is refused with the setting to change, as standalone does.
    pub desktop_approvals: bool,
    /// Where the Flex sign-in's items live ([`keychain_oauth_store`] in production); `None`: the
    /// Flex sign-in serves no mode (tests that do not sign in never touch a keychain).
    pub oauth_store: Option<Arc<dyn flex_auth::SecretStore>>,
    /// The `flex-mcp` program the clients' entries run (absolute): the config guardian puts
    /// entries for it back. `None`: no guardian (tests of the host alone).
    pub guardian_program: Option<PathBuf>,
    /// The app's built-in demo, served for test mode while no key is configured for it; `None`
    /// (headless, tests): no key means "not signed in".
    pub demo: Option<Arc<crate::demo::Demo>>,
}

/// This build's keychain as the store of the Flex sign-in, or `None` when there is no keychain.
pub fn keychain_oauth_store() -> Option<Arc<dyn flex_auth::SecretStore>> {
    match crate::credentials::keychain() {
        Ok(store) => Some(Arc::new(store)),
        Err(e) => {
            tracing::debug!("no keychain, so no Flex sign-in: {e:#}");
            None
        }
    }
}

impl std::fmt::Debug for HostOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostOptions")
            .field("paths", &self.paths)
            .field("desktop_approvals", &self.desktop_approvals)
            .field("guardian_program", &self.guardian_program)
            .finish_non_exhaustive()
    }
}

struct Shared {
    context: Arc<HostContext>,
    /// Kept running as long as the host.
    demo: Option<Arc<crate::demo::Demo>>,
    queue: Option<Arc<ApprovalQueue>>,
    events: Events,
    activity: Arc<ActivityStore>,
    notices: Arc<Notices>,
    guardian: Mutex<Option<GuardianHandle>>,
    socket: PathBuf,
    stop: tokio::sync::watch::Sender<bool>,
}

/// The running host: the app's control API. Cheap to clone.
#[derive(Clone)]
pub struct HostHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for HostHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostHandle")
            .field("socket", &self.shared.socket)
            .finish_non_exhaustive()
    }
}

impl HostHandle {
    /// Events from now on (mode, pause, approvals, confirmations).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<HostEvent> {
        self.shared.events.subscribe()
    }

    /// Calls waiting for the person, oldest first.
    pub fn pending_approvals(&self) -> Vec<PendingApproval> {
        self.shared
            .queue
            .as_ref()
            .map(|q| q.pending())
            .unwrap_or_default()
    }

    /// Answer a waiting call. `false` when it no longer waits or the answer is not offered.
    pub fn answer(&self, id: u64, answer: Answer) -> bool {
        self.shared
            .queue
            .as_ref()
            .is_some_and(|q| q.answer(id, answer))
    }

    /// A settings change waiting for the person's confirmation (empty: none).
    pub fn waiting_confirmation(&self) -> Vec<Loosening> {
        self.shared.context.waiting_confirmation()
    }

    /// The person confirmed it in the app.
    pub fn confirm_pending(&self) -> bool {
        self.shared.context.confirm_pending()
    }

    /// The person refused it; the file is set back to what applies.
    pub fn reject_pending(&self) -> anyhow::Result<bool> {
        self.shared.context.reject_pending()
    }

    /// Switch the mode (the app asks its own confirmation for live first). Every session uses
    /// it from its next call.
    pub fn set_mode(&self, mode: Mode) -> anyhow::Result<()> {
        self.shared.context.change_by_person(|s| s.mode = mode)?;
        Ok(())
    }

    /// The person's choice of which sign-in serves `mode` when both an API key and the Flex
    /// sign-in exist (`Settings.sign_in`; the Account page). Saved, and every session uses it
    /// from its next call.
    pub fn set_sign_in(
        &self,
        mode: Mode,
        choice: crate::key_rule::SignInChoice,
    ) -> anyhow::Result<()> {
        self.shared.context.change_by_person(|s| match mode {
            Mode::Test => s.sign_in.test = Some(choice),
            Mode::Live => s.sign_in.live = Some(choice),
        })?;
        self.shared.context.sign_in_changed();
        Ok(())
    }

    /// "Pause assistants" (`true`) or resume (`false`).
    pub fn set_paused(&self, paused: bool) -> anyhow::Result<()> {
        self.shared
            .context
            .change_by_person(|s| s.paused = paused)?;
        Ok(())
    }

    /// A change the person made on the app's Settings page: validated, then applied at once and
    /// saved (the person's own choice in the app needs no second confirmation; the same change
    /// written to the file by another program waits for one).
    pub fn change_settings(
        &self,
        change: crate::settings_change::SettingsChange,
    ) -> Result<crate::settings_change::Applied, crate::settings_change::Error> {
        use crate::settings_change::{self as sc, Error};
        let before = self
            .settings()
            .map_err(|e| Error::Store(anyhow::anyhow!(e)))?;
        let loosening = sc::is_loosening(&before, &change);
        let next = sc::apply(before, change)?;
        let settings = self
            .shared
            .context
            .change_by_person(|s| *s = next)
            .map_err(Error::Store)?;
        Ok(sc::Applied {
            settings,
            loosening,
        })
    }

    /// The settings in force.
    pub fn settings(&self) -> Result<Settings, String> {
        self.shared.context.settings_now()
    }

    /// Where the built-in demo answers, when the host runs one (the window shows the same data).
    pub fn demo_base_url(&self) -> Option<String> {
        self.shared.demo.as_ref().map(|d| d.base_url())
    }

    /// The host's Flex sign-in (its one refresher and gateway), when it has a keychain.
    pub fn flex_sign_in(&self) -> Option<Arc<crate::flex_sign_in::FlexSignIn>> {
        self.shared.context.flex_sign_in().cloned()
    }

    /// After a sign-in or sign-out made in this process (the app's "Sign in with Flex"): start
    /// the refresher afresh and decide again which sign-in serves each mode.
    pub async fn sign_in_changed(&self) {
        if let Some(flex) = self.shared.context.flex_sign_in() {
            flex.refresher().reset().await;
        }
        self.shared.context.sign_in_changed();
    }

    /// Where the host listens.
    pub fn socket_path(&self) -> &Path {
        &self.shared.socket
    }

    /// The activity store the host records to.
    pub fn activity(&self) -> &Arc<ActivityStore> {
        &self.shared.activity
    }

    /// Every call record from now on, as it is stored (the live Activity feed).
    pub fn subscribe_activity(&self) -> tokio::sync::broadcast::Receiver<flex_mcp::CallRecord> {
        self.shared.activity.subscribe()
    }

    /// The one hub of things that need the person (the guardian's, the activity store's).
    pub fn notices(&self) -> &Arc<Notices> {
        &self.shared.notices
    }

    /// Notices from now on; [`Notices::recent`] on [`HostHandle::notices`] has the earlier ones.
    pub fn subscribe_notices(&self) -> tokio::sync::broadcast::Receiver<Notice> {
        self.shared.notices.subscribe()
    }

    /// Have the guardian look at every remembered client now (after a connect or disconnect).
    pub fn check_assistants_now(&self) {
        if let Ok(guardian) = self.shared.guardian.lock()
            && let Some(g) = guardian.as_ref()
        {
            g.check_now();
        }
    }

    /// Stop accepting, end the sessions, write queued records, remove the socket, stop the
    /// guardian.
    pub fn shutdown(&self) {
        let _ = self.shared.stop.send(true);
        self.shared.activity.close();
        if let Ok(mut guardian) = self.shared.guardian.lock()
            && let Some(g) = guardian.take()
        {
            g.stop();
        }
    }

    /// Wait until [`HostHandle::shutdown`] is called.
    pub async fn stopped(&self) {
        let mut rx = self.shared.stop.subscribe();
        let _ = rx.wait_for(|stop| *stop).await;
    }
}

/// The process id of the host running for this user, if one runs (its lock is held).
pub fn running(paths: &Paths) -> Option<u32> {
    endpoint::holder(paths)
}

/// The Flex sign-in over `store`, for the hosted MCP address in settings.
fn flex_sign_in(
    context: &HostContext,
    store: Option<Arc<dyn flex_auth::SecretStore>>,
) -> Option<Arc<crate::flex_sign_in::FlexSignIn>> {
    let mcp_url = context
        .settings_now()
        .unwrap_or_default()
        .effective_mcp_url();
    crate::flex_sign_in::FlexSignIn::new(store?, &mcp_url)
        .map_err(|e| tracing::warn!("the Flex sign-in cannot be used: {e:#}"))
        .ok()
        .map(Arc::new)
}

/// Start the host on the current tokio runtime: take the lock, bind the endpoint, accept
/// sessions in the background. Fails with [`HostError::AlreadyRunning`] when another process
/// hosts.
// Taken by value: the host keeps what it needs of the options for its whole life.
#[allow(clippy::needless_pass_by_value)]
pub fn start(options: HostOptions) -> Result<HostHandle, HostError> {
    let paths = options.paths.clone();
    let lock = endpoint::lock(&paths)?;
    let socket = paths.socket_path();
    let listener = endpoint::bind(&socket)?;
    let events = events::channel();
    let context = HostContext::guarded(
        paths.clone(),
        std::env::var(API_KEY_ENV).ok(),
        options.lookup.clone(),
        events.clone(),
    );
    // The host is the one process that refreshes the Flex sign-in (issue 9): it owns the one
    // refresher and the gateway. Standalone servers never do.
    let context = match &options.demo {
        Some(demo) => context.with_demo(demo.base_url()),
        None => context,
    };
    let context = Arc::new(match flex_sign_in(&context, options.oauth_store.clone()) {
        Some(flex) => context.with_flex_sign_in(flex),
        None => context,
    });
    let retention = context.settings_now().unwrap_or_default().retention;
    let notices = Arc::new(Notices::new());
    let activity = Arc::new(ActivityStore::with_notices(
        paths.activity_db(),
        retention,
        notices.clone(),
    ));
    // A guardian that cannot watch (no inotify left) is a notice-worthy degradation, not a
    // reason to refuse serving.
    let guardian = match &options.guardian_program {
        Some(program) => match Guardian::start(&paths, program.clone(), notices.clone()) {
            Ok(g) => Some(g),
            Err(e) => {
                tracing::warn!("the config guardian could not start: {e:#}");
                None
            }
        },
        None => None,
    };
    let queue = options
        .desktop_approvals
        .then(|| Arc::new(ApprovalQueue::new(context.clone(), events.clone())));
    let approver: Arc<dyn Approver> = match &queue {
        Some(q) => Arc::new(QueueApprover(q.clone())),
        None => Arc::new(HeadlessApprover),
    };
    let server = FlexServer::with_parts(context.clone(), approver, activity.clone());
    flex_mcp::server::warm_up();
    let (stop, _) = tokio::sync::watch::channel(false);
    let shared = Arc::new(Shared {
        context,
        demo: options.demo,
        queue,
        events,
        activity,
        notices,
        guardian: Mutex::new(guardian),
        socket: socket.clone(),
        stop,
    });
    let handle = HostHandle { shared };
    tokio::spawn(watch_settings(handle.clone()));
    if let Some(flex) = handle.shared.context.flex_sign_in() {
        tokio::spawn(notice_sign_in_ended(
            flex.refresher().ended(),
            handle.shared.notices.clone(),
            handle.shared.stop.subscribe(),
        ));
    }
    tokio::spawn(endpoint::accept(listener, server, handle.clone(), lock));
    tracing::info!(socket = %socket.display(), "Flex MCP host listening");
    Ok(handle)
}

/// The app's host: this machine's paths and keychain, approvals asked on the desktop, the
/// guardian keeping entries for `program` (`program::cli_next_to` the app), the built-in demo
/// while test mode has no key. Call it once from the app's start, on its tokio runtime; the
/// handle is the app's control API.
pub async fn start_in_app(program: PathBuf) -> anyhow::Result<HostHandle> {
    let paths = Paths::from_env()
        .ok_or_else(|| anyhow::anyhow!("could not find the home directory (set HOME)"))?;
    // Without its demo the app still hosts: assistants are then told to sign in.
    let demo = crate::demo::Demo::start()
        .await
        .map(Arc::new)
        .map_err(|e| tracing::warn!("the built-in demo could not start: {e}"))
        .ok();
    Ok(start(HostOptions {
        paths,
        lookup: crate::serve::stored_key_lookup(),
        desktop_approvals: true,
        oauth_store: keychain_oauth_store(),
        guardian_program: Some(program),
        demo,
    })?)
}

/// Re-read the settings file every [`SETTINGS_POLL`], so changes reach the tray without a call.
async fn watch_settings(handle: HostHandle) {
    let mut stop = handle.shared.stop.subscribe();
    let mut tick = tokio::time::interval(SETTINGS_POLL);
    loop {
        tokio::select! {
            _ = tick.tick() => { let _ = handle.shared.context.settings_now(); }
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// Tell the person once, through the notice hub (the window and the tray), when the Flex sign-in
/// ended: the refresher stops at the first refused refresh and opens no browser by itself, so this
/// is where "sign in again" reaches a person rather than only the assistant.
async fn notice_sign_in_ended(
    mut ended: tokio::sync::watch::Receiver<Option<String>>,
    notices: Arc<Notices>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            changed = ended.changed() => if changed.is_err() { return },
            _ = stop.wait_for(|s| *s) => return,
        }
        let reason = ended.borrow_and_update().clone();
        if let Some(reason) = reason {
            notices.publish(Notice::new(
                crate::notice::NoticeCode::SignInEnded,
                format!(
                    "Your Flex sign-in has ended ({reason}), so assistants cannot reach Flex \
                     through it. Sign in again with \"Sign in with Flex\" on the Account page."
                ),
            ));
        }
    }
}

/// Serve one MCP session over a connection until either side closes.
async fn session<R, W>(server: FlexServer, reader: R, writer: W)
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
    W: tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    if let Err(e) = flex_mcp::stdio::serve_on(server, reader, writer).await {
        // A client that sent garbage or went away mid-call ends its own session only.
        tracing::info!("an MCP session ended with an error: {e}");
    }
}

#[cfg(unix)]
mod endpoint {
    use std::io::{Read as _, Seek as _, Write as _};
    use std::os::unix::fs::PermissionsExt as _;
    use std::path::Path;

    use tokio::net::{UnixListener, UnixStream};

    use super::{HostError, HostHandle, REFUSED_LINE, session};
    use crate::paths::Paths;
    use flex_mcp::server::FlexServer;

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HostError + '_ {
        move |source| HostError::Endpoint {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The runtime dir, created user-only (and made so if it was not).
    fn runtime_dir(paths: &Paths) -> Result<(), HostError> {
        let dir = &paths.runtime_dir;
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io(dir))
    }

    /// Who holds the lock, without taking it for longer than the check.
    pub(super) fn holder(paths: &Paths) -> Option<u32> {
        let path = paths.runtime_dir.join("host.lock");
        let mut file = std::fs::File::open(&path).ok()?;
        if rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockShared).is_ok() {
            return None;
        }
        let mut text = String::new();
        let _ = file.read_to_string(&mut text);
        Some(text.trim().parse().unwrap_or(0))
    }

    /// Take the single-instance lock, or say who holds it.
    pub(super) fn lock(paths: &Paths) -> Result<std::fs::File, HostError> {
        runtime_dir(paths)?;
        let path = paths.runtime_dir.join("host.lock");
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io(&path))?;
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => {
                // The holder writes its pid just after taking the lock: a host started at the
                // same moment can find the file still empty, so it waits a little for the pid.
                let mut pid = 0;
                for _ in 0..40 {
                    let mut text = String::new();
                    let _ = file.rewind();
                    let _ = file.read_to_string(&mut text);
                    pid = text.trim().parse().unwrap_or(0);
                    if pid != 0 {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                return Err(HostError::AlreadyRunning { pid });
            }
            Err(e) => return Err(io(&path)(e.into())),
        }
        file.set_len(0).map_err(io(&path))?;
        file.rewind().map_err(io(&path))?;
        writeln!(file, "{}", std::process::id()).map_err(io(&path))?;
        Ok(file)
    }

    /// Bind the socket (we hold the lock, so a file there is a dead host's) user-only.
    pub(super) fn bind(socket: &Path) -> Result<UnixListener, HostError> {
        match std::fs::remove_file(socket) {
            Ok(()) => tracing::info!("replaced a socket left by a host that exited"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(socket)(e)),
        }
        let listener = UnixListener::bind(socket).map_err(io(socket))?;
        std::fs::set_permissions(socket, std::fs::Permissions::from_mode(0o600))
            .map_err(io(socket))?;
        Ok(listener)
    }

    pub(super) async fn accept(
        listener: UnixListener,
        server: FlexServer,
        handle: HostHandle,
        lock: std::fs::File,
    ) {
        let ours = rustix::process::getuid().as_raw();
        let mut stop = handle.shared.stop.subscribe();
        loop {
            let stream = tokio::select! {
                r = listener.accept() => r,
                _ = stop.wait_for(|s| *s) => break,
            };
            match stream {
                Ok((stream, _)) => {
                    if peer_is(&stream, ours) {
                        let (r, w) = stream.into_split();
                        tokio::spawn(session(server.clone(), r, w));
                    } else {
                        tokio::spawn(refuse(stream));
                    }
                }
                Err(e) => {
                    // EMFILE and friends: wait a little rather than spin.
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
        let _ = std::fs::remove_file(&handle.shared.socket);
        drop(lock);
    }

    fn peer_is(stream: &UnixStream, ours: u32) -> bool {
        match stream.peer_cred() {
            Ok(cred) if cred.uid() == ours => true,
            Ok(cred) => {
                tracing::warn!(
                    uid = cred.uid(),
                    pid = ?cred.pid(),
                    "refused a connection from another user"
                );
                false
            }
            Err(e) => {
                tracing::warn!("refused a connection whose user cannot be checked: {e}");
                false
            }
        }
    }

    async fn refuse(mut stream: UnixStream) {
        use tokio::io::AsyncWriteExt as _;
        let _ = stream.write_all(REFUSED_LINE.as_bytes()).await;
        let _ = stream.shutdown().await;
    }
}

/// Windows: a named pipe at `pipe_name(socket path)` that only the current user can open (a
/// protected DACL with one entry, the user's SID: `flex_mcp::pipe_security`), remote clients
/// rejected by the pipe. One host per user as on Unix: an exclusive lock on `host.lock` (std's
/// `try_lock`, `LockFileEx`, released by the OS when the process dies), with the holder's pid in
/// `host.pid` beside it (a locked range cannot be read by other processes on Windows). Holding
/// the lock, the host creates the pipe's first instance with `FILE_FLAG_FIRST_PIPE_INSTANCE`: if
/// the name exists anyway, another program squats it, and the host fails loudly instead of
/// sharing a name whose other instances somebody else serves.
#[cfg(windows)]
mod endpoint {
    use std::fs::{File, OpenOptions, TryLockError};
    use std::path::{Path, PathBuf};

    use flex_bridge::locations::pipe_name;
    use interprocess::os::windows::named_pipe::pipe_mode::Bytes;
    use interprocess::os::windows::named_pipe::tokio::PipeListener;

    use super::{HostError, HostHandle, session};
    use crate::paths::Paths;
    use flex_mcp::server::FlexServer;

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HostError + '_ {
        move |source| HostError::Endpoint {
            path: path.to_path_buf(),
            source,
        }
    }

    fn lock_path(paths: &Paths) -> PathBuf {
        paths.runtime_dir.join("host.lock")
    }

    fn pid_path(paths: &Paths) -> PathBuf {
        paths.runtime_dir.join("host.pid")
    }

    fn written_pid(paths: &Paths) -> u32 {
        std::fs::read_to_string(pid_path(paths))
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Who holds the lock, without taking it for longer than the check.
    pub(super) fn holder(paths: &Paths) -> Option<u32> {
        let file = File::open(lock_path(paths)).ok()?;
        match file.try_lock_shared() {
            Ok(()) | Err(TryLockError::Error(_)) => None,
            Err(TryLockError::WouldBlock) => Some(written_pid(paths)),
        }
    }

    /// Take the single-instance lock, or say who holds it.
    pub(super) fn lock(paths: &Paths) -> Result<File, HostError> {
        let dir = &paths.runtime_dir;
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = lock_path(paths);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                // The holder writes its pid just after taking the lock: a host started at the
                // same moment can find no pid yet, so it waits a little for it.
                let mut pid = 0;
                for _ in 0..40 {
                    pid = written_pid(paths);
                    if pid != 0 {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                return Err(HostError::AlreadyRunning { pid });
            }
            Err(TryLockError::Error(e)) => return Err(io(&path)(e)),
        }
        let pid = pid_path(paths);
        std::fs::write(&pid, format!("{}\n", std::process::id())).map_err(io(&pid))?;
        Ok(file)
    }

    /// Create the pipe's first instance, current user only.
    pub(super) fn bind(socket: &Path) -> Result<PipeListener<Bytes, Bytes>, HostError> {
        let name = pipe_name(socket);
        flex_mcp::pipe_security::user_only_listener(&name)
            .and_then(|options| options.create_tokio_duplex::<Bytes>())
            .map_err(|e| {
                let source = if e.kind() == std::io::ErrorKind::PermissionDenied {
                    // ERROR_ACCESS_DENIED from FILE_FLAG_FIRST_PIPE_INSTANCE: the name exists.
                    std::io::Error::new(
                        e.kind(),
                        format!(
                            "another program already created the pipe {name} (not a Flex MCP \
                             host of yours: this process holds the host lock). Find and stop \
                             it, then start Flex MCP again."
                        ),
                    )
                } else {
                    e
                };
                io(socket)(source)
            })
    }

    pub(super) async fn accept(
        listener: PipeListener<Bytes, Bytes>,
        server: FlexServer,
        handle: HostHandle,
        lock: File,
    ) {
        let mut stop = handle.shared.stop.subscribe();
        loop {
            let stream = tokio::select! {
                r = listener.accept() => r,
                _ = stop.wait_for(|s| *s) => break,
            };
            match stream {
                Ok(stream) => {
                    let (r, w) = stream.split();
                    tokio::spawn(session(server.clone(), r, w));
                }
                Err(e) => {
                    // A client that went away while connecting, or no instance could be made:
                    // wait a little rather than spin.
                    tracing::warn!("accepting a pipe client failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
        // The pipe goes with its last handle; the lock after it, so a new host never finds
        // the name still taken by us.
        drop(listener);
        drop(lock);
    }
}
