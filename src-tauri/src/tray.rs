//! The tray icon and its menu (issue 8 §3). On Linux the tray is a menu only (no tooltip, no
//! click events), so the icon itself says the state (TEST, LIVE, DEMO, PAUSED) and the menu
//! carries the rest. What each item says is decided by `flex_core::tray_menu` (a pure
//! function of the state); this module only creates the items once and copies that model into
//! them in place (`set_text`, `set_checked`, `set_enabled`), never rebuilding the menu:
//! rebuilding crashes on macOS (muda#173) and flickers everywhere.
//!
//! Updates are pushed: every host event (mode, pause, approvals, confirmations — from the tray,
//! the window, the CLI or the settings file) and every stored call record refreshes the menu at
//! once. Only the assistant lines are re-read on a timer (nine small files the host does not
//! watch for us).

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use flex_api::Mode;
use flex_core::assistants;
use flex_core::host::HostHandle;
use flex_core::tray_menu::{self, Item, Slot, TrayIcon, TrayInput, TrayMenu, WaitingAction};
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager as _, Wry};
use tokio::sync::broadcast::error::RecvError;

use crate::account::AppState;

/// Menu item ids, matched in the menu handler.
const TITLE_ID: &str = "title";
const MODE_TEST_ID: &str = "mode-test";
const MODE_LIVE_ID: &str = "mode-live";
const CALL_ID_PREFIX: &str = "call-";
const WAITING_ID: &str = "waiting";
const PAUSE_ID: &str = "pause";
const OPEN_ID: &str = "open";
const QUIT_ID: &str = "quit";

/// How often the assistant lines are re-read (nine small files; nothing changes when idle).
const REFRESH: Duration = Duration::from_secs(10);

/// How many records the latest-calls lines read.
const RECENT_LIMIT: u32 = 5;
const _: () = assert!(RECENT_LIMIT as usize == tray_menu::RECENT_CALLS);

/// Side of the square tray icons in `icons/tray/` (made by `scripts/make-tray-icons.sh`).
const ICON_SIDE: u32 = 64;

fn icon_image(icon: TrayIcon) -> Image<'static> {
    let rgba: &'static [u8] = match icon {
        TrayIcon::Test => include_bytes!("../../icons/tray/test.rgba"),
        TrayIcon::Live => include_bytes!("../../icons/tray/live.rgba"),
        TrayIcon::Demo => include_bytes!("../../icons/tray/demo.rgba"),
        TrayIcon::Paused => include_bytes!("../../icons/tray/paused.rgba"),
    };
    Image::new(rgba, ICON_SIDE, ICON_SIDE)
}

/// The created items, kept to be updated in place.
struct Items {
    title: MenuItem<Wry>,
    mode: Submenu<Wry>,
    mode_test: CheckMenuItem<Wry>,
    mode_live: CheckMenuItem<Wry>,
    assistants: Submenu<Wry>,
    assistant_lines: Vec<MenuItem<Wry>>,
    latest_calls: Submenu<Wry>,
    call_lines: Vec<MenuItem<Wry>>,
    waiting: MenuItem<Wry>,
    pause: MenuItem<Wry>,
}

/// The tray: its items, the model they show now, and the assistant lines last read.
pub(crate) struct TrayView {
    tray: tauri::tray::TrayIcon<Wry>,
    items: Items,
    shown: Mutex<TrayMenu>,
    assistants: Mutex<Vec<(String, String)>>,
    /// Which sign-in serves each mode, as last read (the keychain is read with the assistants,
    /// not on every call record).
    sign_in: Mutex<Vec<(flex_api::Mode, String)>>,
}

/// Everything the menu shows, read from the host and the account now.
fn gather(
    app: &AppHandle,
    assistants: Vec<(String, String)>,
    sign_in: Vec<(flex_api::Mode, String)>,
) -> TrayInput {
    let host = app.try_state::<HostHandle>();
    let state = app.try_state::<AppState>();
    let connected = state.as_ref().map(|s| s.current());
    let settings = host
        .as_ref()
        .and_then(|h| h.settings().ok())
        .or_else(|| connected.as_ref().map(|c| c.settings.clone()))
        .unwrap_or_default();
    let recent = connected
        .as_ref()
        .and_then(|c| c.paths.as_ref())
        .and_then(|paths| {
            flex_core::activity_rows::recent(paths, &settings, RECENT_LIMIT)
                .map_err(|e| tracing::debug!("the tray could not read the latest calls: {e:#}"))
                .ok()
        })
        .unwrap_or_default();
    TrayInput {
        mode: settings.mode,
        demo: connected.as_ref().is_some_and(|c| c.account.is_demo()),
        paused: settings.paused,
        assistants,
        recent,
        approvals_waiting: host.as_ref().map_or(0, |h| h.pending_approvals().len()),
        confirmation_waiting: host
            .as_ref()
            .is_some_and(|h| !h.waiting_confirmation().is_empty()),
        sign_in,
    }
}

