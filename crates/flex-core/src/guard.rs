//! The guard on settings changes: which changes loosen what an assistant may do, and the state
//! of "the last settings the person confirmed".
//!
//! Why: an assistant that can run shell commands can edit the settings file or run
//! `flex-mcp mode live` as the person's own user. While the host runs, the file is therefore a
//! record of a wish, not the authority: a change that loosens the guard takes effect only after
//! the person confirms it in the app, while a change that tightens it applies at once.

use flex_api::Mode;
use flex_mcp::{Access, Decision};
use serde::Serialize;

use crate::settings::Settings;

/// One way a new settings value gives assistants more than the old one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Loosening {
    /// Test → live: tools act on real money.
    LiveMode,
    /// "Pause assistants" lifted.
    Resumed,
    /// A class moved towards allow (deny → ask, deny → allow, ask → allow).
    Policy {
        /// In which mode.
        #[cfg_attr(feature = "ts", ts(as = "crate::bindings::ModeName"))]
        mode: Mode,
        /// Which access class.
        #[cfg_attr(feature = "ts", ts(as = "crate::bindings::AccessName"))]
        access: Access,
        /// Before.
        #[cfg_attr(feature = "ts", ts(as = "crate::bindings::DecisionName"))]
        from: Decision,
        /// After.
        #[cfg_attr(feature = "ts", ts(as = "crate::bindings::DecisionName"))]
        to: Decision,
    },
    /// Calls would go to another Flex (and take the key with them).
    ApiBase {
        /// The new base URL (`None`: the real Flex).
        to: Option<String>,
    },
    /// The local HTTP endpoint turned on, or moved to another port.
    HttpEndpoint {
        /// The new port.
        port: u16,
    },
    /// A tool-settings loosening reported by the catalogue (read-only off, a group enabled).
    Tools {
        /// What changed, in words.
        what: String,
    },
}

impl Loosening {
    /// One plain sentence for the confirmation in the app.
    pub fn describe(&self) -> String {
        match self {
            Loosening::LiveMode => "Switch to live mode: assistants will work with real \
                                    customers and real money."
                .to_string(),
            Loosening::Resumed => "Resume assistants: they can use Flex tools again.".to_string(),
            Loosening::Policy {
                mode,
                access,
                from,
                to,
            } => format!(
                "In {mode} mode, {} actions go from \"{}\" to \"{}\".",
                access.as_str(),
                decision_word(*from),
                decision_word(*to)
            ),
            Loosening::ApiBase { to } => format!(
                "Send calls (and your key) to {} instead.",
                to.as_deref().unwrap_or("the real Flex API")
            ),
            Loosening::HttpEndpoint { port } => {
                format!("Open the local HTTP endpoint on port {port}.")
            }
            Loosening::Tools { what } => what.clone(),
        }
    }
}

fn decision_word(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allow",
        Decision::Ask => "ask first",
        Decision::Deny => "never",
    }
}

/// How strict a decision is: allow < ask < deny.
fn rank(d: Decision) -> u8 {
    match d {
        Decision::Allow => 0,
        Decision::Ask => 1,
        Decision::Deny => 2,
    }
}

const CLASSES: [Access; 3] = [Access::Read, Access::Write, Access::Destructive];
const MODES: [Mode; 2] = [Mode::Test, Mode::Live];

/// Every way `new` gives assistants more than `old`. Empty: `new` may apply at once.
pub fn loosenings(old: &Settings, new: &Settings) -> Vec<Loosening> {
    let mut out = Vec::new();
    if old.mode == Mode::Test && new.mode == Mode::Live {
        out.push(Loosening::LiveMode);
    }
    if old.paused && !new.paused {
        out.push(Loosening::Resumed);
    }
    for mode in MODES {
        for access in CLASSES {
            let from = old.policy.decide(mode, access);
            let to = new.policy.decide(mode, access);
            if rank(to) < rank(from) {
                out.push(Loosening::Policy {
                    mode,
                    access,
                    from,
                    to,
                });
            }
        }
    }
    if old.api_base != new.api_base {
        out.push(Loosening::ApiBase {
            to: new.api_base.clone(),
        });
    }
    if let Some(port) = new.http_port
        && old.http_port != Some(port)
    {
        out.push(Loosening::HttpEndpoint { port });
    }
    out.extend(
        crate::toolset::loosenings(&old.tools, &new.tools)
            .into_iter()
            .map(|what| Loosening::Tools { what }),
    );
    out
}

/// `new` with every loosening undone: what applies at once (tightening) while the loosening
/// waits for the person.
pub fn tightened(confirmed: &Settings, new: &Settings) -> Settings {
    let mut out = new.clone();
    if confirmed.mode == Mode::Test {
        out.mode = Mode::Test;
    }
    out.paused = new.paused || confirmed.paused;
    for mode in MODES {
        for access in CLASSES {
            let was = confirmed.policy.decide(mode, access);
            let now = new.policy.decide(mode, access);
            if rank(now) < rank(was) {
                set_decision(&mut out, mode, access, was);
            }
        }
    }
    if confirmed.api_base != new.api_base {
        out.api_base.clone_from(&confirmed.api_base);
    }
    if new.http_port.is_some() && confirmed.http_port != new.http_port {
        out.http_port = confirmed.http_port;
    }
    // Tool settings are judged as a whole: any loosening keeps the confirmed section until the
    // person confirms (a tightening alone applies at once).
    if !crate::toolset::loosenings(&confirmed.tools, &new.tools).is_empty() {
        out.tools.clone_from(&confirmed.tools);
    }
    out
}

