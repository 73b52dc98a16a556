//! Notices: things that happened without the person asking and that they should hear about
//! (the guardian put an entry back, a client's config became unreadable, call records could not
//! be saved). One [`Notices`] hub per process; the guardian and the activity store publish into
//! it, the window and the tray subscribe. Serde data, so the app forwards them to the window
//! as they are.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// How many notices the hub keeps for a window that opens later.
const RECENT_KEPT: usize = 50;

/// Buffer of the live channel; a subscriber that falls this far behind skips ahead (it never
/// blocks a publisher).
const CHANNEL_CAPACITY: usize = 256;

/// What a notice is about. The UI switches on this, never on the message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NoticeCode {
    /// Our entry was removed or changed by another program; the guardian put it back.
    EntryRestored,
    /// Our entry was removed again too often; the guardian stopped putting it back and asks.
    EntryRestoreStopped,
    /// A watched client config cannot be parsed; it was left exactly as it is.
    ConfigUnparsable,
    /// Putting our entry back failed (permissions, disk).
    EntryRestoreFailed,
    /// Call records could not be saved (disk full, database unwritable); they are held in
    /// memory and retried.
    ActivityNotSaved,
    /// Saving call records works again.
    ActivitySavedAgain,
    /// The Flex sign-in ended (Flex refused to renew it): sign in again.
    SignInEnded,
}

impl NoticeCode {
    /// The code's snake_case spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeCode::EntryRestored => "entry_restored",
            NoticeCode::EntryRestoreStopped => "entry_restore_stopped",
            NoticeCode::ConfigUnparsable => "config_unparsable",
            NoticeCode::EntryRestoreFailed => "entry_restore_failed",
            NoticeCode::ActivityNotSaved => "activity_not_saved",
            NoticeCode::ActivitySavedAgain => "activity_saved_again",
            NoticeCode::SignInEnded => "sign_in_ended",
        }
    }

    /// Whether the person has to do something (as opposed to being told what we did).
    pub fn needs_action(self) -> bool {
        matches!(
            self,
            NoticeCode::EntryRestoreStopped
                | NoticeCode::ConfigUnparsable
                | NoticeCode::EntryRestoreFailed
                | NoticeCode::ActivityNotSaved
                | NoticeCode::SignInEnded
        )
    }
}

/// One notice: what happened, when, to which client, in plain words, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Notice {
    /// Unique id (ULID text), so the window can dismiss one notice.
    pub id: String,
    /// When it happened, RFC 3339 UTC with milliseconds.
    pub at: String,
    /// What kind of notice this is.
    pub code: NoticeCode,
    /// Whether the person has to act.
    pub needs_action: bool,
    /// The client's command-line name (`claude-desktop`), when it concerns one.
    pub client: Option<String>,
    /// The file involved (a client config), when there is one.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub path: Option<PathBuf>,
    /// The backup taken before we wrote, when we wrote.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub backup: Option<PathBuf>,
    /// 1-based line of a parse error.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub line: Option<usize>,
    /// 1-based column of a parse error.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub column: Option<usize>,
    /// Plain sentences: what happened and what to do.
    pub message: String,
}

impl Notice {
    /// A notice stamped now, with a fresh id; fill the optional fields with struct update.
    pub fn new(code: NoticeCode, message: impl Into<String>) -> Notice {
        Notice {
            id: ulid::Ulid::new().to_string(),
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            code,
            needs_action: code.needs_action(),
            client: None,
            path: None,
            backup: None,
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

/// The hub: publishes notices live and keeps the latest for late subscribers. Publishing never
/// blocks.
#[derive(Debug)]
pub struct Notices {
    tx: broadcast::Sender<Notice>,
    recent: Mutex<VecDeque<Notice>>,
}

impl Default for Notices {
    fn default() -> Self {
        Notices::new()
    }
}

impl Notices {
    /// An empty hub.
    pub fn new() -> Notices {
        let (tx, _) = broadcast::channel(CHANNEL_CAPACITY);
        Notices {
            tx,
            recent: Mutex::new(VecDeque::with_capacity(RECENT_KEPT)),
        }
    }

    /// Publish `notice` to every subscriber and keep it among the recent ones.
    pub fn publish(&self, notice: Notice) {
        tracing::info!(code = notice.code.as_str(), "{}", notice.message);
        if let Ok(mut recent) = self.recent.lock() {
            if recent.len() == RECENT_KEPT {
                recent.pop_front();
            }
            recent.push_back(notice.clone());
        }
        // No subscriber is not an error: the notice is still in `recent`.
        let _ = self.tx.send(notice);
    }

    /// Notices published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.tx.subscribe()
    }

    /// The latest notices, oldest first (at most 50).
    pub fn recent(&self) -> Vec<Notice> {
        self.recent
            .lock()
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn published_notices_reach_subscribers_and_recent() {
        let hub = Notices::new();
        let mut rx = hub.subscribe();
        hub.publish(Notice::new(NoticeCode::EntryRestored, "put back"));
        let got = rx.try_recv().unwrap();
        assert_eq!(got.code, NoticeCode::EntryRestored);
        assert!(!got.needs_action);
        assert_eq!(hub.recent(), vec![got]);
    }

    #[test]
    fn recent_is_bounded_and_keeps_the_newest() {
        let hub = Notices::new();
        for n in 0..(RECENT_KEPT + 7) {
            hub.publish(Notice::new(NoticeCode::ActivityNotSaved, format!("{n}")));
        }
        let recent = hub.recent();
        assert_eq!(recent.len(), RECENT_KEPT);
        assert_eq!(
            recent.last().unwrap().message,
            format!("{}", RECENT_KEPT + 6)
        );
    }

    #[test]
    fn serialises_with_snake_case_code() {
        let n = Notice::new(NoticeCode::ConfigUnparsable, "x");
        let v = serde_json::to_value(&n).unwrap();
        assert_eq!(v["code"], "config_unparsable");
        assert_eq!(v["needs_action"], true);
    }
}
