//! Opening the app's windows in this process (the window process): the main window (tray "Open
//! Flex MCP", a second start), the approval window (a held call, the tray's "N approvals
//! waiting") and one call's detail in Activity (the tray's latest calls). The tray asks for them
//! over the window channel (`ToWindow::Show`).

use flex_core::window_channel::Page;
use tauri::{AppHandle, Emitter as _, Manager as _, WebviewUrl, WebviewWindowBuilder};

/// The label of the main window in `tauri.conf.json`.
pub(crate) const MAIN_WINDOW: &str = "main";

/// Asks an open window to show one call's detail in Activity: payload `{ "id": record id }`.
/// A window built for it starts at `index.html#activity/<id>` instead.
pub(crate) const SHOW_ACTIVITY: &str = "flex://show-activity";

/// Show `page`, building its window when it is not open (on the main thread).
pub(crate) fn show(app: &AppHandle, page: &Page) {
    match page {
        Page::Main => open_main_at(app, None),
        Page::Approval => crate::approvals::show_window(app),
        Page::Activity { id } => open_main_at(app, Some(id)),
    }
}

fn open_main_at(app: &AppHandle, record: Option<&str>) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        // Best effort: a window manager may refuse any of these, and there is nothing better to do.
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        if let Some(id) = record {
            let _ = window.emit(SHOW_ACTIVITY, serde_json::json!({ "id": id }));
        }
        return;
    }
    let Some(config) = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN_WINDOW)
    else {
        tracing::error!("tauri.conf.json has no `{MAIN_WINDOW}` window");
        return;
    };
    let mut config = config.clone();
    if let Some(id) = record {
        config.url = WebviewUrl::App(format!("index.html#activity/{id}").into());
    }
    if let Err(e) =
        WebviewWindowBuilder::from_config(app, &config).and_then(WebviewWindowBuilder::build)
    {
        tracing::error!("could not open the window: {e}");
    }
}