fn set_decision(s: &mut Settings, mode: Mode, access: Access, d: Decision) {
    let p = match mode {
        Mode::Test => &mut s.policy.test,
        Mode::Live => &mut s.policy.live,
    };
    match access {
        Access::Read => p.read = d,
        Access::Write => p.write = d,
        Access::Destructive => p.destructive = d,
    }
}

/// The settings the host applies, and a loosening waiting for the person.
#[derive(Debug, Clone, PartialEq)]
pub struct Guard {
    applied: Settings,
    pending: Option<Settings>,
}

/// What changed when the guard saw new settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The settings now in force.
    pub applied: Settings,
    /// What waits for the person's confirmation (empty: nothing).
    pub waiting: Vec<Loosening>,
}

impl Guard {
    /// Start from settings the person is taken to have chosen (those on disk when the host
    /// starts: nothing else could have confirmed anything earlier).
    pub fn new(confirmed: Settings) -> Guard {
        Guard {
            applied: confirmed,
            pending: None,
        }
    }

    /// The settings in force.
    pub fn applied(&self) -> &Settings {
        &self.applied
    }

    /// The loosening waiting for confirmation, if any.
    pub fn waiting(&self) -> Vec<Loosening> {
        self.pending
            .as_ref()
            .map(|p| loosenings(&self.applied, p))
            .unwrap_or_default()
    }

    /// New settings from the file (CLI, another program, a hand edit): tightenings apply now,
    /// loosenings wait.
    pub fn observe(&mut self, from_file: Settings) -> Observed {
        let waiting = loosenings(&self.applied, &from_file);
        self.applied = tightened(&self.applied, &from_file);
        self.pending = if waiting.is_empty() {
            None
        } else {
            Some(from_file)
        };
        Observed {
            applied: self.applied.clone(),
            waiting,
        }
    }

    /// The person confirmed in the app: the waiting settings apply. `None` if nothing waited.
    pub fn confirm(&mut self) -> Option<Settings> {
        let pending = self.pending.take()?;
        self.applied = pending;
        Some(self.applied.clone())
    }

    /// The person refused in the app: what stays in force (to write back to the file).
    pub fn reject(&mut self) -> Option<Settings> {
        self.pending.take().map(|_| self.applied.clone())
    }

    /// A change the person made in the app itself (already confirmed there).
    pub fn set_by_person(&mut self, settings: Settings) {
        self.applied = settings;
        self.pending = None;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn live() -> Settings {
        Settings {
            mode: Mode::Live,
            ..Settings::default()
        }
    }

    #[test]
    fn live_mode_resume_and_policy_towards_allow_are_loosenings() {
        let base = Settings::default();
        assert_eq!(loosenings(&base, &live()), [Loosening::LiveMode]);
        assert!(
            loosenings(&live(), &base).is_empty(),
            "back to test tightens"
        );

        let paused = Settings {
            paused: true,
            ..Settings::default()
        };
        assert_eq!(loosenings(&paused, &base), [Loosening::Resumed]);
        assert!(loosenings(&base, &paused).is_empty());

        let mut allow = Settings::default();
        allow.policy.live.destructive = Decision::Allow;
        allow.policy.live.write = Decision::Deny;
        assert_eq!(
            loosenings(&base, &allow),
            [Loosening::Policy {
                mode: Mode::Live,
                access: Access::Destructive,
                from: Decision::Ask,
                to: Decision::Allow
            }],
            "ask → allow loosens, ask → deny does not"
        );
        let other = Settings {
            api_base: Some("http://evil.example".into()),
            http_port: Some(8080),
            ..Settings::default()
        };
        assert_eq!(loosenings(&base, &other).len(), 2);
        assert_eq!(
            loosenings(&other, &base),
            [Loosening::ApiBase { to: None }],
            "turning HTTP off tightens; any change of where the key goes is confirmed"
        );
    }

    #[test]
    fn tightening_applies_at_once_and_loosening_waits_for_confirmation() {
        let mut guard = Guard::new(Settings::default());
        // A file that both loosens (live) and tightens (test writes denied).
        let mut wish = live();
        wish.policy.test.write = Decision::Deny;
        let seen = guard.observe(wish.clone());
        assert_eq!(seen.waiting, [Loosening::LiveMode]);
        assert_eq!(seen.applied.mode, Mode::Test, "live waits");
        assert_eq!(
            seen.applied.policy.test.write,
            Decision::Deny,
            "the tightening applies now"
        );
        assert_eq!(guard.waiting(), [Loosening::LiveMode]);
        assert_eq!(guard.confirm().unwrap(), wish);
        assert_eq!(guard.applied().mode, Mode::Live);
        assert!(guard.waiting().is_empty());

        // Rejecting keeps what was in force.
        let mut guard = Guard::new(Settings {
            paused: true,
            ..Settings::default()
        });
        guard.observe(Settings::default());
        assert!(guard.applied().paused, "resuming from the CLI waits");
        let kept = guard.reject().unwrap();
        assert!(kept.paused);
        assert!(guard.reject().is_none(), "nothing left to reject");
    }

    #[test]
    fn the_person_in_the_app_sets_without_a_second_confirmation() {
        let mut guard = Guard::new(Settings::default());
        guard.observe(live());
        guard.set_by_person(live());
        assert_eq!(guard.applied().mode, Mode::Live);
        assert!(guard.waiting().is_empty());
        assert!(guard.observe(live()).waiting.is_empty());
    }
}
