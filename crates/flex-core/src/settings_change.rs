//! Every change a person makes to their settings, as one function: [`settings_change`]. The
//! window's Settings page and the CLI go through it, so the host's confirmation of loosening
//! changes (ask/deny → allow) has exactly one place to sit. Saving goes through
//! [`Settings::save`] (atomic write; a file we cannot read is never overwritten).

use flex_api::Mode;
use flex_mcp::{Access, Decision};
use serde::{Deserialize, Serialize};

use crate::paths::Paths;
use crate::settings::Settings;

/// One change on the Settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SettingsChange {
    /// allow / ask / deny for one class of action in one mode.
    Decision {
        /// Test or live.
        #[cfg_attr(feature = "ts", ts(as = "crate::bindings::ModeName"))]
        mode: Mode,
        /// read, write or destructive.
        #[cfg_attr(feature = "ts", ts(as = "crate::bindings::AccessName"))]
        access: Access,
        /// The new choice.
        #[cfg_attr(feature = "ts", ts(as = "crate::bindings::DecisionName"))]
        decision: Decision,
    },
    /// Drop activity older than this many days.
    RetentionDays {
        /// At least 1.
        days: u32,
    },
    /// Keep at most this many activity records.
    RetentionRecords {
        /// At least 100.
        records: u32,
    },
    /// The local HTTP endpoint: a port turns it on, `None` turns it off.
    HttpEndpoint {
        /// 1024 or above.
        port: Option<u16>,
    },
    /// How long a call waits for the person's approval before it is denied.
    ApprovalTimeout {
        /// From [`APPROVAL_TIMEOUT_MIN`] to [`APPROVAL_TIMEOUT_MAX`] seconds.
        secs: u32,
    },
    /// Turn a tool group on or off (`flex-mcp tools enable|disable GROUP [--assistant NAME]`).
    ToolGroup {
        /// The group's name (`support`, `refunds`, …) or `all`; an unknown name is refused with
        /// the known ones.
        group: String,
        /// On or off.
        on: bool,
        /// Only for the assistant that gives this name in `initialize`; `None`: every assistant.
        assistant: Option<String>,
    },
    /// Read-only: only tools that look things up (`flex-mcp tools read-only on|off`).
    ReadOnly {
        /// On or off.
        on: bool,
        /// Only for the assistant that gives this name in `initialize`; `None`: every assistant.
        assistant: Option<String>,
    },
}

/// The shortest approval wait the page offers: time to read the sentence and answer.
pub const APPROVAL_TIMEOUT_MIN: u32 = 30;
/// The longest: past 15 minutes most assistants have given up on the call.
pub const APPROVAL_TIMEOUT_MAX: u32 = 900;

/// What a change did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The settings as saved.
    pub settings: Settings,
    /// The change lets more happen without a person than before (any step towards allow, or
    /// turning the HTTP endpoint on). The host confirms these before they are saved.
    pub loosening: bool,
}

/// One allow/ask/deny choice as the Settings page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PolicyChoice {
    /// Test or live.
    #[cfg_attr(feature = "ts", ts(as = "crate::bindings::ModeName"))]
    pub mode: Mode,
    /// read, write or destructive.
    #[cfg_attr(feature = "ts", ts(as = "crate::bindings::AccessName"))]
    pub access: Access,
    /// The current choice.
    #[cfg_attr(feature = "ts", ts(as = "crate::bindings::DecisionName"))]
    pub decision: Decision,
}

/// What the Settings page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SettingsView {
    /// Six choices: test then live, each read, write, destructive.
    pub policy: Vec<PolicyChoice>,
    /// Activity older than this is dropped.
    pub retention_days: u32,
    /// At most this many calls are kept.
    pub retention_records: u32,
    /// The local HTTP endpoint's port, when it is on.
    pub http_port: Option<u16>,
    /// Its address, when it is on.
    pub http_url: Option<String>,
    /// How long a call waits for the person's approval, in seconds.
    pub approval_timeout_secs: u32,
    /// The last change let more run without a person (the host confirms these).
    pub loosened: bool,
}

