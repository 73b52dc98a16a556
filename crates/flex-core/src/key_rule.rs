//! The one rule for which credential serves a mode, used by the host, the app, `status` and
//! `doctor` so they can never disagree about which key is in use:
//!
//! 1. `FLEX_API_KEY`, when set and not blank: its prefix fixes the mode (settings' mode is
//!    ignored), and it serves only that mode;
//! 2. otherwise the keychain slot of the mode in force (the settings' mode), whose key must be
//!    of that mode (a key in the wrong slot is refused, it would act on the wrong money);
//! 3. otherwise none: the server says how to sign in, and the app shows its built-in demo.
//!
//! Beside the API key there is the Flex sign-in (OAuth), which serves both modes through the
//! hosted MCP ([`sign_in_for`]): when both exist for a mode, the person's choice in settings
//! (`sign_in`) decides; without a choice the API key stored for that mode serves, else the Flex
//! sign-in. `FLEX_API_KEY` always wins for its mode (it is how tests and servers pin a key).
//!
//! Key format checks are [`flex_auth::ApiKey`]'s, nowhere else.

use flex_api::Mode;
use flex_auth::{ApiKey, KeyFormatError};
use serde::Serialize;

/// The environment variable that supplies a key directly (headless machines, CI, tests).
pub const API_KEY_ENV: &str = "FLEX_API_KEY";

/// Where the key in use comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum KeySource {
    /// Nothing configured: the app runs the built-in simulator with its demo key.
    Demo,
    /// `FLEX_API_KEY` is set.
    Environment,
    /// The key saved for the current mode in the OS keychain (`flex-mcp login`).
    Keychain,
    /// No API key: the Flex sign-in serves the current mode (tools via Flex's hosted MCP).
    FlexSignIn,
}

/// Why no usable key could be chosen. Messages never contain the key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyRuleError {
    /// `FLEX_API_KEY` is set but is not a Flex secret key.
    #[error(
        "{API_KEY_ENV} is not a Flex secret key ({0}). Fix the environment variable, or unset it \
         and sign in with `flex-mcp login --api-key`"
    )]
    EnvNotAKey(KeyFormatError),
    /// `FLEX_API_KEY` is of the other mode than the one asked for.
    #[error("{API_KEY_ENV} holds a {key} key, so it cannot serve {wanted} mode")]
    EnvOtherMode {
        /// The key's mode.
        key: Mode,
        /// The mode asked for.
        wanted: Mode,
    },
    /// The keychain slot of `mode` holds something that is not a key of that mode.
    #[error(
        "the key saved for {mode} mode is not a {mode} key. Sign in again with `flex-mcp login \
         --api-key` to replace it"
    )]
    WrongSlot {
        /// The slot.
        mode: Mode,
    },
    /// The keychain could not be read.
    #[error("the {mode} API key could not be read from the system keychain ({message})")]
    Keychain {
        /// The slot.
        mode: Mode,
        /// Why.
        message: String,
    },
}

/// `FLEX_API_KEY` as set in this process, trimmed; `None` when unset or blank.
pub fn env_key() -> Option<String> {
    std::env::var(API_KEY_ENV)
        .ok()
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
}

/// The mode in force: the environment key's, else the settings'.
pub fn mode_in_force(env: Option<&str>, settings_mode: Mode) -> Result<Mode, KeyRuleError> {
    match env {
        Some(key) => ApiKey::parse(key)
            .map(|k| k.mode())
            .map_err(KeyRuleError::EnvNotAKey),
        None => Ok(settings_mode),
    }
}

/// The key that serves `mode`, and where it comes from; `Ok(None)`: nothing configured.
/// `stored` reads the keychain slot of a mode; it is not called when `FLEX_API_KEY` is set.
pub fn key_for(
    env: Option<&str>,
    mode: Mode,
    stored: impl FnOnce(Mode) -> anyhow::Result<Option<String>>,
) -> Result<Option<(ApiKey, KeySource)>, KeyRuleError> {
    if let Some(raw) = env {
        let key = ApiKey::parse(raw).map_err(KeyRuleError::EnvNotAKey)?;
        if key.mode() != mode {
            return Err(KeyRuleError::EnvOtherMode {
                key: key.mode(),
                wanted: mode,
            });
        }
        return Ok(Some((key, KeySource::Environment)));
    }
    let raw = stored(mode).map_err(|e| KeyRuleError::Keychain {
        mode,
        message: format!("{e:#}"),
    })?;
    let Some(raw) = raw else { return Ok(None) };
    match ApiKey::parse(&raw) {
        Ok(key) if key.mode() == mode => Ok(Some((key, KeySource::Keychain))),
        _ => Err(KeyRuleError::WrongSlot { mode }),
    }
}

/// Which sign-in the person wants to serve a mode when both exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SignInChoice {
    /// The API key saved for the mode (`flex-mcp login --api-key`).
    ApiKey,
    /// The Flex sign-in (`flex-mcp login --oauth`): calls go through Flex's hosted MCP.
    Flex,
}

/// What serves a mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Serving {
    /// An API key, and where it comes from; the local tools call the REST API with it.
    ApiKey(ApiKey, KeySource),
    /// The Flex sign-in; the hosted MCP's tools are served through the gateway.
    FlexSignIn,
}

