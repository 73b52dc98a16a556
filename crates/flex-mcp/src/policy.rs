//! What a call may do in each mode: each access class maps to allow, ask or deny.
//!
//! The policy is data (it lives in settings); this module only evaluates it. The model can never
//! change the mode or the policy: no tool argument reaches here.

use flex_api::Mode;
use serde::{Deserialize, Serialize};

/// How much a tool can change. Declared once per tool in `access.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Reads only; safe to repeat.
    Read,
    /// Creates or changes objects but does not move money.
    Write,
    /// Moves money or gives up something for good (refunds, captures, cancellations, disputes).
    Destructive,
}

impl Access {
    /// Lowercase word for records and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::Destructive => "destructive",
        }
    }
}

/// What happens to a call of a given class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Run it.
    Allow,
    /// Ask a person first (through the pluggable approver).
    Ask,
    /// Refuse it.
    Deny,
}

/// Decisions for one mode.
///
/// A field missing from a settings file falls back to the cautious choice (reads allowed, writes
/// and destructive calls asked), never to "allow", whatever the mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModePolicy {
    /// Reads.
    #[serde(default = "allow")]
    pub read: Decision,
    /// Writes that do not move money.
    #[serde(default = "ask")]
    pub write: Decision,
    /// Money movement and irreversible actions.
    #[serde(default = "ask")]
    pub destructive: Decision,
}

fn allow() -> Decision {
    Decision::Allow
}

fn ask() -> Decision {
    Decision::Ask
}

impl ModePolicy {
    /// The decision for one access class.
    pub fn decide(&self, access: Access) -> Decision {
        match access {
            Access::Read => self.read,
            Access::Write => self.write,
            Access::Destructive => self.destructive,
        }
    }
}

/// Decisions for both modes. Defaults: test allows everything; live allows reads and asks for
/// writes and destructive calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Test mode.
    #[serde(default = "test_default")]
    pub test: ModePolicy,
    /// Live mode.
    #[serde(default = "live_default")]
    pub live: ModePolicy,
}

fn test_default() -> ModePolicy {
    ModePolicy {
        read: Decision::Allow,
        write: Decision::Allow,
        destructive: Decision::Allow,
    }
}

fn live_default() -> ModePolicy {
    ModePolicy {
        read: Decision::Allow,
        write: Decision::Ask,
        destructive: Decision::Ask,
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            test: test_default(),
            live: live_default(),
        }
    }
}

impl Policy {
    /// Decisions for one mode.
    pub fn for_mode(&self, mode: Mode) -> &ModePolicy {
        match mode {
            Mode::Test => &self.test,
            Mode::Live => &self.live,
        }
    }

    /// The decision for a call of `access` in `mode`.
    pub fn decide(&self, mode: Mode, access: Access) -> Decision {
        self.for_mode(mode).decide(access)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_allow_test_and_guard_live_money() {
        let p = Policy::default();
        for a in [Access::Read, Access::Write, Access::Destructive] {
            assert_eq!(
                p.decide(Mode::Test, a),
                Decision::Allow,
                "test mode allows {a:?}"
            );
        }
        assert_eq!(p.decide(Mode::Live, Access::Read), Decision::Allow);
        assert_eq!(p.decide(Mode::Live, Access::Write), Decision::Ask);
        assert_eq!(p.decide(Mode::Live, Access::Destructive), Decision::Ask);
    }

    #[test]
    fn partial_settings_keep_safe_defaults() {
        let p: Policy = serde_json::from_str(r#"{"live":{"write":"allow"}}"#).unwrap();
        assert_eq!(p.decide(Mode::Live, Access::Write), Decision::Allow);
        assert_eq!(
            p.decide(Mode::Live, Access::Destructive),
            Decision::Ask,
            "a field left out must not silently allow money movement"
        );
        assert_eq!(p.test, Policy::default().test);
    }
}
