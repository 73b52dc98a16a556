//! The tray menu as data (issue 8 §3): the state in, every item's text, check mark and
//! enabled flag out. Pure — no toolkit — so the app's binding only copies these fields into
//! menu items it created once (updated in place, never rebuilt), and the tests (these unit
//! tests and the GUI test's keyboard walk) read positions from [`TOP_LEVEL`] instead of
//! hard-coding them.

use flex_api::Mode;

use crate::activity_rows::ActivityRow;
use crate::app_status::format_usd;

/// How many of the latest calls the menu lists.
pub const RECENT_CALLS: usize = 5;

/// The menu's top level, in order. Separators are listed because they take a row (but no
/// keyboard stop).
pub const TOP_LEVEL: [Slot; 10] = [
    Slot::Title,
    Slot::Separator,
    Slot::Mode,
    Slot::Assistants,
    Slot::LatestCalls,
    Slot::Waiting,
    Slot::Pause,
    Slot::Separator,
    Slot::Open,
    Slot::Quit,
];

/// One row of the top level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// "Flex MCP — Test mode" (never enabled: a label).
    Title,
    /// A line between groups.
    Separator,
    /// "Mode ▸" Test / Live.
    Mode,
    /// "Assistants ▸" one line per client.
    Assistants,
    /// "Latest calls ▸" the last [`RECENT_CALLS`] calls.
    LatestCalls,
    /// "2 approvals waiting" / "A change waits for your confirmation" / "Nothing waits for you".
    Waiting,
    /// "Pause assistants" / "Resume assistants".
    Pause,
    /// "Open Flex MCP".
    Open,
    /// "Quit".
    Quit,
}

/// What the menu shows, gathered by the app from its host and account.
#[derive(Debug, Clone, PartialEq)]
pub struct TrayInput {
    /// The mode in force (the host's settings).
    pub mode: Mode,
    /// No key serves the mode: the app shows its built-in demo.
    pub demo: bool,
    /// "Pause assistants" is on.
    pub paused: bool,
    /// One `(name, state in words)` per client, in the Assistants page's order.
    pub assistants: Vec<(String, String)>,
    /// The latest calls, newest first (only the first [`RECENT_CALLS`] are shown).
    pub recent: Vec<ActivityRow>,
    /// Calls held for the person's approval.
    pub approvals_waiting: usize,
    /// A settings change (live mode from the CLI, a loosened class) waits for the person.
    pub confirmation_waiting: bool,
    /// Which sign-in serves each mode, in words ("API key …a1b2", "Signed in with Flex"; from
    /// `sign_in_state::mode_lines_in`); a mode left out shows no sign-in.
    pub sign_in: Vec<(Mode, String)>,
}

/// Which of the four icons the tray shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayIcon {
    /// Test mode with a test key.
    Test,
    /// Live mode: real money.
    Live,
    /// The built-in demo.
    Demo,
    /// Assistants paused.
    Paused,
}

/// One menu item's look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its label.
    pub text: String,
    /// Whether it can be chosen (a disabled item is also skipped by the keyboard).
    pub enabled: bool,
    /// For check items: whether it is ticked (`false` for plain items).
    pub checked: bool,
}

impl Item {
    fn new(text: impl Into<String>, enabled: bool) -> Item {
        Item {
            text: text.into(),
            enabled,
            checked: false,
        }
    }
}

/// What the person chose when they pick the "waiting" item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitingAction {
    /// Nothing waits.
    None,
    /// Show the approval window.
    Approvals,
    /// Ask the person to confirm the waiting settings change.
    Confirmation,
}