impl Serving {
    /// A short name for `status --json` and the app: `api_key` or `flex`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Serving::ApiKey(..) => "api_key",
            Serving::FlexSignIn => "flex",
        }
    }
}

/// The sign-in that serves `mode`: `FLEX_API_KEY` when set (see [`key_for`]); else, of the API
/// key stored for `mode` and the Flex sign-in (`flex_signed_in`), the one `choice` names when it
/// exists, else whichever exists, the API key first. `Ok(None)`: neither. A key in the wrong
/// slot is an error only when the key would serve.
pub fn sign_in_for(
    env: Option<&str>,
    mode: Mode,
    choice: Option<SignInChoice>,
    flex_signed_in: bool,
    stored: impl FnOnce(Mode) -> anyhow::Result<Option<String>>,
) -> Result<Option<Serving>, KeyRuleError> {
    if env.is_some() {
        return key_for(env, mode, stored).map(|k| k.map(|(key, src)| Serving::ApiKey(key, src)));
    }
    if flex_signed_in && choice == Some(SignInChoice::Flex) {
        // The keychain is not read: the person chose the Flex sign-in and it exists.
        return Ok(Some(Serving::FlexSignIn));
    }
    match key_for(None, mode, stored) {
        Ok(Some((key, src))) => Ok(Some(Serving::ApiKey(key, src))),
        // No key, or a broken or unreadable key slot: a Flex sign-in serves when there is one.
        Ok(None) | Err(_) if flex_signed_in => Ok(Some(Serving::FlexSignIn)),
        Ok(None) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_wins_and_fixes_the_mode() {
        assert_eq!(
            mode_in_force(Some("fsk_live_x"), Mode::Test).unwrap(),
            Mode::Live
        );
        assert_eq!(mode_in_force(None, Mode::Live).unwrap(), Mode::Live);
        assert!(matches!(
            mode_in_force(Some("sk_test_stripe"), Mode::Test),
            Err(KeyRuleError::EnvNotAKey(_))
        ));
        let (key, source) = key_for(Some("fsk_test_env"), Mode::Test, |_| {
            panic!("the keychain is not read when FLEX_API_KEY is set")
        })
        .unwrap()
        .unwrap();
        assert_eq!((key.mode(), source), (Mode::Test, KeySource::Environment));
        assert!(matches!(
            key_for(Some("fsk_test_env"), Mode::Live, |_| Ok(None)),
            Err(KeyRuleError::EnvOtherMode { .. })
        ));
    }

    #[test]
    fn the_keychain_slot_must_hold_a_key_of_its_mode() {
        let (key, source) = key_for(None, Mode::Live, |m| {
            assert_eq!(m, Mode::Live);
            Ok(Some("fsk_saved".into()))
        })
        .unwrap()
        .unwrap();
        assert_eq!((key.mode(), source), (Mode::Live, KeySource::Keychain));
        let err =
            key_for(None, Mode::Live, |_| Ok(Some("fsk_test_wrong_slot".into()))).unwrap_err();
        assert!(err.to_string().contains("not a live key"), "{err}");
        assert!(key_for(None, Mode::Test, |_| Ok(None)).unwrap().is_none());
        let err = key_for(None, Mode::Test, |_| Err(anyhow::anyhow!("locked"))).unwrap_err();
        assert!(err.to_string().contains("locked"), "{err}");
    }

    #[test]
    fn the_choice_decides_when_both_exist_and_the_key_comes_first_without_one() {
        let key = |_| Ok(Some("fsk_test_saved".to_owned()));
        let none = |_| Ok(None);
        let serve = |choice, flex, stored: &dyn Fn(Mode) -> anyhow::Result<Option<String>>| {
            sign_in_for(None, Mode::Test, choice, flex, stored)
                .unwrap()
                .map(|s| s.as_str())
        };
        assert_eq!(serve(None, true, &key), Some("api_key"));
        assert_eq!(serve(Some(SignInChoice::Flex), true, &key), Some("flex"));
        assert_eq!(
            serve(Some(SignInChoice::ApiKey), true, &key),
            Some("api_key")
        );
        assert_eq!(serve(None, true, &none), Some("flex"));
        assert_eq!(serve(Some(SignInChoice::ApiKey), true, &none), Some("flex"));
        assert_eq!(
            serve(Some(SignInChoice::Flex), false, &key),
            Some("api_key")
        );
        assert_eq!(serve(None, false, &none), None);
        // The environment key wins for its mode, whatever was chosen.
        let env = sign_in_for(
            Some("fsk_test_env"),
            Mode::Test,
            Some(SignInChoice::Flex),
            true,
            |_| panic!("not read"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            env,
            Serving::ApiKey(
                ApiKey::parse("fsk_test_env").unwrap(),
                KeySource::Environment
            )
        );
        // A key in the wrong slot does not block the Flex sign-in, and is reported without it.
        let wrong = |_| Ok(Some("fsk_live_wrong".to_owned()));
        assert_eq!(serve(None, true, &wrong), Some("flex"));
        assert!(sign_in_for(None, Mode::Test, None, false, wrong).is_err());
    }
}
