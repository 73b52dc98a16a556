//! The window process's end of the window channel: host commands go to the tray and their
//! answers come back; the tray's events and show requests go to this process's handler.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::{Channel, HostCommand, Page, ToTray, ToWindow};
use crate::command_error::CommandError;

/// What the tray sends this process besides answers.
#[derive(Debug)]
pub enum FromTray {
    /// A host event for the front end (a name from `events`).
    Event {
        /// The event name.
        name: String,
        /// Its payload.
        payload: Value,
    },
    /// Show this window.
    Show(Page),
    /// The tray closed the channel (it quit): nothing more will come.
    Closed,
}

/// Calls waiting for their answer; `None` once the tray closed the channel (a call made after
/// that fails at once instead of waiting forever).
type Waiting = Arc<Mutex<Option<HashMap<u64, oneshot::Sender<Result<Value, CommandError>>>>>>;

/// The window process's end: host commands go to the tray.
pub struct Client {
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
    /// Connect over `channel`. Every message that is not an answer goes to `handler`, in order
    /// (on the channel's reading thread), ending with [`FromTray::Closed`].
    pub fn connect(
        channel: Channel,
        handler: impl Fn(FromTray) + Send + Sync + 'static,
    ) -> std::io::Result<Client> {
        let (tx, rx) = mpsc::unbounded_channel();
        let waiting: Waiting = Arc::new(Mutex::new(Some(HashMap::new())));
        let replies = waiting.clone();
        let handler = Arc::new(handler);
        let on_message = handler.clone();
        let on_line = move |line: &str| match serde_json::from_str::<ToWindow>(line) {
            Ok(ToWindow::Reply { id, result }) => {
                let done = replies
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .as_mut()
                    .and_then(|w| w.remove(&id));
                if let Some(done) = done {
                    let _ = done.send(result);
                }
            }
            Ok(ToWindow::Event { name, payload }) => on_message(FromTray::Event { name, payload }),
            Ok(ToWindow::Show { page }) => on_message(FromTray::Show(page)),
            Err(e) => tracing::warn!("the tray sent a message we cannot read: {e}"),
        };
        let closed = waiting.clone();
        let on_end = move || {
            tracing::info!("the tray closed the channel");
            // Calls still waiting get "the tray was closed" as their senders drop here.
            closed.lock().unwrap_or_else(PoisonError::into_inner).take();
            handler(FromTray::Closed);
        };
        channel.run("tray-channel", rx, on_line, on_end)?;
        Ok(Client {
            tx,
            waiting,
            next: AtomicU64::new(1),
        })
    }

    /// Run `request` in the tray process and wait for its answer.
    pub async fn call(&self, request: HostCommand) -> Result<Value, CommandError> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (done, answer) = oneshot::channel();
        self.waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
            .ok_or_else(tray_gone)?
            .insert(id, done);
        self.tx
            .send(ToTray::Call { id, request })
            .map_err(|_| tray_gone())?;
        answer.await.map_err(|_| tray_gone())?
    }
}
