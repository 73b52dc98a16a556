//! Which account the app shows now, decided by the one rule (`key_rule`, `sign_in_state`): the
//! Flex sign-in when it serves the current mode, else `FLEX_API_KEY` or the mode's stored key,
//! else the built-in demo — with a notice when a configuration exists but cannot be used, so a
//! typo in a key never silently looks like real data. The window process starts the demo's
//! simulator when [`Choice::Demo`] comes out; the tray process only needs to know it is the demo
//! (it shows no payments, so it starts no simulator).

use flex_api::Mode;

use crate::app_status::Account;
use crate::{Paths, Settings};

/// What the app shows.
pub enum Choice {
    /// An API key (from the environment or the keychain).
    Key(Account),
    /// The Flex sign-in serves the current mode (tools through Flex's hosted MCP).
    FlexSignIn,
    /// Nothing usable: the built-in demo, with why when something was configured.
    Demo {
        /// Something the person should know, with its fix.
        notice: Option<String>,
    },
}

/// Without the key: the account's mode and where its key comes from.
impl std::fmt::Debug for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Choice::Key(a) => write!(f, "Key({:?} key from {:?})", a.mode, a.source),
            Choice::FlexSignIn => f.write_str("FlexSignIn"),
            Choice::Demo { notice } => write!(f, "Demo {{ notice: {notice:?} }}"),
        }
    }
}

impl Choice {
    /// Whether this is the built-in demo.
    pub fn is_demo(&self) -> bool {
        matches!(self, Choice::Demo { .. })
    }
}

/// The choice for this machine now: the environment, the keychain and `settings`.
pub fn now(paths: Option<&Paths>, settings: &Settings) -> Choice {
    if let Some(p) = paths
        && flex_serves(p, settings)
    {
        return Choice::FlexSignIn;
    }
    let env_key = crate::key_rule::env_key();
    let stored_key = |mode| match paths {
        Some(p) => crate::credentials::api_key(p, mode),
        None => Ok(None),
    };
    by_key(env_key.as_deref(), stored_key, settings)
}

/// Whether the Flex sign-in serves the current mode, by the one rule (`key_rule::sign_in_for`).
fn flex_serves(paths: &Paths, settings: &Settings) -> bool {
    crate::credentials::keychain().is_ok_and(|store| {
        crate::sign_in_state::serves_in(&store, paths, settings, settings.mode)
            == crate::sign_in_state::Serves::Flex
    })
}

/// The key part of the rule with its inputs passed in, so tests need neither environment
/// variables nor a keychain: `FLEX_API_KEY`, else the current mode's stored key, else the demo.
pub fn by_key(
    env_key: Option<&str>,
    stored_key: impl FnOnce(Mode) -> anyhow::Result<Option<String>>,
    settings: &Settings,
) -> Choice {
    let env_key = env_key.map(str::trim).filter(|k| !k.is_empty());
    let chosen = crate::key_rule::mode_in_force(env_key, settings.mode)
        .map_err(anyhow::Error::from)
        .and_then(|mode| {
            Account::from_rule(env_key, mode, stored_key, settings.effective_api_base())
        });
    match chosen {
        Ok(Some(account)) => Choice::Key(account),
        Ok(None) => Choice::Demo { notice: None },
        Err(e) => Choice::Demo {
            notice: Some(format!("{e:#} Showing the built-in demo meanwhile.")),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::app_status::KeySource;

    #[allow(clippy::unnecessary_wraps)] // matches the keychain lookup's signature
    fn no_stored_key(_: Mode) -> anyhow::Result<Option<String>> {
        Ok(None)
    }

    #[test]
    fn a_stored_key_for_the_current_mode_is_used() {
        let mut asked = None;
        let choice = by_key(
            None,
            |mode| {
                asked = Some(mode);
                Ok(Some("fsk_test_saved".to_string()))
            },
            &Settings::default(),
        );
        assert_eq!(asked, Some(Mode::Test), "settings start in test mode");
        let Choice::Key(account) = choice else {
            panic!("not a key: {choice:?}")
        };
        assert_eq!(account.source, KeySource::Keychain);
    }

    #[test]
    fn the_environment_key_wins_over_a_stored_one() {
        let choice = by_key(
            Some("fsk_live_env"),
            |_| panic!("the keychain is not read when FLEX_API_KEY is set"),
            &Settings::default(),
        );
        let Choice::Key(account) = choice else {
            panic!("not a key: {choice:?}")
        };
        assert_eq!(account.source, KeySource::Environment);
        assert_eq!(account.mode, Mode::Live, "the key's prefix fixes the mode");
    }

    #[test]
    fn nothing_configured_is_the_demo_without_a_notice() {
        let choice = by_key(None, no_stored_key, &Settings::default());
        assert!(
            matches!(choice, Choice::Demo { notice: None }),
            "{choice:?}"
        );
    }

    #[test]
    fn an_unreadable_keychain_is_the_demo_and_says_why() {
        let choice = by_key(
            None,
            |_| Err(anyhow::anyhow!("the keychain is locked")),
            &Settings::default(),
        );
        let Choice::Demo {
            notice: Some(notice),
        } = choice
        else {
            panic!("not the demo with a notice: {choice:?}")
        };
        assert!(notice.contains("keychain is locked"), "{notice}");
    }

    #[test]
    fn a_malformed_key_is_the_demo_and_names_the_variable() {
        let choice = by_key(Some("sk_test_stripe"), no_stored_key, &Settings::default());
        let Choice::Demo {
            notice: Some(notice),
        } = choice
        else {
            panic!("not the demo with a notice: {choice:?}")
        };
        assert!(
            notice.contains("FLEX_API_KEY") && notice.contains("demo"),
            "{notice}"
        );
    }
}
