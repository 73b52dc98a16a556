//! Host → window: the event names the window listens to (`EVENTS` in `ui/src/api.ts`) and the
//! forwarding of the host's events, stored call records and notices to the window process as they
//! happen (no polling). With no window open an event goes nowhere, which is fine: the window
//! reads the current state when it is built again.

use std::sync::Arc;

use tokio::sync::broadcast::{Receiver, error::RecvError};

use super::Page;
use super::tray_side::WindowProcess;
use crate::activity_rows::ActivityRow;
use crate::events::HostEvent;
use crate::host::HostHandle;

/// A new call record was stored: payload is its `ActivityRow`.
pub const ACTIVITY_ADDED: &str = "flex://activity-added";
/// Something the window shows changed (mode, pause, a confirmation): reload the status.
pub const STATUS_CHANGED: &str = "flex://status-changed";
/// Every host event as it is (`HostEvent`, tagged by `type`).
pub const HOST_EVENT: &str = "flex://host-event";
/// Something that needs the person (`Notice`): an entry put back, records not saved.
pub const NOTICE: &str = "flex://notice";

/// Whether `name`/`payload` is the host's mode change (the window then reads its account again).
pub fn is_mode_change(name: &str, payload: &serde_json::Value) -> bool {
    name == HOST_EVENT
        && payload.get("type").and_then(serde_json::Value::as_str) == Some("mode_changed")
}

/// Forward for the life of the host (call on its tokio runtime). A held call opens the approval
/// window; a loosening from outside the window opens the main window, where it waits.
pub fn forward(host: &HostHandle, windows: &Arc<WindowProcess>) {
    relay(host.subscribe(), windows, |windows, event: HostEvent| {
        windows.send_event(HOST_EVENT, &event);
        match event {
            HostEvent::ApprovalPending { .. } => windows.show(Page::Approval),
            HostEvent::ConfirmationPending { .. } => windows.show(Page::Main),
            _ => {}
        }
        if matches!(
            event,
            HostEvent::ModeChanged { .. }
                | HostEvent::PauseChanged { .. }
                | HostEvent::ConfirmationResolved { .. }
        ) {
            windows.send_event(STATUS_CHANGED, ());
        }
    });
    relay(host.subscribe_activity(), windows, |windows, record| {
        windows.send_event(ACTIVITY_ADDED, ActivityRow::from(record));
    });
    relay(host.subscribe_notices(), windows, |windows, notice| {
        windows.send_event(NOTICE, &notice);
    });
}

/// Hand every message of `rx` to `each` until the sender goes away. A lagging receiver skips
/// what it missed (the window re-reads its first page on the next status change).
fn relay<T, F>(mut rx: Receiver<T>, windows: &Arc<WindowProcess>, each: F)
where
    T: Clone + Send + 'static,
    F: Fn(&Arc<WindowProcess>, T) + Send + 'static,
{
    let windows = windows.clone();
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(message) => each(&windows, message),
                Err(RecvError::Lagged(missed)) => {
                    tracing::info!(missed, "the window missed some live updates");
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
}