/// Which sign-in serves each mode, in words; empty when the keychain cannot be read.
fn sign_in_lines(app: &AppHandle) -> Vec<(flex_api::Mode, String)> {
    let Some(state) = app.try_state::<AppState>() else {
        return Vec::new();
    };
    let c = state.current();
    let (Some(paths), Ok(store)) = (c.paths.as_ref(), flex_core::credentials::keychain()) else {
        return Vec::new();
    };
    flex_core::sign_in_state::mode_lines_in(&store, paths, &c.settings)
}

fn assistant_lines(app: &AppHandle) -> Vec<(String, String)> {
    let Some(state) = app.try_state::<AppState>() else {
        return Vec::new();
    };
    let c = state.current();
    c.assistants_context()
        .map(|(paths, bin)| {
            assistants::list(paths, &bin)
                .into_iter()
                .map(|a| (a.name, a.state_label))
                .collect()
        })
        .unwrap_or_default()
}

fn item(app: &AppHandle, id: &str, look: &Item) -> tauri::Result<MenuItem<Wry>> {
    MenuItem::with_id(app, id, &look.text, look.enabled, None::<&str>)
}

fn check(app: &AppHandle, id: &str, look: &Item) -> tauri::Result<CheckMenuItem<Wry>> {
    CheckMenuItem::with_id(
        app,
        id,
        &look.text,
        look.enabled,
        look.checked,
        None::<&str>,
    )
}

/// Build the tray from the state now. Call once, after the host and the account are managed.
pub(crate) fn create(app: &AppHandle) -> tauri::Result<()> {
    let lines = assistant_lines(app);
    let signed = sign_in_lines(app);
    let model = tray_menu::menu(&gather(app, lines.clone(), signed.clone()));
    let title = item(app, TITLE_ID, &model.title)?;
    let mode_test = check(app, MODE_TEST_ID, &model.mode_test)?;
    let mode_live = check(app, MODE_LIVE_ID, &model.mode_live)?;
    let mode = Submenu::with_items(
        app,
        &model.mode.text,
        model.mode.enabled,
        &[&mode_test, &mode_live],
    )?;
    let assistant_lines: Vec<MenuItem<Wry>> = model
        .assistant_lines
        .iter()
        .map(|l| MenuItem::new(app, &l.text, l.enabled, None::<&str>))
        .collect::<tauri::Result<_>>()?;
    let assistants = submenu_of(
        app,
        &model.assistants,
        assistant_lines.iter().collect::<Vec<_>>(),
    )?;
    let call_lines: Vec<MenuItem<Wry>> = model
        .call_lines
        .iter()
        .enumerate()
        .map(|(n, l)| item(app, &format!("{CALL_ID_PREFIX}{n}"), l))
        .collect::<tauri::Result<_>>()?;
    let latest_calls = submenu_of(
        app,
        &model.latest_calls,
        call_lines.iter().collect::<Vec<_>>(),
    )?;
    let waiting = item(app, WAITING_ID, &model.waiting)?;
    let pause = item(app, PAUSE_ID, &model.pause)?;
    let open = item(app, OPEN_ID, &model.open)?;
    let quit = item(app, QUIT_ID, &model.quit)?;
    let separator = || PredefinedMenuItem::separator(app);
    let (sep1, sep2) = (separator()?, separator()?);
    let mut top: Vec<&dyn tauri::menu::IsMenuItem<Wry>> = Vec::new();
    let mut seps = [&sep1, &sep2].into_iter();
    for slot in tray_menu::TOP_LEVEL {
        match slot {
            Slot::Title => top.push(&title),
            Slot::Separator => {
                if let Some(s) = seps.next() {
                    top.push(s);
                }
            }
            Slot::Mode => top.push(&mode),
            Slot::Assistants => top.push(&assistants),
            Slot::LatestCalls => top.push(&latest_calls),
            Slot::Waiting => top.push(&waiting),
            Slot::Pause => top.push(&pause),
            Slot::Open => top.push(&open),
            Slot::Quit => top.push(&quit),
        }
    }
    let menu = Menu::with_items(app, &top)?;
    let tray = TrayIconBuilder::with_id("flex-mcp")
        .icon(icon_image(model.icon))
        .tooltip(&model.title.text)
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| chosen(app, event.id.as_ref()))
        .build(app)?;
    log_keys(&model);
    app.manage(TrayView {
        tray,
        items: Items {
            title,
            mode,
            mode_test,
            mode_live,
            assistants,
            assistant_lines,
            latest_calls,
            call_lines,
            waiting,
            pause,
        },
        shown: Mutex::new(model),
        assistants: Mutex::new(lines),
        sign_in: Mutex::new(signed),
    });
    keep_assistant_lines_current(app.clone());
    Ok(())
}