/// Every item of the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayMenu {
    /// The icon.
    pub icon: TrayIcon,
    /// The title line.
    pub title: Item,
    /// "Mode ▸" itself.
    pub mode: Item,
    /// "Test" (ticked in test mode).
    pub mode_test: Item,
    /// "Live" (ticked in live mode).
    pub mode_live: Item,
    /// "Assistants ▸" itself.
    pub assistants: Item,
    /// One line per client.
    pub assistant_lines: Vec<Item>,
    /// "Latest calls ▸" itself.
    pub latest_calls: Item,
    /// Always [`RECENT_CALLS`] lines; the unused ones are disabled.
    pub call_lines: Vec<Item>,
    /// The record each call line opens (`None`: an unused line).
    pub call_ids: Vec<Option<String>>,
    /// The approvals / confirmation line.
    pub waiting: Item,
    /// What choosing it does.
    pub waiting_action: WaitingAction,
    /// Pause / Resume.
    pub pause: Item,
    /// "Open Flex MCP".
    pub open: Item,
    /// "Quit".
    pub quit: Item,
}

/// The menu for `input`.
pub fn menu(input: &TrayInput) -> TrayMenu {
    let (waiting, waiting_action) = if input.approvals_waiting > 0 {
        let n = input.approvals_waiting;
        let text = if n == 1 {
            "1 approval waiting".to_string()
        } else {
            format!("{n} approvals waiting")
        };
        (Item::new(text, true), WaitingAction::Approvals)
    } else if input.confirmation_waiting {
        (
            Item::new("A change waits for your confirmation", true),
            WaitingAction::Confirmation,
        )
    } else {
        (
            Item::new("Nothing waits for you", false),
            WaitingAction::None,
        )
    };
    let shown: Vec<&ActivityRow> = input.recent.iter().take(RECENT_CALLS).collect();
    let mut call_lines: Vec<Item> = shown
        .iter()
        .map(|row| Item::new(call_line(row), true))
        .collect();
    let mut call_ids: Vec<Option<String>> = shown.iter().map(|row| Some(row.id.clone())).collect();
    while call_lines.len() < RECENT_CALLS {
        call_lines.push(Item::new("—", false));
        call_ids.push(None);
    }
    TrayMenu {
        icon: icon(input),
        title: Item::new(title(input), false),
        mode: Item::new("Mode", true),
        mode_test: Item {
            text: with_sign_in("Test", input, Mode::Test),
            enabled: true,
            checked: input.mode == Mode::Test,
        },
        mode_live: Item {
            text: with_sign_in("Live — real money", input, Mode::Live),
            enabled: true,
            checked: input.mode == Mode::Live,
        },
        assistants: Item::new("Assistants", !input.assistants.is_empty()),
        assistant_lines: input
            .assistants
            .iter()
            .map(|(name, state)| Item::new(format!("{name} — {state}"), false))
            .collect(),
        latest_calls: Item::new(
            if shown.is_empty() {
                "Latest calls: none yet"
            } else {
                "Latest calls"
            },
            !shown.is_empty(),
        ),
        call_lines,
        call_ids,
        waiting,
        waiting_action,
        pause: Item::new(
            if input.paused {
                "Resume assistants"
            } else {
                "Pause assistants"
            },
            true,
        ),
        open: Item::new("Open Flex MCP", true),
        quit: Item::new("Quit", true),
    }
}

/// A mode's item with what serves it: "Test — API key …a1b2".
fn with_sign_in(label: &str, input: &TrayInput, mode: Mode) -> String {
    match input.sign_in.iter().find(|(m, _)| *m == mode) {
        Some((_, line)) => format!("{label} — {line}"),
        None => label.to_string(),
    }
}

fn icon(input: &TrayInput) -> TrayIcon {
    if input.paused {
        TrayIcon::Paused
    } else if input.mode == Mode::Live {
        // LIVE is unmistakable even when no live key is set up yet.
        TrayIcon::Live
    } else if input.demo {
        TrayIcon::Demo
    } else {
        TrayIcon::Test
    }
}

/// The first line: "Flex MCP — Test mode", "Flex MCP — LIVE", "Flex MCP — Demo", with
/// ", assistants paused" while paused.
fn title(input: &TrayInput) -> String {
    let mode = match (input.mode, input.demo) {
        (Mode::Live, false) => "LIVE",
        // Live chosen but no live key: say LIVE first, then why nothing real happens.
        (Mode::Live, true) => "LIVE (no live key yet: demo)",
        (Mode::Test, true) => "Demo",
        (Mode::Test, false) => "Test mode",
    };
    if input.paused {
        format!("Flex MCP — {mode}, assistants paused")
    } else {
        format!("Flex MCP — {mode}")
    }
}

