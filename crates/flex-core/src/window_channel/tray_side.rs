//! The tray's end of the window channel: start the window process when a window is wanted (or
//! adopt the one that started us), run its host commands, push the host's events to it. When
//! the last window closes the window process exits, and with it every WebKit process; the tray
//! sees the end of the stream and starts a new one on the next "Open".

use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use tokio::sync::mpsc;

use super::{Channel, Page, ToTray, ToWindow, commands};
use crate::host::HostHandle;

/// Builds the command that starts a window process (the program and its environment; the
/// channel and `--window` are added here).
pub type Launch = Box<dyn Fn() -> Command + Send + Sync>;

/// The argument of the window process.
pub const WINDOW_ARG: &str = "--window";

/// The tray's window process, when one runs.
pub struct WindowProcess {
    launch: Launch,
    host: HostHandle,
    account_changed: Arc<dyn Fn() + Send + Sync>,
    runtime: tokio::runtime::Handle,
    current: Mutex<Option<Connection>>,
    generation: AtomicU64,
}

struct Connection {
    generation: u64,
    tx: mpsc::UnboundedSender<ToWindow>,
}

impl WindowProcess {
    /// Window processes started by `launch`, serving `host`'s commands on `runtime`;
    /// `account_changed` is the tray's reaction when the window signed in or out.
    pub fn new(
        launch: Launch,
        host: HostHandle,
        account_changed: Arc<dyn Fn() + Send + Sync>,
        runtime: tokio::runtime::Handle,
    ) -> Arc<WindowProcess> {
        Arc::new(WindowProcess {
            launch,
            host,
            account_changed,
            runtime,
            current: Mutex::new(None),
            generation: AtomicU64::new(0),
        })
    }

    /// Show `page` in the window process, starting one when none runs (from any thread).
    pub fn show(self: &Arc<Self>, page: Page) {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(c) = current.as_ref()
            && c.tx.send(ToWindow::Show { page: page.clone() }).is_ok()
        {
            return;
        }
        match self.start(page) {
            Ok(connection) => *current = Some(connection),
            Err(e) => tracing::error!("could not open the window: {e}"),
        }
    }

    /// Serve the window process that started this tray over `channel` (in our stdio); `ended`
    /// runs when it closes it (the tray then has no reason to stay).
    pub fn adopt(
        self: &Arc<Self>,
        channel: Channel,
        ended: impl FnOnce() + Send + 'static,
    ) -> std::io::Result<()> {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        let connection = self.serve(channel, None, Box::new(ended))?;
        *current = Some(connection);
        Ok(())
    }

    /// Hand an event to the window process, if one runs (none: the window reads the current
    /// state when it starts).
    pub fn send_event(&self, name: &str, payload: impl Serialize) {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(c) = current.as_ref()
            && let Ok(payload) = serde_json::to_value(payload)
        {
            let _ = c.tx.send(ToWindow::Event {
                name: name.to_string(),
                payload,
            });
        }
    }

    /// Whether a window process is connected now.
    pub fn running(&self) -> bool {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    fn ended(&self, generation: u64) {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if current.as_ref().is_some_and(|c| c.generation == generation) {
            *current = None;
        }
    }

    /// Start a window process with the channel's other end in its stdio, showing `page`.
    fn start(self: &Arc<Self>, page: Page) -> std::io::Result<Connection> {
        let mut command = (self.launch)();
        command.arg(WINDOW_ARG);
        let channel = Channel::for_child(&mut command)?;
        let mut child = command.spawn()?;
        // Our copy of the child's end closes with `command`, so its end of the channel is its own.
        drop(command);
        let pid = child.id();
        tracing::info!(pid, "window process started");
        // Reap it when it ends (the channel's end tells the rest).
        let _ = std::thread::Builder::new()
            .name("window-process".into())
            .spawn(move || match child.wait() {
                Ok(status) => tracing::info!(pid, %status, "window process ended"),
                Err(e) => tracing::warn!(pid, "could not wait for the window process: {e}"),
            });
        self.serve(channel, Some(page), Box::new(|| {}))
    }

    /// Serve one window process's channel: its host commands run on the runtime; our replies,
    /// events and show requests go back in order.
    fn serve(
        self: &Arc<Self>,
        channel: Channel,
        first: Option<Page>,
        ended: Box<dyn FnOnce() + Send>,
    ) -> std::io::Result<Connection> {
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        let (tx, rx) = mpsc::unbounded_channel();
        if let Some(page) = first {
            let _ = tx.send(ToWindow::Show { page });
        }
        let me = self.clone();
        let replies = tx.clone();
        let on_line = move |line: &str| match serde_json::from_str::<ToTray>(line) {
            Ok(ToTray::Call { id, request }) => {
                let host = me.host.clone();
                let account_changed = me.account_changed.clone();
                let replies = replies.clone();
                me.runtime.spawn(async move {
                    let result = commands::execute(&host, request, &*account_changed).await;
                    let _ = replies.send(ToWindow::Reply { id, result });
                });
            }
            Err(e) => tracing::warn!("the window process sent a message we cannot read: {e}"),
        };
        let me = self.clone();
        let on_end = move || {
            tracing::info!("the window process closed its channel");
            me.ended(generation);
            ended();
        };
        channel.run("window-channel", rx, on_line, on_end)?;
        Ok(Connection { generation, tx })
    }
}