fn submenu_of(
    app: &AppHandle,
    look: &Item,
    lines: Vec<&MenuItem<Wry>>,
) -> tauri::Result<Submenu<Wry>> {
    let refs: Vec<&dyn tauri::menu::IsMenuItem<Wry>> = lines
        .into_iter()
        .map(|l| l as &dyn tauri::menu::IsMenuItem<Wry>)
        .collect();
    Submenu::with_items(app, &look.text, look.enabled, &refs)
}

/// The keyboard positions of the top-level items, from the model (the GUI test reads this
/// line instead of hard-coding positions).
fn log_keys(model: &TrayMenu) {
    let steps: Vec<String> = [
        ("mode", Slot::Mode),
        ("assistants", Slot::Assistants),
        ("latest_calls", Slot::LatestCalls),
        ("waiting", Slot::Waiting),
        ("pause", Slot::Pause),
        ("open", Slot::Open),
        ("quit", Slot::Quit),
    ]
    .iter()
    .filter_map(|(name, slot)| {
        model
            .keyboard_steps(*slot)
            .map(|n| format!("\"{name}\":{n}"))
    })
    .collect();
    tracing::info!(
        "tray menu keys {{{}}} title={:?} pause={:?}",
        steps.join(","),
        model.title.text,
        model.pause.text
    );
}

/// The account changed (a sign-in or sign-out): read which sign-in serves each mode again,
/// then show everything.
pub(crate) fn account_changed(app: &AppHandle) {
    if let Some(view) = app.try_state::<TrayView>() {
        let signed = sign_in_lines(app);
        *view.sign_in.lock().unwrap_or_else(PoisonError::into_inner) = signed;
    }
    refresh(app);
}

/// Read the state again and show it (from any thread).
pub(crate) fn refresh(app: &AppHandle) {
    let Some(view) = app.try_state::<TrayView>() else {
        return;
    };
    let lines = view
        .assistants
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let signed = view
        .sign_in
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let model = tray_menu::menu(&gather(app, lines, signed));
    view.show(model);
}

impl TrayView {
    /// Copy `next` into the items that differ from what is shown (in place).
    fn show(&self, next: TrayMenu) {
        let mut shown = self.shown.lock().unwrap_or_else(PoisonError::into_inner);
        let i = &self.items;
        let mut failed = Vec::new();
        let mut note = |r: tauri::Result<()>| {
            if let Err(e) = r {
                failed.push(e.to_string());
            }
        };
        if shown.icon != next.icon {
            note(self.tray.set_icon(Some(icon_image(next.icon))));
        }
        sync_item(&shown.title, &next.title, &i.title, &mut note);
        sync_submenu(&shown.mode, &next.mode, &i.mode, &mut note);
        // A check item ticks itself when chosen: always set both from the model.
        note(i.mode_test.set_checked(next.mode_test.checked));
        note(i.mode_live.set_checked(next.mode_live.checked));
        sync_submenu(
            &shown.assistants,
            &next.assistants,
            &i.assistants,
            &mut note,
        );
        for ((old, new), line) in shown
            .assistant_lines
            .iter()
            .zip(&next.assistant_lines)
            .zip(&i.assistant_lines)
        {
            sync_item(old, new, line, &mut note);
        }
        sync_submenu(
            &shown.latest_calls,
            &next.latest_calls,
            &i.latest_calls,
            &mut note,
        );
        for ((old, new), line) in shown
            .call_lines
            .iter()
            .zip(&next.call_lines)
            .zip(&i.call_lines)
        {
            sync_item(old, new, line, &mut note);
        }
        sync_item(&shown.waiting, &next.waiting, &i.waiting, &mut note);
        sync_item(&shown.pause, &next.pause, &i.pause, &mut note);
        for e in failed {
            tracing::warn!("the tray menu could not be updated: {e}");
        }
        if *shown != next {
            log_keys(&next);
        }
        *shown = next;
    }

