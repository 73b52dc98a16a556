//! Host → window: the host's events, its stored call records and its notices, forwarded to the
//! window as Tauri events as they happen (no polling). The names are the contract with
//! `ui/src/api.ts` (`EVENTS`). With no window open an emit goes nowhere, which is fine: the
//! window reads the current state when it is built again.

use flex_core::activity_rows::ActivityRow;
use flex_core::events::HostEvent;
use flex_core::host::HostHandle;
use tauri::{AppHandle, Emitter as _};
use tokio::sync::broadcast::{Receiver, error::RecvError};

/// A new call record was stored: payload is its `ActivityRow`.
pub(crate) const ACTIVITY_ADDED: &str = "flex://activity-added";
/// Something the window shows changed (mode, pause, a confirmation): reload the status.
pub(crate) const STATUS_CHANGED: &str = "flex://status-changed";
/// Every host event as it is (`HostEvent`, tagged by `type`).
pub(crate) const HOST_EVENT: &str = "flex://host-event";
/// Something that needs the person (`Notice`): an entry put back, records not saved.
pub(crate) const NOTICE: &str = "flex://notice";

/// Start forwarding for the life of the app.
pub(crate) fn start(app: &AppHandle, host: &HostHandle) {
    // System notifications come from the same host events, window open or not.
    tauri::async_runtime::spawn({
        let host = host.clone();
        async move { flex_core::desktop_notifications::start(&host) }
    });
    relay(app.clone(), host.subscribe(), |app, event: HostEvent| {
        send(app, HOST_EVENT, &event);
        if matches!(event, HostEvent::ApprovalPending { .. }) {
            crate::windows::open_approval(app);
        }
        // A loosening from outside the window waits for the person: show it at once.
        if matches!(event, HostEvent::ConfirmationPending { .. }) {
            let handle = app.clone();
            let _ = app.run_on_main_thread(move || crate::windows::open_main(&handle));
        }
        if matches!(
            event,
            HostEvent::ModeChanged { .. }
                | HostEvent::PauseChanged { .. }
                | HostEvent::ConfirmationResolved { .. }
        ) {
            send(app, STATUS_CHANGED, ());
        }
    });
    relay(app.clone(), host.subscribe_activity(), |app, record| {
        send(app, ACTIVITY_ADDED, ActivityRow::from(record));
    });
    relay(app.clone(), host.subscribe_notices(), |app, notice| {
        send(app, NOTICE, &notice);
    });
}

/// Emit `name` to this process's windows, or, in the tray process, hand it to the window process
/// (none running: dropped; a window reads the current state when it opens).
pub(crate) fn send(app: &AppHandle, name: &str, payload: impl serde::Serialize + Clone) {
    #[cfg(unix)]
    if let Some(window_process) = tauri::Manager::try_state::<crate::channel::WindowProcess>(app) {
        if let Ok(payload) = serde_json::to_value(payload) {
            window_process.send_event(name, payload);
        }
        return;
    }
    let _ = app.emit(name, payload);
}

/// Hand every message of `rx` to `each` until the sender goes away. A lagging receiver skips
/// what it missed (the window re-reads its first page on the next status change).
fn relay<T, F>(app: AppHandle, mut rx: Receiver<T>, each: F)
where
    T: Clone + Send + 'static,
    F: Fn(&AppHandle, T) + Send + 'static,
{
    tauri::async_runtime::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(message) => each(&app, message),
                Err(RecvError::Lagged(missed)) => {
                    tracing::info!(missed, "the window missed some live updates");
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
}
