//! The tray icon and its menu: the mode (disabled, always visible), "Open Flex MCP", "Quit".

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager as _, WebviewWindowBuilder};

/// Menu item ids, matched in the menu handler.
const MODE_ID: &str = "mode";
const OPEN_ID: &str = "open";
const QUIT_ID: &str = "quit";

/// The label of the main window in `tauri.conf.json`.
const MAIN_WINDOW: &str = "main";

/// Build the tray. `mode_label` is e.g. "Mode: Test — DEMO".
pub(crate) fn create(app: &AppHandle, mode_label: &str) -> tauri::Result<()> {
    let mode = MenuItem::with_id(app, MODE_ID, mode_label, false, None::<&str>)?;
    let open = MenuItem::with_id(app, OPEN_ID, "Open Flex MCP", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT_ID, "Quit", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&mode, &separator, &open, &quit])?;
    let mut tray = TrayIconBuilder::with_id("flex-mcp")
        .tooltip(format!("Flex MCP — {mode_label}"))
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| match event.id.as_ref() {
            OPEN_ID => open_main_window(app),
            QUIT_ID => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

/// Show the main window, building it again from the config if the user closed it.
fn open_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        // Best effort: a window manager may refuse any of these, and there is nothing better to do.
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
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
    if let Err(e) =
        WebviewWindowBuilder::from_config(app, config).and_then(WebviewWindowBuilder::build)
    {
        tracing::error!("could not open the window: {e}");
    }
}
