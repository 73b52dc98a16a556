//! Which sign-in serves each mode, as the Account page and the tray show it: an API key (by its
//! last 4 characters), the Flex sign-in, or nothing; the Flex sign-in itself (where, since when,
//! until when its access runs); and, when both exist for a mode, which one the person's choice
//! (`Settings.sign_in`) gives it, in plain words. One read of the keychain and the settings,
//! decided by the one rule, [`key_rule::sign_in_for`], so the window, the tray, `status` and
//! the host cannot disagree.

use flex_api::Mode;
use flex_auth::SecretStore;
use flex_auth::oauth::{self, SignInStatus};
use serde::Serialize;

use crate::account_keys::last4;
use crate::key_rule::{self, KeySource, Serving, SignInChoice};
use crate::{Paths, Settings, credentials};

/// What serves a mode, as a word the front end switches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Serves {
    /// An API key (saved for the mode, or `FLEX_API_KEY`).
    ApiKey,
    /// The Flex sign-in: the tools come from Flex's hosted MCP.
    Flex,
    /// Nothing: assistants are told to sign in.
    Nothing,
    /// What is stored cannot be used (`line` says why).
    Trouble,
}

/// One mode's sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ModeSignIn {
    /// Test or live.
    #[cfg_attr(feature = "ts", ts(as = "crate::bindings::ModeName"))]
    pub mode: Mode,
    /// What serves it.
    pub serves: Serves,
    /// One plain line: "Signed in with Flex", "API key …a1b2", "Not signed in".
    pub line: String,
    /// The last 4 characters of the API key that exists for this mode (serving or not).
    pub key_last4: Option<String>,
    /// When both an API key and the Flex sign-in could serve this mode: which one does, and why.
    pub choice: Option<String>,
}

/// The Flex sign-in as the Account page shows it (never a token, never the client ID).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FlexSignInInfo {
    /// Flex's sign-in service (the authorization server's issuer).
    pub issuer: String,
    /// When the sign-in was made here (RFC 3339), when recorded. Flex's tokens do not say who
    /// signed in, so the page shows where and since when.
    pub signed_in_at: Option<String>,
    /// When the current access token runs out (RFC 3339); it is renewed by itself before then.
    pub access_until: String,
    /// A refresh token is stored, so access renews without the browser.
    pub renews: bool,
}

/// Both modes' sign-ins and the Flex sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SignInState {
    /// Test first, then live.
    pub modes: Vec<ModeSignIn>,
    /// The Flex sign-in, when one is stored.
    pub flex: Option<FlexSignInInfo>,
    /// The Flex sign-in could not be read: what happened and what to do.
    pub flex_trouble: Option<String>,
}

/// The sign-in state over `store` (the keychain in production), with `FLEX_API_KEY` as this
/// process sees it.
pub fn read_in(store: &dyn SecretStore, paths: &Paths, settings: &Settings) -> SignInState {
    read_with(store, paths, settings, key_rule::env_key().as_deref())
}

/// One line per mode, test first ("Signed in with Flex", "API key …a1b2", "Not signed in"): what
/// the tray shows beside each mode.
pub fn mode_lines_in(
    store: &dyn SecretStore,
    paths: &Paths,
    settings: &Settings,
) -> Vec<(Mode, String)> {
    read_in(store, paths, settings)
        .modes
        .into_iter()
        .map(|m| (m.mode, m.line))
        .collect()
}

/// What serves `mode` now (the window's account uses it to leave the demo for the Flex sign-in).
pub fn serves_in(
    store: &dyn SecretStore,
    paths: &Paths,
    settings: &Settings,
    mode: Mode,
) -> Serves {
    let flex_signed_in = matches!(oauth::status(store), Ok(SignInStatus::SignedIn { .. }));
    let env = key_rule::env_key();
    mode_sign_in(store, paths, settings, env.as_deref(), mode, flex_signed_in).serves
}

