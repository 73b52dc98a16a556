//! The tray icon and its menu (issue 8 §3). On Linux the tray is a menu only (no tooltip, no
//! click events), so the icon itself says the state (TEST, LIVE, DEMO, PAUSED) and the menu
//! carries the rest. What each item says is decided by `flex_core::tray_menu` (a pure function
//! of the state); this module only creates the items once and copies that model into them in
//! place (`set_text`, `set_checked`, `set_enabled`), never rebuilding the menu: rebuilding
//! crashes on macOS (muda#173) and flickers everywhere. Everything here runs on the main thread.

use std::sync::{Arc, Mutex, PoisonError};

use flex_api::Mode;
use flex_core::tray_menu::{self, Item, Slot, TrayIcon, TrayMenu, WaitingAction};
use flex_core::window_channel::Page;
use flex_core::window_channel::tray_side::WindowProcess;
use tao::event_loop::EventLoopProxy;
use tray_icon::menu::{
    CheckMenuItem, IsMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu,
};

use crate::UserEvent;
use crate::shown::Shown;

/// Menu item ids, matched in [`Tray::chosen`].
const TITLE_ID: &str = "title";
const MODE_TEST_ID: &str = "mode-test";
const MODE_LIVE_ID: &str = "mode-live";
const CALL_ID_PREFIX: &str = "call-";
const WAITING_ID: &str = "waiting";
const PAUSE_ID: &str = "pause";
const OPEN_ID: &str = "open";
const QUIT_ID: &str = "quit";

/// Side of the square tray icons in `icons/tray/` (made by `scripts/make-tray-icons.sh`).
const ICON_SIDE: u32 = 64;

fn icon_image(icon: TrayIcon) -> Option<tray_icon::Icon> {
    let rgba: &'static [u8] = match icon {
        TrayIcon::Test => include_bytes!("../../../icons/tray/test.rgba"),
        TrayIcon::Live => include_bytes!("../../../icons/tray/live.rgba"),
        TrayIcon::Demo => include_bytes!("../../../icons/tray/demo.rgba"),
        TrayIcon::Paused => include_bytes!("../../../icons/tray/paused.rgba"),
    };
    tray_icon::Icon::from_rgba(rgba.to_vec(), ICON_SIDE, ICON_SIDE)
        .map_err(|e| tracing::warn!("a tray icon could not be read: {e}"))
        .ok()
}

/// What the event loop does after a chosen item.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Go on.
    Stay,
    /// The person chose Quit.
    Quit,
}

/// The created items, kept to be updated in place.
struct Items {
    title: MenuItem,
    mode: Submenu,
    mode_test: CheckMenuItem,
    mode_live: CheckMenuItem,
    assistants: Submenu,
    assistant_lines: Vec<MenuItem>,
    latest_calls: Submenu,
    call_lines: Vec<MenuItem>,
    waiting: MenuItem,
    pause: MenuItem,
}

/// The tray: its icon, its items and the model they show now.
pub(crate) struct Tray {
    icon: tray_icon::TrayIcon,
    items: Items,
    shown: TrayMenu,
    state: Arc<Shown>,
    windows: Arc<WindowProcess>,
}

fn item(id: &str, look: &Item) -> MenuItem {
    MenuItem::with_id(id, &look.text, look.enabled, None)
}

fn check(id: &str, look: &Item) -> CheckMenuItem {
    CheckMenuItem::with_id(id, &look.text, look.enabled, look.checked, None)
}

fn submenu_of(look: &Item, lines: &[MenuItem]) -> tray_icon::menu::Result<Submenu> {
    let refs: Vec<&dyn IsMenuItem> = lines.iter().map(|l| l as &dyn IsMenuItem).collect();
    Submenu::with_items(&look.text, look.enabled, &refs)
}

impl Tray {
    /// Build the tray from the state now (on the main thread, once).
    pub(crate) fn create(
        state: &Arc<Shown>,
        windows: &Arc<WindowProcess>,
    ) -> Result<Tray, Box<dyn std::error::Error>> {
        let model = state.model();
        let title = item(TITLE_ID, &model.title);
        let mode_test = check(MODE_TEST_ID, &model.mode_test);
        let mode_live = check(MODE_LIVE_ID, &model.mode_live);
        let mode = Submenu::with_items(
            &model.mode.text,
            model.mode.enabled,
            &[&mode_test, &mode_live],
        )?;
        let assistant_lines: Vec<MenuItem> = model
            .assistant_lines
            .iter()
            .map(|l| MenuItem::new(&l.text, l.enabled, None))
            .collect();
        let assistants = submenu_of(&model.assistants, &assistant_lines)?;
        let call_lines: Vec<MenuItem> = model
            .call_lines
            .iter()
            .enumerate()
            .map(|(n, l)| item(&format!("{CALL_ID_PREFIX}{n}"), l))
            .collect();
        let latest_calls = submenu_of(&model.latest_calls, &call_lines)?;
        let waiting = item(WAITING_ID, &model.waiting);
        let pause = item(PAUSE_ID, &model.pause);
        let open = item(OPEN_ID, &model.open);
        let quit = item(QUIT_ID, &model.quit);
        let (sep1, sep2) = (
            PredefinedMenuItem::separator(),
            PredefinedMenuItem::separator(),
        );
        let mut top: Vec<&dyn IsMenuItem> = Vec::new();
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
        let menu = Menu::with_items(&top)?;
        let mut builder = tray_icon::TrayIconBuilder::new()
            .with_id("flex-mcp")
            .with_tooltip(&model.title.text)
            .with_menu(Box::new(menu))
            .with_menu_on_left_click(true);
        if let Some(icon) = icon_image(model.icon) {
            builder = builder.with_icon(icon);
        }
        let icon = builder.build()?;
        log_keys(&model);
        Ok(Tray {
            icon,
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
            shown: model,
            state: state.clone(),
            windows: windows.clone(),
        })
    }

