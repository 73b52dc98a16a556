//! Opening the app's windows: the main window (tray "Open Flex MCP", a second start), the
//! approval window (a held call, the tray's "N approvals waiting") and one call's detail in
//! Activity (the tray's latest calls). The menu and the host call these; where the web view
//! lives is decided here only: in the tray process they are shown by its window process
//! (started when none runs), elsewhere in this process.

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter as _, Manager as _, WebviewUrl, WebviewWindowBuilder};

/// The label of the main window in `tauri.conf.json`.
pub(crate) const MAIN_WINDOW: &str = "main";

/// Asks an open window to show one call's detail in Activity: payload `{ "id": record id }`.
/// A window built for it starts at `index.html#activity/<id>` instead.
pub(crate) const SHOW_ACTIVITY: &str = "flex://show-activity";

/// Which window to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "page", rename_all = "snake_case")]
pub(crate) enum Page {
    /// The main window.
    Main,
    /// The approval window.
    Approval,
    /// One call record in the main window's Activity detail.
    Activity {
        /// Its id.
        id: String,
    },
}

/// Show the main window, building it again from the config if the person closed it.
pub(crate) fn open_main(app: &AppHandle) {
    show(app, Page::Main);
}

/// Show the approval window on top (built when not open).
pub(crate) fn open_approval(app: &AppHandle) {
    show(app, Page::Approval);
}

/// Show one call record in the window's Activity detail.
pub(crate) fn open_activity(app: &AppHandle, record: &str) {
    show(
        app,
        Page::Activity {
            id: record.to_string(),
        },
    );
}

fn show(app: &AppHandle, page: Page) {
    #[cfg(unix)]
    if let Some(window_process) = app.try_state::<crate::channel::WindowProcess>() {
        window_process.show(app, page);
        return;
    }
    show_here(app, &page);
}

/// Show `page` in this process's web view (the one-process app, the window process).
pub(crate) fn show_here(app: &AppHandle, page: &Page) {
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