    fn model(&self) -> TrayMenu {
        self.shown
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn sync_item(
    old: &Item,
    new: &Item,
    item: &MenuItem<Wry>,
    note: &mut impl FnMut(tauri::Result<()>),
) {
    if old.text != new.text {
        note(item.set_text(&new.text));
    }
    if old.enabled != new.enabled {
        note(item.set_enabled(new.enabled));
    }
}

fn sync_submenu(
    old: &Item,
    new: &Item,
    item: &Submenu<Wry>,
    note: &mut impl FnMut(tauri::Result<()>),
) {
    if old.text != new.text {
        note(item.set_text(&new.text));
    }
    if old.enabled != new.enabled {
        note(item.set_enabled(new.enabled));
    }
}

/// A menu item was chosen (on the main thread).
fn chosen(app: &AppHandle, id: &str) {
    let Some(view) = app.try_state::<TrayView>() else {
        return;
    };
    let model = view.model();
    let host = app.try_state::<HostHandle>().map(|h| h.inner().clone());
    match id {
        OPEN_ID => crate::windows::open_main(app),
        QUIT_ID => app.exit(0),
        MODE_TEST_ID => {
            if let Some(host) = host
                && let Err(e) = host.set_mode(Mode::Test)
            {
                tracing::warn!("the mode could not be switched to test: {e:#}");
            }
            refresh(app);
        }
        MODE_LIVE_ID => {
            // Undo the tick GTK just put there: the mode changes only once confirmed.
            refresh(app);
            if !model.mode_live.checked
                && let Some(host) = host
            {
                crate::confirm::switch_to_live(app, host);
            }
        }
        WAITING_ID => match model.waiting_action {
            WaitingAction::Approvals => crate::windows::open_approval(app),
            WaitingAction::Confirmation => {
                if let Some(host) = host {
                    crate::confirm::waiting_change(app, host);
                }
            }
            WaitingAction::None => {}
        },
        PAUSE_ID => {
            if let Some(host) = host {
                let paused = host.settings().is_ok_and(|s| s.paused);
                if let Err(e) = host.set_paused(!paused) {
                    tracing::warn!("assistants could not be paused or resumed: {e:#}");
                }
            }
            refresh(app);
        }
        other => {
            if let Some(n) = other
                .strip_prefix(CALL_ID_PREFIX)
                .and_then(|n| n.parse::<usize>().ok())
                && let Some(Some(record)) = model.call_ids.get(n)
            {
                crate::windows::open_activity(app, record);
            }
        }
    }
}

/// Follow the host for the life of the app: every event and every stored call refreshes the
/// menu; a mode change first reconnects the account (the key for the new mode, or the demo).
pub(crate) fn follow(app: &AppHandle, host: &HostHandle) {
    let mut events = host.subscribe();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(flex_core::events::HostEvent::ModeChanged { .. }) => {
                    if let Some(state) = handle.try_state::<AppState>() {
                        state.replace(crate::account::connect().await);
                    }
                    refresh(&handle);
                    crate::forward::send(&handle, crate::forward::STATUS_CHANGED, ());
                }
                Ok(_) | Err(RecvError::Lagged(_)) => refresh(&handle),
                Err(RecvError::Closed) => return,
            }
        }
    });
    let mut activity = host.subscribe_activity();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match activity.recv().await {
                Ok(_) | Err(RecvError::Lagged(_)) => refresh(&handle),
                Err(RecvError::Closed) => return,
            }
        }
    });
}

/// Re-read the assistants every [`REFRESH`] and show the lines that changed.
fn keep_assistant_lines_current(app: AppHandle) {
    let spawned = std::thread::Builder::new()
        .name("tray-assistants".into())
        .spawn(move || {
            loop {
                std::thread::sleep(REFRESH);
                let now = assistant_lines(&app);
                let signed = sign_in_lines(&app);
                let Some(view) = app.try_state::<TrayView>() else {
                    return;
                };
                let changed = {
                    let mut lines = view
                        .assistants
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    let mut sign_in = view.sign_in.lock().unwrap_or_else(PoisonError::into_inner);
                    let changed = *lines != now || *sign_in != signed;
                    *lines = now;
                    *sign_in = signed;
                    changed
                };
                if changed {
                    refresh(&app);
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("the tray's assistant lines will not refresh: {e}");
    }
}
