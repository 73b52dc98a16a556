//! System notifications (issue 7 §4): a call waiting for approval, a loosening waiting for
//! confirmation, and the guardian's notices ("entry put back", "stopped putting it back", "config
//! broken") are also shown by the desktop's notification service
//! (`org.freedesktop.Notifications` on the session bus), so the person hears about them with the
//! window closed. Started from the host's event path; a desktop without the service just logs once.
//!
//! Over libdbus (the `dbus` crate the keychain already links), blocking calls on a thread of their
//! own, so the host never waits for the bus.

use std::sync::mpsc;

use crate::events::HostEvent;
use crate::host::HostHandle;
use crate::notice::{Notice, NoticeCode};

/// The name the desktop shows as the sender.
pub const APP_NAME: &str = "Flex MCP";

/// How long the bus may take to answer one notification.
#[cfg(target_os = "linux")]
const BUS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The bold line.
    pub summary: String,
    /// The sentence under it.
    pub body: String,
    /// Shown until dismissed (an approval or confirmation waits for the person).
    pub urgent: bool,
}

/// The notification for a host event, if it deserves one.
pub fn for_event(event: &HostEvent) -> Option<Notification> {
    match event {
        HostEvent::ApprovalPending { approval } => Some(Notification {
            summary: format!(
                "{} approval needed: {}",
                if approval.mode == flex_api::Mode::Live {
                    "LIVE"
                } else {
                    "Test"
                },
                approval.title
            ),
            body: format!(
                "{} asks: {} Answer in the Flex MCP approval window.",
                approval.assistant, approval.sentence
            ),
            urgent: true,
        }),
        HostEvent::ConfirmationPending { sentences, .. } => Some(Notification {
            summary: "A settings change waits for your confirmation".to_string(),
            body: format!(
                "{} Nothing of it applies until you confirm it in the Flex MCP window.",
                sentences.join(" ")
            ),
            urgent: true,
        }),
        _ => None,
    }
}

/// The notification for a notice, if it deserves one (the guardian's; records not saved).
pub fn for_notice(notice: &Notice) -> Option<Notification> {
    let summary = match notice.code {
        NoticeCode::EntryRestored => "Flex MCP put an assistant's entry back",
        NoticeCode::EntryRestoreStopped => "Flex MCP stopped putting an entry back",
        NoticeCode::ConfigUnparsable => "An assistant's config file is broken",
        NoticeCode::EntryRestoreFailed => "Flex MCP could not put an entry back",
        NoticeCode::ActivityNotSaved => "Flex MCP cannot save its activity",
        _ => return None,
    };
    Some(Notification {
        summary: summary.to_string(),
        body: notice.message.clone(),
        urgent: notice.needs_action,
    })
}

/// Send one notification; returns the id the service gave it.
///
/// # Errors
/// No session bus, or no notification service on it.
#[cfg(target_os = "linux")]
pub fn send(n: &Notification) -> anyhow::Result<u32> {
    use dbus::arg::{PropMap, Variant};
    let conn = dbus::blocking::Connection::new_session()?;
    let proxy = conn.with_proxy(
        "org.freedesktop.Notifications",
        "/org/freedesktop/Notifications",
        BUS_TIMEOUT,
    );
    let mut hints = PropMap::new();
    // 2 = critical: stays until the person dismisses it (it waits for their answer).
    hints.insert(
        "urgency".into(),
        Variant(Box::new(if n.urgent { 2u8 } else { 1u8 })),
    );
    hints.insert(
        "desktop-entry".into(),
        Variant(Box::new("flex-mcp-desktop".to_string())),
    );
    let actions: Vec<&str> = Vec::new();
    let (id,): (u32,) = proxy.method_call(
        "org.freedesktop.Notifications",
        "Notify",
        (
            APP_NAME,
            0u32,
            "flex-mcp-desktop",
            n.summary.as_str(),
            n.body.as_str(),
            actions,
            hints,
            -1i32,
        ),
    )?;
    Ok(id)
}

/// Not built on other platforms (the tray app is Linux-only here).
#[cfg(not(target_os = "linux"))]
pub fn send(_n: &Notification) -> anyhow::Result<u32> {
    anyhow::bail!("system notifications are only built for Linux in this version")
}

/// For the life of the host: notify on every event and notice that deserves it. Must run inside
/// a tokio runtime (the relays are tasks); the bus calls run on one thread of their own.
pub fn start(host: &HostHandle) {
    let (tx, rx) = mpsc::channel::<Notification>();
    let spawned = std::thread::Builder::new()
        .name("flex-notifications".into())
        .spawn(move || {
            let mut warned = false;
            for n in rx {
                match send(&n) {
                    Ok(_) => warned = false,
                    Err(e) if !warned => {
                        warned = true;
                        tracing::info!(
                            "no system notification shown (no notification service?): {e}"
                        );
                    }
                    Err(_) => {}
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("system notifications are off: {e}");
        return;
    }
    let mut events = host.subscribe();
    let to_events = tx.clone();
    tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let Some(n) = for_event(&event) {
                        let _ = to_events.send(n);
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
        }
    });
    let mut notices = host.subscribe_notices();
    tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match notices.recv().await {
                Ok(notice) => {
                    if let Some(n) = for_notice(&notice) {
                        let _ = tx.send(n);
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
        }
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn a_live_approval_is_an_urgent_notification_naming_the_assistant_and_the_sentence() {
        let approval = crate::approvals::PendingApproval {
            id: 7,
            tool: "create_refund".into(),
            title: "Refund a payment".into(),
            mode: flex_api::Mode::Live,
            access: flex_mcp::Access::Destructive,
            assistant: "Claude Desktop".into(),
            sentence: "Refund $45.00 of the $120.00 payment fpi_1.".into(),
            arguments: serde_json::Map::new(),
            can_allow_for_a_while: false,
            timeout_secs: 120,
        };
        let n = for_event(&HostEvent::ApprovalPending { approval }).unwrap();
        assert_eq!(n.summary, "LIVE approval needed: Refund a payment");
        assert_eq!(
            n.body,
            "Claude Desktop asks: Refund $45.00 of the $120.00 payment fpi_1. Answer in the Flex \
             MCP approval window."
        );
        assert!(
            n.urgent,
            "it waits for the person: it stays until dismissed"
        );
        let waiting = HostEvent::ConfirmationPending {
            loosenings: vec![crate::guard::Loosening::LiveMode],
            sentences: vec![crate::guard::Loosening::LiveMode.describe()],
        };
        let n = for_event(&waiting).unwrap();
        assert!(n.body.starts_with("Switch to live mode"), "{}", n.body);
    }

    #[test]
    fn the_guardian_putting_an_entry_back_is_a_notification_in_its_words() {
        let notice = Notice::new(
            NoticeCode::EntryRestored,
            "Claude Desktop removed Flex from its config at 10:41; Flex MCP put it back.",
        );
        let n = for_notice(&notice).unwrap();
        assert_eq!(n.summary, "Flex MCP put an assistant's entry back");
        assert_eq!(n.body, notice.message);
        assert!(!n.urgent, "told, not asked");
        assert!(for_notice(&Notice::new(NoticeCode::ActivitySavedAgain, "ok")).is_none());
        assert!(
            for_event(&HostEvent::PauseChanged { paused: true }).is_none(),
            "the tray shows pause; no notification"
        );
    }
}