/// One call in plain words: "Cursor: create refund, $45.00 — done".
pub fn call_line(row: &ActivityRow) -> String {
    let who = row.client_name.as_deref().unwrap_or("An assistant");
    let what = row.tool.replace('_', " ");
    let amount = row
        .amounts_cents
        .first()
        .map(|c| format!(", {}", format_usd(*c)))
        .unwrap_or_default();
    let outcome = match row.outcome.as_str() {
        "ok" => "done",
        "refused" => "refused",
        "invalid_arguments" => "wrong arguments",
        _ => "failed",
    };
    let live = if row.mode == "live" { " (LIVE)" } else { "" };
    format!("{who}: {what}{amount}{live} — {outcome}")
}

impl TrayMenu {
    /// Whether a top-level slot can be reached with the keyboard now (separators and disabled
    /// items are skipped by GTK's and the other toolkits' keyboard navigation).
    pub fn selectable(&self, slot: Slot) -> bool {
        match slot {
            Slot::Separator => false,
            Slot::Title => self.title.enabled,
            Slot::Mode => self.mode.enabled,
            Slot::Assistants => self.assistants.enabled,
            Slot::LatestCalls => self.latest_calls.enabled,
            Slot::Waiting => self.waiting.enabled,
            Slot::Pause => self.pause.enabled,
            Slot::Open => self.open.enabled,
            Slot::Quit => self.quit.enabled,
        }
    }

