//! The tray's confirmations in plain words (issue 7 §3): switching to live mode, and a settings
//! change that waits for the person (live mode asked by `flex-mcp mode live`, a class loosened
//! in the file). The person's answer here is the confirmation the host's guard asks for: it goes
//! through the same host calls as the window (`set_mode`, `confirm_pending`, `reject_pending`).
//!
//! On Linux a small GTK dialog (GTK is already loaded for the tray; it draws with cairo, no web
//! view and no GL). Elsewhere the window is opened instead, where the same change can be made.
//! Runs on the main thread (the event loop's).

use std::sync::Arc;

#[cfg(not(target_os = "linux"))]
use flex_core::window_channel::Page;
use flex_core::window_channel::tray_side::WindowProcess;

use crate::shown::Shown;

/// The question before live mode.
pub(crate) const LIVE_QUESTION: &str = "Switch Flex MCP to live mode?";
/// What live mode means, for someone who is not an engineer.
pub(crate) const LIVE_EXPLANATION: &str = "In live mode your assistants work with your real \
Flex account: payments, refunds and payment links they make are real and move real money. \
You can switch back to test mode from this menu at any time.";

/// Ask before live mode; switch only on "Switch to live mode".
pub(crate) fn switch_to_live(shown: &Arc<Shown>, windows: &Arc<WindowProcess>) {
    let shown = shown.clone();
    ask(
        windows,
        "Flex MCP — switch to live mode?",
        LIVE_QUESTION,
        LIVE_EXPLANATION,
        ("Stay in _test mode", "_Switch to live mode"),
        move |yes| {
            if yes {
                match shown.host.set_mode(flex_api::Mode::Live) {
                    Ok(()) => tracing::info!("the person switched to live mode from the tray"),
                    Err(e) => tracing::warn!("the mode could not be switched to live: {e:#}"),
                }
            }
            shown.refresh();
        },
    );
}

/// Ask about the settings change that waits (confirm applies it; refuse sets the file back).
pub(crate) fn waiting_change(shown: &Arc<Shown>, windows: &Arc<WindowProcess>) {
    let sentences: Vec<String> = shown
        .host
        .waiting_confirmation()
        .iter()
        .map(flex_core::guard::Loosening::describe)
        .collect();
    if sentences.is_empty() {
        shown.refresh();
        return;
    }
    let shown = shown.clone();
    ask(
        windows,
        "Flex MCP — confirm a change?",
        "A program on this computer asked to change Flex MCP's settings.",
        &format!(
            "{}\n\nIf you did not ask for this yourself (for example by running flex-mcp in a \
             terminal), choose Refuse.",
            sentences.join("\n")
        ),
        ("_Refuse", "_Confirm the change"),
        move |yes| {
            if yes {
                shown.host.confirm_pending();
            } else if let Err(e) = shown.host.reject_pending() {
                tracing::warn!("the waiting change could not be refused: {e:#}");
            }
            shown.refresh();
        },
    );
}

/// A two-button question; `answered(true)` for the second (the "yes") button. The dialog
/// answers "no" when closed, and "no" is the default (Return), so nothing loosens by accident.
#[cfg(target_os = "linux")]
fn ask(
    _windows: &Arc<WindowProcess>,
    title: &str,
    question: &str,
    explanation: &str,
    (no, yes): (&str, &str),
    answered: impl Fn(bool) + 'static,
) {
    use gtk::prelude::*;
    let dialog = gtk::MessageDialog::new(
        None::<&gtk::Window>,
        gtk::DialogFlags::empty(),
        gtk::MessageType::Warning,
        gtk::ButtonsType::None,
        question,
    );
    dialog.set_title(title);
    dialog.set_secondary_text(Some(explanation));
    dialog.add_button(no, gtk::ResponseType::Cancel);
    dialog.add_button(yes, gtk::ResponseType::Accept);
    dialog.set_default_response(gtk::ResponseType::Cancel);
    dialog.set_keep_above(true);
    // Closing the dialog after an answer sends a second response (the delete event): only the
    // first counts.
    let done = std::cell::Cell::new(false);
    dialog.connect_response(move |d, response| {
        if done.replace(true) {
            return;
        }
        answered(response == gtk::ResponseType::Accept);
        d.close();
    });
    dialog.show_all();
    dialog.present();
}

#[cfg(not(target_os = "linux"))]
fn ask(
    windows: &Arc<WindowProcess>,
    _title: &str,
    _question: &str,
    _explanation: &str,
    _buttons: (&str, &str),
    answered: impl Fn(bool) + 'static,
) {
    // No native dialog here yet: nothing changes, and the window (where the change can be
    // made) opens instead.
    answered(false);
    windows.show(Page::Main);
}
