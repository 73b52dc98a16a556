//! The private channel between the tray process (tray + host, no web view) and its window
//! process (the Tauri web view), issue 8 §6 and issue 7 §3.
//!
//! It is one end of a `socketpair` the tray passes to the window process as its standard input:
//! no path on disk, so no other process of the user — an assistant with a shell included — can
//! connect to it and answer an approval or confirm a loosening. The window process runs
//! `flex-mcp-desktop --window`; it finds the socket on its stdin (a WebDriver-started
//! `--window` has none and runs the one-process app instead).
//!
//! JSON lines, one message each: the window sends [`ToTray::Call`] (a [`HostCommand`], the same
//! type the one-process app executes in place) and gets [`ToWindow::Reply`]; the tray pushes the
//! host's events as [`ToWindow::Event`] (the same names and payloads the window's `api.ts`
//! listens to, so the front end cannot tell the two apart) and asks for windows with
//! [`ToWindow::Show`]. When the last window closes the window process exits, and with it every
//! WebKit process; the tray sees the end of the stream and starts a new one on the next "Open".

use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::os::unix::fs::FileTypeExt as _;
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::{AppHandle, Emitter as _, Manager as _};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::sync::{mpsc, oneshot};

use crate::error::CommandError;
use crate::host_link::HostCommand;
use crate::windows::Page;

/// Window → tray.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ToTray {
    /// Run a host command; answered by a reply with the same id.
    Call {
        /// Chosen by the window, unique per call.
        id: u64,
        /// What to run.
        request: HostCommand,
    },
}

/// Tray → window.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ToWindow {
    /// The answer to call `id`.
    Reply {
        /// The call's id.
        id: u64,
        /// What the command returned.
        result: Result<Value, CommandError>,
    },
    /// A host event for the front end (`flex://…` name and payload, as `forward.rs` names them).
    Event {
        /// The event name.
        name: String,
        /// Its payload.
        payload: Value,
    },
    /// Show a window.
    Show {
        /// Which.
        page: Page,
    },
}

/// The channel on this process's standard input, if it is a socket (we were started by a tray).
pub(crate) fn inherited() -> Option<UnixStream> {
    use std::os::fd::AsFd as _;
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    let file = std::fs::File::from(fd);
    if !file.metadata().ok()?.file_type().is_socket() {
        return None;
    }
    Some(UnixStream::from(OwnedFd::from(file)))
}

// ---- the tray side ------------------------------------------------------------------------

/// The tray process's window process, when one runs (managed state of the tray process only:
/// its presence is what makes `windows.rs` open windows here instead of in this process).
#[derive(Default)]
pub(crate) struct WindowProcess {
    current: Mutex<Option<Connection>>,
    generation: AtomicU64,
}

struct Connection {
    generation: u64,
    tx: mpsc::UnboundedSender<ToWindow>,
}

impl WindowProcess {
    /// Show `page` in the window process, starting one when none runs.
    pub(crate) fn show(&self, app: &AppHandle, page: Page) {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(c) = current.as_ref()
            && c.tx.send(ToWindow::Show { page: page.clone() }).is_ok()
        {
            return;
        }
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        match start(app, generation, page) {
            Ok(tx) => *current = Some(Connection { generation, tx }),
            Err(e) => tracing::error!("could not open the window: {e}"),
        }
    }

    /// Hand a host event to the window process, if one runs (none: the window reads the current
    /// state when it starts).
    pub(crate) fn send_event(&self, name: &str, payload: Value) {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(c) = current.as_ref() {
            let _ = c.tx.send(ToWindow::Event {
                name: name.to_string(),
                payload,
            });
        }
    }

    fn ended(&self, generation: u64) {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if current.as_ref().is_some_and(|c| c.generation == generation) {
            *current = None;
        }
    }
}