    /// How many Down presses, from a just-opened menu with nothing selected, select `slot`
    /// (`None` when it cannot be selected now).
    pub fn keyboard_steps(&self, slot: Slot) -> Option<usize> {
        if !self.selectable(slot) {
            return None;
        }
        let before = TOP_LEVEL
            .iter()
            .take_while(|s| **s != slot)
            .filter(|s| self.selectable(**s))
            .count();
        Some(before + 1)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    fn input() -> TrayInput {
        TrayInput {
            mode: Mode::Test,
            demo: false,
            paused: false,
            assistants: vec![
                ("Cursor".into(), "connected".into()),
                ("Claude Desktop".into(), "not found on this computer".into()),
            ],
            recent: Vec::new(),
            approvals_waiting: 0,
            confirmation_waiting: false,
            sign_in: Vec::new(),
        }
    }

    fn row(id: &str, tool: &str, outcome: &str, cents: Option<i64>) -> ActivityRow {
        ActivityRow {
            id: id.into(),
            started_at: "2026-12-01T12:00:00Z".into(),
            client_name: Some("Cursor".into()),
            tool: tool.into(),
            access: Some("write".into()),
            mode: "test".into(),
            outcome: outcome.into(),
            error_code: None,
            http_status: None,
            duration_us: 1200,
            object_ids: vec![],
            amounts_cents: cents.into_iter().collect(),
            arguments: "{}".into(),
            approval: None,
        }
    }

    #[test]
    fn the_title_and_icon_follow_mode_demo_and_pause() {
        let mut i = input();
        let m = menu(&i);
        assert_eq!(m.title.text, "Flex MCP — Test mode");
        assert_eq!(m.icon, TrayIcon::Test);
        assert!(m.mode_test.checked && !m.mode_live.checked);
        i.mode = Mode::Live;
        let m = menu(&i);
        assert_eq!(m.title.text, "Flex MCP — LIVE");
        assert_eq!(m.icon, TrayIcon::Live);
        assert!(!m.mode_test.checked && m.mode_live.checked);
        i.demo = true;
        assert_eq!(
            menu(&i).title.text,
            "Flex MCP — LIVE (no live key yet: demo)"
        );
        assert_eq!(menu(&i).icon, TrayIcon::Live, "LIVE wins over the demo");
        i.mode = Mode::Test;
        assert_eq!(menu(&i).title.text, "Flex MCP — Demo");
        assert_eq!(menu(&i).icon, TrayIcon::Demo);
        i.paused = true;
        let m = menu(&i);
        assert_eq!(m.title.text, "Flex MCP — Demo, assistants paused");
        assert_eq!(m.icon, TrayIcon::Paused);
        assert_eq!(m.pause.text, "Resume assistants");
        assert!(!m.title.enabled, "the title is a label");
    }

    #[test]
    fn the_waiting_line_names_approvals_first_then_a_confirmation() {
        let mut i = input();
        let m = menu(&i);
        assert_eq!(m.waiting.text, "Nothing waits for you");
        assert!(!m.waiting.enabled);
        assert_eq!(m.waiting_action, WaitingAction::None);
        i.confirmation_waiting = true;
        let m = menu(&i);
        assert_eq!(m.waiting_action, WaitingAction::Confirmation);
        assert!(m.waiting.enabled);
        i.approvals_waiting = 1;
        assert_eq!(menu(&i).waiting.text, "1 approval waiting");
        i.approvals_waiting = 3;
        let m = menu(&i);
        assert_eq!(m.waiting.text, "3 approvals waiting");
        assert_eq!(m.waiting_action, WaitingAction::Approvals);
    }

    #[test]
    fn the_latest_calls_keep_five_lines_and_their_records() {
        let mut i = input();
        let m = menu(&i);
        assert_eq!(m.call_lines.len(), RECENT_CALLS);
        assert!(m.call_lines.iter().all(|l| !l.enabled));
        assert!(!m.latest_calls.enabled);
        i.recent = (0..7)
            .map(|n| row(&format!("r{n}"), "create_refund", "ok", Some(4500)))
            .collect();
        i.recent[1] = row("r1", "list_payments", "refused", None);
        let m = menu(&i);
        assert_eq!(m.call_lines.len(), RECENT_CALLS, "the newest five of seven");
        assert_eq!(m.call_lines[0].text, "Cursor: create refund, $45.00 — done");
        assert_eq!(m.call_lines[1].text, "Cursor: list payments — refused");
        assert_eq!(m.call_ids[4].as_deref(), Some("r4"));
        assert!(m.latest_calls.enabled);
    }

    #[test]
    fn a_call_line_says_live_and_who() {
        let mut r = row("x", "create_payment_link", "api_error", Some(123_456));
        r.mode = "live".into();
        r.client_name = None;
        assert_eq!(
            call_line(&r),
            "An assistant: create payment link, $1,234.56 (LIVE) — failed"
        );
    }

    #[test]
    fn keyboard_steps_skip_separators_and_disabled_items() {
        let i = input();
        let m = menu(&i);
        // Title (disabled), sep, Mode, Assistants, Latest calls (disabled: none), Waiting
        // (disabled), Pause, sep, Open, Quit.
        assert_eq!(m.keyboard_steps(Slot::Title), None);
        assert_eq!(m.keyboard_steps(Slot::Mode), Some(1));
        assert_eq!(m.keyboard_steps(Slot::Assistants), Some(2));
        assert_eq!(m.keyboard_steps(Slot::LatestCalls), None);
        assert_eq!(m.keyboard_steps(Slot::Pause), Some(3));
        assert_eq!(m.keyboard_steps(Slot::Quit), Some(5));
        let mut i = input();
        i.approvals_waiting = 2;
        i.assistants.clear();
        let m = menu(&i);
        assert_eq!(m.keyboard_steps(Slot::Assistants), None);
        assert_eq!(m.keyboard_steps(Slot::Waiting), Some(2));
        assert_eq!(m.keyboard_steps(Slot::Pause), Some(3));
    }

    #[test]
    fn each_mode_says_which_sign_in_serves_it() {
        let mut i = input();
        assert_eq!(menu(&i).mode_test.text, "Test");
        i.sign_in = vec![
            (Mode::Test, "API key …a1b2".into()),
            (Mode::Live, "Signed in with Flex".into()),
        ];
        let m = menu(&i);
        assert_eq!(m.mode_test.text, "Test — API key …a1b2");
        assert_eq!(m.mode_live.text, "Live — real money — Signed in with Flex");
    }
}