impl SettingsView {
    /// The page's view of `settings`.
    #[must_use]
    pub fn of(settings: &Settings, loosened: bool) -> SettingsView {
        let mut policy = Vec::with_capacity(6);
        for (mode, choices) in [
            (Mode::Test, settings.policy.test),
            (Mode::Live, settings.policy.live),
        ] {
            for access in [Access::Read, Access::Write, Access::Destructive] {
                policy.push(PolicyChoice {
                    mode,
                    access,
                    decision: choices.decide(access),
                });
            }
        }
        SettingsView {
            policy,
            retention_days: settings.retention.max_age_days,
            retention_records: settings.retention.max_records,
            http_port: settings.http_port,
            http_url: settings
                .http_port
                .map(|p| format!("http://127.0.0.1:{p}/mcp")),
            approval_timeout_secs: settings.approval_timeout_secs,
            loosened,
        }
    }
}

/// The Settings page's view of the saved settings.
///
/// # Errors
/// [`Error::Store`] when the settings file cannot be read.
pub fn view(paths: &Paths) -> Result<SettingsView, Error> {
    Ok(SettingsView::of(
        &Settings::load(paths).map_err(Error::Store)?,
        false,
    ))
}

/// Why a change was not made; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value outside what the page offers.
    #[error("{0}")]
    Invalid(&'static str),
    /// A tool group name that does not exist (the message names the known ones).
    #[error("{0}")]
    UnknownGroup(#[from] flex_mcp::groups::UnknownGroup),
    /// The settings file could not be read or written.
    #[error("{0:#}")]
    Store(anyhow::Error),
}

/// How far a decision lets a call run without a person: allow > ask > deny.
fn openness(d: Decision) -> u8 {
    match d {
        Decision::Deny => 0,
        Decision::Ask => 1,
        Decision::Allow => 2,
    }
}

/// Whether `change` loosens `before` (more runs without a person asking).
#[must_use]
pub fn is_loosening(before: &Settings, change: &SettingsChange) -> bool {
    match *change {
        SettingsChange::Decision {
            mode,
            access,
            decision,
        } => {
            let current = match mode {
                Mode::Test => before.policy.test,
                Mode::Live => before.policy.live,
            }
            .decide(access);
            openness(decision) > openness(current)
        }
        // Turning the endpoint on opens a second way in (it carries its own bearer token).
        SettingsChange::HttpEndpoint { port } => port.is_some() && before.http_port.is_none(),
        // A longer or shorter wait lets nothing run without the person: an unanswered call is
        // denied either way.
        SettingsChange::RetentionDays { .. }
        | SettingsChange::RetentionRecords { .. }
        | SettingsChange::ApprovalTimeout { .. } => false,
        // The tool rules say which of these loosen (read-only off, a group with writes on).
        SettingsChange::ToolGroup { .. } | SettingsChange::ReadOnly { .. } => {
            apply(before.clone(), change.clone()).is_ok_and(|after| {
                !crate::toolset::loosenings(&before.tools, &after.tools).is_empty()
            })
        }
    }
}

/// The settings with `change` applied (nothing saved).
///
/// # Errors
/// [`Error::Invalid`] for a value the page does not offer.
pub fn apply(mut settings: Settings, change: SettingsChange) -> Result<Settings, Error> {
    match change {
        SettingsChange::Decision {
            mode,
            access,
            decision,
        } => {
            let policy = match mode {
                Mode::Test => &mut settings.policy.test,
                Mode::Live => &mut settings.policy.live,
            };
            let slot = match access {
                Access::Read => &mut policy.read,
                Access::Write => &mut policy.write,
                Access::Destructive => &mut policy.destructive,
            };
            *slot = decision;
        }
        SettingsChange::RetentionDays { days } => {
            if days == 0 {
                return Err(Error::Invalid(
                    "Keep activity for at least one day; choose 1 or more.",
                ));
            }
            settings.retention.max_age_days = days;
        }
        SettingsChange::RetentionRecords { records } => {
            if records < 100 {
                return Err(Error::Invalid(
                    "Keep at least 100 calls in the activity list; choose 100 or more.",
                ));
            }
            settings.retention.max_records = records;
        }
        SettingsChange::HttpEndpoint { port } => {
            if port.is_some_and(|p| p < 1024) {
                return Err(Error::Invalid(
                    "Ports below 1024 need administrator rights; choose a port from 1024 to 65535.",
                ));
            }
            settings.http_port = port;
        }
        SettingsChange::ApprovalTimeout { secs } => {
            if !(APPROVAL_TIMEOUT_MIN..=APPROVAL_TIMEOUT_MAX).contains(&secs) {
                return Err(Error::Invalid(
                    "Wait from 30 seconds to 15 minutes for an approval; choose a time in that range.",
                ));
            }
            settings.approval_timeout_secs = secs;
        }
        SettingsChange::ToolGroup {
            group,
            on,
            assistant,
        } => {
            let named = flex_mcp::groups::GroupSet::parse_name(&group)?;
            let groups = settings.tools.groups_mut(assistant.as_deref());
            *groups = if on {
                groups.union(named)
            } else {
                named
                    .iter()
                    .fold(*groups, flex_mcp::groups::GroupSet::without)
            };
        }
        SettingsChange::ReadOnly { on, assistant } => {
            settings.tools.set_read_only(assistant.as_deref(), on);
        }
    }
    Ok(settings)
}

/// Make one settings change: read the file, apply, save atomically.
///
/// This is where the host's guard goes: when [`Applied::loosening`] would be true, the host asks
/// the person to confirm (outside the assistant's reach) before saving.
///
/// # Errors
/// [`Error::Invalid`] for a value the page does not offer (nothing saved), [`Error::Store`] when
/// the file cannot be read (it is left untouched) or written.
pub fn settings_change(paths: &Paths, change: SettingsChange) -> Result<Applied, Error> {
    let before = Settings::load(paths).map_err(Error::Store)?;
    let loosening = is_loosening(&before, &change);
    let settings = apply(before, change)?;
    settings.save(paths).map_err(Error::Store)?;
    Ok(Applied {
        settings,
        loosening,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(dir: &tempfile::TempDir) -> Paths {
        Paths::under(dir.path(), dir.path())
    }

    #[test]
    fn a_decision_change_is_saved_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let change = SettingsChange::Decision {
            mode: Mode::Live,
            access: Access::Write,
            decision: Decision::Deny,
        };
        let applied = settings_change(&paths(&dir), change).unwrap();
        assert!(!applied.loosening);
        let read = Settings::load(&paths(&dir)).unwrap();
        assert_eq!(read.policy.live.write, Decision::Deny);
        assert_eq!(read, applied.settings);
        // Other slots keep their defaults.
        assert_eq!(read.policy.test, Settings::default().policy.test);
    }

    #[test]
    fn loosening_is_told_apart_from_tightening() {
        let mut s = Settings::default();
        s.policy.live.write = Decision::Ask;
        let to = |decision| SettingsChange::Decision {
            mode: Mode::Live,
            access: Access::Write,
            decision,
        };
        assert!(is_loosening(&s, &to(Decision::Allow)));
        assert!(!is_loosening(&s, &to(Decision::Ask)));
        assert!(!is_loosening(&s, &to(Decision::Deny)));
        s.policy.live.write = Decision::Deny;
        assert!(is_loosening(&s, &to(Decision::Ask)));
        assert!(is_loosening(
            &s,
            &SettingsChange::HttpEndpoint { port: Some(8765) }
        ));
        assert!(!is_loosening(
            &s,
            &SettingsChange::HttpEndpoint { port: None }
        ));
    }

    #[test]
    fn invalid_values_save_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(&dir);
        for change in [
            SettingsChange::RetentionDays { days: 0 },
            SettingsChange::RetentionRecords { records: 5 },
            SettingsChange::HttpEndpoint { port: Some(80) },
            SettingsChange::ApprovalTimeout { secs: 5 },
            SettingsChange::ApprovalTimeout { secs: 3600 },
        ] {
            let e = settings_change(&p, change).unwrap_err();
            assert!(matches!(e, Error::Invalid(_)), "{e}");
        }
        assert!(!p.settings_file().exists());
        let applied = settings_change(&p, SettingsChange::RetentionDays { days: 7 }).unwrap();
        assert_eq!(applied.settings.retention.max_age_days, 7);
        assert_eq!(Settings::load(&p).unwrap().retention.max_age_days, 7);
        let applied = settings_change(&p, SettingsChange::ApprovalTimeout { secs: 300 }).unwrap();
        assert!(!applied.loosening, "a longer wait lets nothing run unasked");
        assert_eq!(Settings::load(&p).unwrap().approval_timeout_secs, 300);
        assert_eq!(
            SettingsView::of(&applied.settings, false).approval_timeout_secs,
            300
        );
    }

    #[test]
    fn tool_changes_follow_the_tool_rules() {
        use flex_mcp::groups::{Group, GroupSet};
        let dir = tempfile::tempdir().unwrap();
        let p = paths(&dir);
        let group = |name: &str, on: bool, assistant: Option<&str>| SettingsChange::ToolGroup {
            group: name.into(),
            on,
            assistant: assistant.map(Into::into),
        };
        // A group of reads only loosens nothing; one with writes does.
        let applied = settings_change(&p, group("support", false, None)).unwrap();
        assert!(!applied.loosening, "turning a group off tightens");
        assert!(
            !applied
                .settings
                .tools
                .groups_for_all()
                .contains(Group::Support)
        );
        let applied = settings_change(&p, group("support", true, None)).unwrap();
        assert!(!applied.loosening, "support has only reads");
        let applied = settings_change(&p, group("reporting", true, Some("cursor"))).unwrap();
        assert!(applied.loosening, "reporting can change things");
        let read = Settings::load(&p).unwrap();
        assert!(
            read.tools
                .selection_for(Some("Cursor"))
                .groups
                .contains(Group::Reporting)
        );
        assert!(!read.tools.groups_for_all().contains(Group::Reporting));

        let applied = settings_change(
            &p,
            SettingsChange::ReadOnly {
                on: true,
                assistant: None,
            },
        )
        .unwrap();
        assert!(!applied.loosening, "read-only on tightens");
        assert!(Settings::load(&p).unwrap().tools.read_only);
        let off = SettingsChange::ReadOnly {
            on: false,
            assistant: None,
        };
        assert!(is_loosening(&Settings::load(&p).unwrap(), &off));
        let applied = settings_change(&p, group("all", true, None)).unwrap();
        assert!(
            !applied.loosening,
            "under read-only more groups add only reads"
        );
        assert_eq!(applied.settings.tools.groups_for_all(), GroupSet::all());

        let before = std::fs::read_to_string(p.settings_file()).unwrap();
        let e = settings_change(&p, group("payments", true, None)).unwrap_err();
        let said = e.to_string();
        assert!(
            matches!(e, Error::UnknownGroup(_))
                && said.contains("`payments`")
                && said.contains("`refunds`"),
            "{said}"
        );
        assert_eq!(
            std::fs::read_to_string(p.settings_file()).unwrap(),
            before,
            "nothing saved"
        );
    }

    #[test]
    fn a_broken_file_is_reported_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(&dir);
        std::fs::create_dir_all(&p.config_dir).unwrap();
        std::fs::write(p.settings_file(), "{ not json").unwrap();
        let e = settings_change(&p, SettingsChange::RetentionDays { days: 7 }).unwrap_err();
        assert!(matches!(e, Error::Store(_)), "{e}");
        assert_eq!(
            std::fs::read_to_string(p.settings_file()).unwrap(),
            "{ not json"
        );
    }
}