/// Start `flex-mcp-desktop --window` with our socketpair's other end as its stdin.
fn start(
    app: &AppHandle,
    generation: u64,
    page: Page,
) -> std::io::Result<mpsc::UnboundedSender<ToWindow>> {
    let (ours, theirs) = UnixStream::pair()?;
    let exe = std::env::current_exe()?;
    let mut command = Command::new(exe);
    command
        .arg(crate::role::WINDOW_ARG)
        .stdin(Stdio::from(OwnedFd::from(theirs)));
    // The web view draws with GL: give back what the tray turned off for itself.
    #[cfg(target_os = "linux")]
    if std::env::var_os(crate::role::GL_OFF_BY_US).is_some() {
        command
            .env_remove("GDK_GL")
            .env_remove(crate::role::GL_OFF_BY_US);
    }
    let mut child = command.spawn()?;
    let pid = child.id();
    tracing::info!(pid, "window process started");
    // Reap it when it ends (the stream's end tells the rest).
    let _ = std::thread::Builder::new()
        .name("window-process".into())
        .spawn(move || match child.wait() {
            Ok(status) => tracing::info!(pid, %status, "window process ended"),
            Err(e) => tracing::warn!(pid, "could not wait for the window process: {e}"),
        });
    let (tx, rx) = mpsc::unbounded_channel();
    let _ = tx.send(ToWindow::Show { page });
    ours.set_nonblocking(true)?;
    let app = app.clone();
    let replies = tx.clone();
    tauri::async_runtime::spawn(async move {
        match tokio::net::UnixStream::from_std(ours) {
            Ok(stream) => serve(&app, stream, rx, replies).await,
            Err(e) => tracing::error!("the window's channel could not be used: {e}"),
        }
        if let Some(wp) = app.try_state::<WindowProcess>() {
            wp.ended(generation);
        }
    });
    Ok(tx)
}

/// The tray's end: run the window's host commands, write replies, events and show requests.
async fn serve(
    app: &AppHandle,
    stream: tokio::net::UnixStream,
    rx: mpsc::UnboundedReceiver<ToWindow>,
    replies: mpsc::UnboundedSender<ToWindow>,
) {
    let (read, write) = stream.into_split();
    let writer = tauri::async_runtime::spawn(write_lines(write, rx));
    let mut lines = BufReader::new(read).lines();
    loop {
        match lines.next_line().await {
            Ok(Some(line)) => match serde_json::from_str::<ToTray>(&line) {
                Ok(ToTray::Call { id, request }) => {
                    let app = app.clone();
                    let replies = replies.clone();
                    tauri::async_runtime::spawn(async move {
                        let result = match app.try_state::<flex_core::host::HostHandle>() {
                            Some(host) => {
                                let host = host.inner().clone();
                                crate::host_link::execute(&app, &host, request).await
                            }
                            None => Err(CommandError::unknown("Flex MCP's host is not running.")),
                        };
                        let _ = replies.send(ToWindow::Reply { id, result });
                    });
                }
                Err(e) => tracing::warn!("the window process sent a message we cannot read: {e}"),
            },
            Ok(None) => break,
            Err(e) => {
                tracing::info!("the window's channel failed: {e}");
                break;
            }
        }
    }
    tracing::info!("the window process closed its channel");
    writer.abort();
}

async fn write_lines<T: Serialize>(
    mut write: tokio::net::unix::OwnedWriteHalf,
    mut rx: mpsc::UnboundedReceiver<T>,
) {
    while let Some(message) = rx.recv().await {
        let Ok(mut line) = serde_json::to_string(&message) else {
            continue;
        };
        line.push('\n');
        if write.write_all(line.as_bytes()).await.is_err() {
            return;
        }
    }
}

// ---- the window side ----------------------------------------------------------------------

type Waiting = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, CommandError>>>>>;

/// The window process's end: host commands go to the tray.
pub(crate) struct Client {
    tx: mpsc::UnboundedSender<ToTray>,
    waiting: Waiting,
    next: AtomicU64,
}

fn tray_gone() -> CommandError {
    CommandError::unknown(
        "The Flex MCP tray app was closed, so this window cannot reach it. Start Flex MCP again.",
    )
}

