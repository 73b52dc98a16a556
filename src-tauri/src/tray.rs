//! The tray icon and its menu. On Linux the tray is a menu only (no tooltip, no click events), so
//! the icon itself says the state (TEST, LIVE, DEMO; PAUSED once the host can pause) and the menu
//! carries the rest: a title line, "Open Flex MCP", one line per assistant, "Quit".
//!
//! Items are created once and updated in place (`set_text`), never rebuilt: rebuilding menus
//! crashes on macOS (muda#173) and flickers everywhere. A low-frequency refresh keeps the
//! assistant lines current; it only touches an item whose text changed.

use std::time::Duration;

use flex_core::assistants::{self, Assistant};
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager as _, WebviewWindowBuilder, Wry};

/// Menu item ids, matched in the menu handler.
const TITLE_ID: &str = "title";
const OPEN_ID: &str = "open";
const QUIT_ID: &str = "quit";

/// The label of the main window in `tauri.conf.json`.
const MAIN_WINDOW: &str = "main";

/// How often the assistant lines are re-read (nine small files; nothing changes when idle).
const REFRESH: Duration = Duration::from_secs(10);

/// Side of the square tray icons in `icons/tray/` (made by `scripts/make-tray-icons.sh`).
const ICON_SIDE: u32 = 64;

/// The state the icon shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TrayState {
    /// Test mode with a real (test) key.
    Test,
    /// Live mode: real money.
    Live,
    /// The built-in demo.
    Demo,
    /// Assistants paused (the host's pause; not reachable on this branch yet).
    #[allow(dead_code)]
    Paused,
}

impl TrayState {
    fn icon(self) -> Image<'static> {
        let rgba: &'static [u8] = match self {
            TrayState::Test => include_bytes!("../../icons/tray/test.rgba"),
            TrayState::Live => include_bytes!("../../icons/tray/live.rgba"),
            TrayState::Demo => include_bytes!("../../icons/tray/demo.rgba"),
            TrayState::Paused => include_bytes!("../../icons/tray/paused.rgba"),
        };
        Image::new(rgba, ICON_SIDE, ICON_SIDE)
    }

    /// The menu's first line.
    pub(crate) fn title(self) -> &'static str {
        match self {
            TrayState::Test => "Flex MCP — Test mode",
            TrayState::Live => "Flex MCP — LIVE",
            TrayState::Demo => "Flex MCP — Demo",
            TrayState::Paused => "Flex MCP — Paused",
        }
    }
}

/// One assistant's menu line, e.g. "Cursor — connected".
fn assistant_line(a: &Assistant) -> String {
    format!("{} — {}", a.name, a.state_label)
}

/// Build the tray. `assistants` is `None` when the home folder is unknown (no lines then).
pub(crate) fn create(
    app: &AppHandle,
    state: TrayState,
    assistants: Option<(flex_core::Paths, std::path::PathBuf)>,
) -> tauri::Result<TrayView> {
    let title = MenuItem::with_id(app, TITLE_ID, state.title(), false, None::<&str>)?;
    let open = MenuItem::with_id(app, OPEN_ID, "Open Flex MCP", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT_ID, "Quit", true, None::<&str>)?;
    let list = assistants
        .as_ref()
        .map(|(paths, bin)| assistants::list(paths, bin))
        .unwrap_or_default();
    let lines: Vec<MenuItem<Wry>> = list
        .iter()
        .map(|a| MenuItem::new(app, assistant_line(a), false, None::<&str>))
        .collect::<tauri::Result<_>>()?;
    let line_refs: Vec<&dyn tauri::menu::IsMenuItem<Wry>> = lines
        .iter()
        .map(|l| l as &dyn tauri::menu::IsMenuItem<Wry>)
        .collect();
    let submenu = Submenu::with_items(app, "Assistants", !lines.is_empty(), &line_refs)?;
    let menu = Menu::with_items(
        app,
        &[
            &title,
            &PredefinedMenuItem::separator(app)?,
            &open,
            &submenu,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let tray = TrayIconBuilder::with_id("flex-mcp")
        .icon(state.icon())
        .tooltip(state.title())
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| match event.id.as_ref() {
            OPEN_ID => open_main_window(app),
            QUIT_ID => app.exit(0),
            _ => {}
        })
        .build(app)?;
    if let Some((paths, bin)) = assistants {
        keep_assistant_lines_current(paths, bin, list, lines);
    }
    Ok(TrayView { title, tray })
}

/// The state the icon shows for an app status.
pub(crate) fn state_of(status: &flex_core::app_status::AppStatus) -> TrayState {
    if status.demo {
        TrayState::Demo
    } else if status.mode == flex_api::Mode::Live {
        TrayState::Live
    } else {
        TrayState::Test
    }
}

/// Re-read the assistants every [`REFRESH`] and change the text of the lines that changed.
fn keep_assistant_lines_current(
    paths: flex_core::Paths,
    bin: std::path::PathBuf,
    mut shown: Vec<Assistant>,
    lines: Vec<MenuItem<Wry>>,
) {
    let spawned = std::thread::Builder::new()
        .name("tray-assistants".into())
        .spawn(move || {
            loop {
                std::thread::sleep(REFRESH);
                let now = assistants::list(&paths, &bin);
                for ((old, new), line) in shown.iter().zip(&now).zip(&lines) {
                    if old != new {
                        // set_text hops to the main thread itself; a failure only leaves old text.
                        if let Err(e) = line.set_text(assistant_line(new)) {
                            tracing::warn!("could not update the tray line of {}: {e}", new.name);
                        }
                    }
                }
                shown = now;
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("the tray's assistant lines will not refresh: {e}");
    }
}

/// The tray parts that change with the account, kept so they are updated in place.
pub(crate) struct TrayView {
    title: MenuItem<Wry>,
    tray: tauri::tray::TrayIcon<Wry>,
}

impl TrayView {
    /// Show `state`: the title line's text and the icon, in place.
    pub(crate) fn show(&self, state: TrayState) {
        if let Err(e) = self.title.set_text(state.title()) {
            tracing::warn!("could not update the tray title: {e}");
        }
        if let Err(e) = self.tray.set_icon(Some(state.icon())) {
            tracing::warn!("could not update the tray icon: {e}");
        }
    }
}

/// Show the main window, building it again from the config if the user closed it.
pub(crate) fn open_main_window(app: &AppHandle) {
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