/// [`read_in`] with the environment key passed in (tests).
pub fn read_with(
    store: &dyn SecretStore,
    paths: &Paths,
    settings: &Settings,
    env: Option<&str>,
) -> SignInState {
    let status = oauth::status(store);
    let flex_signed_in = matches!(status, Ok(SignInStatus::SignedIn { .. }));
    let (flex, flex_trouble) = match status {
        Ok(SignInStatus::SignedIn {
            issuer,
            expires_at,
            can_refresh,
            ..
        }) => (
            Some(FlexSignInInfo {
                issuer,
                signed_in_at: credentials::flex_signed_in_at(paths).map(|t| t.to_rfc3339()),
                access_until: chrono::DateTime::from_timestamp(expires_at, 0)
                    .unwrap_or_default()
                    .to_rfc3339(),
                renews: can_refresh,
            }),
            None,
        ),
        Ok(SignInStatus::SignedOut) => (None, None),
        Err(e) => (None, Some(e.to_string())),
    };
    let modes = [Mode::Test, Mode::Live]
        .into_iter()
        .map(|mode| mode_sign_in(store, paths, settings, env, mode, flex_signed_in))
        .collect();
    SignInState {
        modes,
        flex,
        flex_trouble,
    }
}

fn mode_sign_in(
    store: &dyn SecretStore,
    paths: &Paths,
    settings: &Settings,
    env: Option<&str>,
    mode: Mode,
    flex_signed_in: bool,
) -> ModeSignIn {
    // The keychain is read once; both questions below get the same answer.
    let raw = if env.is_some() {
        Ok(None)
    } else {
        credentials::api_key_in(store, paths, mode)
    };
    let replay = |_: Mode| match &raw {
        Ok(v) => Ok(v.clone()),
        Err(e) => Err(anyhow::anyhow!("{e:#}")),
    };
    let key = key_rule::key_for(env, mode, replay).ok().flatten();
    let key_last4 = key.as_ref().map(|(k, _)| last4(k.expose()));
    let choice = settings.sign_in.for_mode(mode);
    let serving = key_rule::sign_in_for(env, mode, choice, flex_signed_in, replay);
    let (serves, line) = match &serving {
        Ok(Some(Serving::ApiKey(k, KeySource::Environment))) => (
            Serves::ApiKey,
            format!(
                "API key …{} (from {})",
                last4(k.expose()),
                key_rule::API_KEY_ENV
            ),
        ),
        Ok(Some(Serving::ApiKey(k, _))) => {
            (Serves::ApiKey, format!("API key …{}", last4(k.expose())))
        }
        Ok(Some(Serving::FlexSignIn)) => (Serves::Flex, "Signed in with Flex".to_owned()),
        Ok(None) => (Serves::Nothing, "Not signed in".to_owned()),
        Err(e) => (Serves::Trouble, format!("Cannot be used: {e}")),
    };
    let both = env.is_none() && flex_signed_in && key_last4.is_some();
    let choice = both.then(|| {
        let key = format!("your API key …{}", key_last4.as_deref().unwrap_or_default());
        let mode_words = format!("{mode} mode");
        match (choice, serves) {
            (Some(SignInChoice::Flex), Serves::Flex) => format!(
                "Both {key} and your Flex sign-in can reach {mode_words}; you chose the Flex \
                 sign-in, so its tools come from Flex's hosted MCP."
            ),
            (Some(SignInChoice::ApiKey), _) => format!(
                "Both {key} and your Flex sign-in can reach {mode_words}; you chose the API key."
            ),
            _ => format!(
                "Both {key} and your Flex sign-in can reach {mode_words}; the API key is used, \
                 because no other choice was made."
            ),
        }
    });
    ModeSignIn {
        mode,
        serves,
        line,
        key_last4,
        choice,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use flex_auth::{ApiKey, MemoryStore, SecretKind, Sensitive, Verification};

    use super::*;

    fn world() -> (tempfile::TempDir, Paths, MemoryStore) {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(&dir.path().join("flex"), dir.path());
        (dir, paths, MemoryStore::new())
    }

    fn save_key(store: &MemoryStore, paths: &Paths, key: &str) {
        let key = ApiKey::parse(key).unwrap();
        credentials::save_api_key_in(store, paths, &key, &Verification::Accepted, "http://x")
            .unwrap();
    }

    /// The access item as flex-auth writes it after a sign-in (its fields, no real token).
    fn sign_in_with_flex(store: &MemoryStore, paths: &Paths) {
        let access = serde_json::json!({
            "access_token": "opaque-access-token",
            "expires_at": 1_900_000_000_i64,
            "issuer": "http://127.0.0.1:9",
            "resource": "http://127.0.0.1:9/api/mcp/oauth",
            "token_endpoint": "http://127.0.0.1:9/oauth/token",
            "revocation_endpoint": null,
        });
        store
            .save(
                oauth::slot(SecretKind::OauthAccess),
                &Sensitive::new(access.to_string()),
            )
            .unwrap();
        store
            .save(
                oauth::slot(SecretKind::OauthRefresh),
                &Sensitive::new("opaque-refresh-token".to_owned()),
            )
            .unwrap();
        credentials::record_flex_sign_in(paths, "http://127.0.0.1:9");
    }

    #[test]
    fn nothing_stored_says_not_signed_in_for_both_modes() {
        let (_d, paths, store) = world();
        let s = read_with(&store, &paths, &Settings::default(), None);
        assert!(s.flex.is_none() && s.flex_trouble.is_none());
        assert_eq!(
            s.modes
                .iter()
                .map(|m| (m.mode, m.serves))
                .collect::<Vec<_>>(),
            vec![(Mode::Test, Serves::Nothing), (Mode::Live, Serves::Nothing)]
        );
        assert_eq!(s.modes[0].line, "Not signed in");
    }

    #[test]
    fn a_key_shows_its_last_four_and_flex_serves_the_other_mode() {
        let (_d, paths, store) = world();
        save_key(&store, &paths, "fsk_test_state_secret_a1b2");
        sign_in_with_flex(&store, &paths);
        let s = read_with(&store, &paths, &Settings::default(), None);
        let (test, live) = (&s.modes[0], &s.modes[1]);
        assert_eq!(
            (test.serves, test.line.as_str()),
            (Serves::ApiKey, "API key …a1b2")
        );
        assert_eq!(
            (live.serves, live.line.as_str()),
            (Serves::Flex, "Signed in with Flex")
        );
        assert!(live.choice.is_none(), "only one sign-in exists for live");
        let choice = test.choice.as_deref().unwrap();
        assert!(
            choice.contains("…a1b2") && choice.contains("the API key is used"),
            "{choice}"
        );
        let flex = s.flex.unwrap();
        assert_eq!(flex.issuer, "http://127.0.0.1:9");
        assert!(flex.signed_in_at.is_some() && flex.renews);
        assert!(
            flex.access_until.starts_with("2030-03-17"),
            "{}",
            flex.access_until
        );
        let shown = serde_json::to_string(&s.modes).unwrap();
        assert!(
            !shown.contains("state_secret") && !shown.contains("opaque"),
            "{shown}"
        );
    }

    #[test]
    fn the_choice_in_settings_gives_the_mode_to_the_flex_sign_in() {
        let (_d, paths, store) = world();
        save_key(&store, &paths, "fsk_test_state_secret_a1b2");
        sign_in_with_flex(&store, &paths);
        let mut settings = Settings::default();
        settings.sign_in.test = Some(SignInChoice::Flex);
        let s = read_with(&store, &paths, &settings, None);
        assert_eq!(s.modes[0].serves, Serves::Flex);
        assert!(
            s.modes[0]
                .choice
                .as_deref()
                .unwrap()
                .contains("you chose the Flex sign-in"),
            "{:?}",
            s.modes[0].choice
        );
        assert_eq!(
            mode_lines_in(&store, &paths, &settings)[0],
            (Mode::Test, "Signed in with Flex".to_owned())
        );
    }

    #[test]
    fn the_environment_key_serves_its_mode_and_says_where_it_comes_from() {
        let (_d, paths, store) = world();
        sign_in_with_flex(&store, &paths);
        let s = read_with(
            &store,
            &paths,
            &Settings::default(),
            Some("fsk_test_from_env_wxyz"),
        );
        assert_eq!(s.modes[0].line, "API key …wxyz (from FLEX_API_KEY)");
        assert_eq!(
            s.modes[1].serves,
            Serves::Trouble,
            "FLEX_API_KEY pins its own mode"
        );
        assert!(s.modes[0].choice.is_none());
    }

    #[test]
    fn a_damaged_sign_in_is_reported_not_hidden() {
        let (_d, paths, store) = world();
        store
            .save(
                oauth::slot(SecretKind::OauthAccess),
                &Sensitive::new("not json".to_owned()),
            )
            .unwrap();
        let s = read_with(&store, &paths, &Settings::default(), None);
        assert!(s.flex.is_none());
        assert!(s.flex_trouble.unwrap().contains("damaged"));
    }
}