impl Client {
    /// Run `request` in the tray process and wait for its answer.
    pub(crate) async fn call(&self, request: HostCommand) -> Result<Value, CommandError> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (done, answer) = oneshot::channel();
        self.waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, done);
        self.tx
            .send(ToTray::Call { id, request })
            .map_err(|_| tray_gone())?;
        answer.await.map_err(|_| tray_gone())?
    }
}

/// Connect the window process to its tray over `stream` (call from the app's setup, on its
/// runtime). Host events are emitted to this process's windows; show requests open windows;
/// the end of the stream (the tray quit) ends this process.
pub(crate) fn connect(app: &AppHandle, stream: UnixStream) -> std::io::Result<Client> {
    stream.set_nonblocking(true)?;
    let stream =
        tauri::async_runtime::block_on(async { tokio::net::UnixStream::from_std(stream) })?;
    let (read, write) = stream.into_split();
    let (tx, rx) = mpsc::unbounded_channel();
    tauri::async_runtime::spawn(write_lines(write, rx));
    let waiting: Waiting = Arc::default();
    let app = app.clone();
    let replies = waiting.clone();
    tauri::async_runtime::spawn(async move {
        let mut lines = BufReader::new(read).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            match serde_json::from_str::<ToWindow>(&line) {
                Ok(ToWindow::Reply { id, result }) => {
                    let done = replies
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .remove(&id);
                    if let Some(done) = done {
                        let _ = done.send(result);
                    }
                }
                Ok(ToWindow::Event { name, payload }) => event(&app, &name, payload).await,
                Ok(ToWindow::Show { page }) => {
                    let inner = app.clone();
                    let _ =
                        app.run_on_main_thread(move || crate::windows::show_here(&inner, &page));
                }
                Err(e) => tracing::warn!("the tray sent a message we cannot read: {e}"),
            }
        }
        tracing::info!("the tray closed the channel: the window process ends");
        app.exit(0);
    });
    Ok(Client {
        tx,
        waiting,
        next: AtomicU64::new(1),
    })
}

/// A host event in the window process: a mode change first reads the account again (the key of
/// the new mode, or the demo), as the tray did for itself.
async fn event(app: &AppHandle, name: &str, payload: Value) {
    let mode_changed = name == crate::forward::HOST_EVENT
        && payload.get("type").and_then(Value::as_str) == Some("mode_changed");
    let _ = app.emit(name, payload);
    if mode_changed {
        if let Some(state) = app.try_state::<crate::account::AppState>() {
            state.replace(crate::account::connect().await);
        }
        let _ = app.emit(crate::forward::STATUS_CHANGED, ());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    /// The lines the docs show are what the two ends write and read.
    #[test]
    fn messages_are_the_documented_json_lines() {
        let call = ToTray::Call {
            id: 3,
            request: HostCommand::ApprovalAnswer {
                id: 7,
                answer: "approve".into(),
            },
        };
        let line = serde_json::to_string(&call).unwrap();
        assert_eq!(
            line,
            r#"{"type":"call","id":3,"request":{"command":"approval_answer","id":7,"answer":"approve"}}"#
        );
        let ToTray::Call { id, request } = serde_json::from_str(&line).unwrap();
        assert_eq!(id, 3);
        assert!(matches!(request, HostCommand::ApprovalAnswer { id: 7, .. }));

        let show = serde_json::to_string(&ToWindow::Show {
            page: Page::Activity { id: "01J".into() },
        })
        .unwrap();
        assert_eq!(
            show,
            r#"{"type":"show","page":{"page":"activity","id":"01J"}}"#
        );
    }

    #[test]
    fn an_error_reply_keeps_its_code_and_sentence() {
        let reply = ToWindow::Reply {
            id: 1,
            result: Err(CommandError::unknown("The call no longer waits.")),
        };
        let line = serde_json::to_string(&reply).unwrap();
        let Ok(ToWindow::Reply { id, result }) = serde_json::from_str::<ToWindow>(&line) else {
            panic!("not a reply: {line}");
        };
        assert_eq!(id, 1);
        let err = serde_json::to_value(result.unwrap_err()).unwrap();
        assert_eq!(err["code"], "unknown");
        assert_eq!(err["message"], "The call no longer waits.");
    }
}