    /// The title line shown now.
    pub(crate) fn title(&self) -> &str {
        &self.shown.title.text
    }

    /// Copy `next` into the items that differ from what is shown (in place).
    pub(crate) fn show(&mut self, next: TrayMenu) {
        let shown = &self.shown;
        let i = &self.items;
        if shown.icon != next.icon
            && let Err(e) = self.icon.set_icon(icon_image(next.icon))
        {
            tracing::warn!("the tray icon could not be updated: {e}");
        }
        sync(&shown.title, &next.title, &i.title);
        sync(&shown.mode, &next.mode, &i.mode);
        // A check item ticks itself when chosen: always set both from the model.
        i.mode_test.set_checked(next.mode_test.checked);
        i.mode_live.set_checked(next.mode_live.checked);
        sync(&shown.assistants, &next.assistants, &i.assistants);
        sync_lines(
            &shown.assistant_lines,
            &next.assistant_lines,
            &i.assistant_lines,
        );
        sync(&shown.latest_calls, &next.latest_calls, &i.latest_calls);
        sync_lines(&shown.call_lines, &next.call_lines, &i.call_lines);
        sync(&shown.waiting, &next.waiting, &i.waiting);
        sync(&shown.pause, &next.pause, &i.pause);
        if *shown != next {
            log_keys(&next);
        }
        self.shown = next;
    }

    /// A menu item was chosen.
    pub(crate) fn chosen(&mut self, id: &str) -> Next {
        let model = &self.shown;
        let host = &self.state.host;
        match id {
            OPEN_ID => self.windows.show(Page::Main),
            QUIT_ID => return Next::Quit,
            MODE_TEST_ID => {
                if let Err(e) = host.set_mode(Mode::Test) {
                    tracing::warn!("the mode could not be switched to test: {e:#}");
                }
                self.state.refresh();
            }
            MODE_LIVE_ID => {
                // Undo the tick GTK just put there: the mode changes only once confirmed.
                self.state.refresh();
                if !model.mode_live.checked {
                    self.state.send(UserEvent::ConfirmLive);
                }
            }
            WAITING_ID => match model.waiting_action {
                WaitingAction::Approvals => self.windows.show(Page::Approval),
                WaitingAction::Confirmation => self.state.send(UserEvent::ConfirmWaiting),
                WaitingAction::None => {}
            },
            PAUSE_ID => {
                let paused = host.settings().is_ok_and(|s| s.paused);
                if let Err(e) = host.set_paused(!paused) {
                    tracing::warn!("assistants could not be paused or resumed: {e:#}");
                }
                self.state.refresh();
            }
            other => {
                if let Some(n) = other
                    .strip_prefix(CALL_ID_PREFIX)
                    .and_then(|n| n.parse::<usize>().ok())
                    && let Some(Some(record)) = model.call_ids.get(n)
                {
                    self.windows.show(Page::Activity { id: record.clone() });
                }
            }
        }
        Next::Stay
    }
}

/// What the menu changes in place on an item or a submenu's title line.
trait Line {
    fn show_text(&self, text: &str);
    fn show_enabled(&self, enabled: bool);
}

impl Line for MenuItem {
    fn show_text(&self, text: &str) {
        self.set_text(text);
    }
    fn show_enabled(&self, enabled: bool) {
        self.set_enabled(enabled);
    }
}

impl Line for Submenu {
    fn show_text(&self, text: &str) {
        self.set_text(text);
    }
    fn show_enabled(&self, enabled: bool) {
        self.set_enabled(enabled);
    }
}

/// Set the text and the enabled state of `line` where `new` differs from `old`.
fn sync(old: &Item, new: &Item, line: &impl Line) {
    if old.text != new.text {
        line.show_text(&new.text);
    }
    if old.enabled != new.enabled {
        line.show_enabled(new.enabled);
    }
}

/// [`sync`] for each of a submenu's lines.
fn sync_lines(old: &[Item], new: &[Item], lines: &[MenuItem]) {
    for ((old, new), line) in old.iter().zip(new).zip(lines) {
        sync(old, new, line);
    }
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

/// Chosen items reach the event loop as [`UserEvent::Menu`].
pub(crate) fn forward_menu_events(proxy: EventLoopProxy<UserEvent>) {
    let proxy = Mutex::new(proxy);
    MenuEvent::set_event_handler(Some(move |event| {
        let proxy = proxy.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = proxy.send_event(UserEvent::Menu(event));
    }));
}
