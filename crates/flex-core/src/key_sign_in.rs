//! Signing in from the window with a pasted API key: the user action behind the Sign in page.
//! `credentials::sign_in_with_api_key` does the work (format check, one verifying call, keychain
//! only); this adds the words a person reads — which mode the key is for, whether it is in use
//! now or waits for a mode switch, and which scope a scoped key lacks.

use flex_api::Mode;
use flex_auth::{SecretStore, Verification};
use serde::Serialize;

use crate::app_status::mode_label;
use crate::{Paths, Settings, credentials};

/// What signing in did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KeySignIn {
    /// The key's mode, from its prefix.
    #[cfg_attr(feature = "ts", ts(as = "crate::bindings::ModeName"))]
    pub mode: Mode,
    /// True when the key's mode is the current one, so assistants use it from their next call.
    pub active_now: bool,
    /// The scope Flex refused on the check (a scoped key is stored anyway).
    pub missing_scope: Option<String>,
    /// A key was stored in that slot before and has been replaced.
    pub replaced: bool,
    /// What happened, in plain words, with what to do next when there is something.
    pub sentence: String,
}

/// Verify `input` against the settings' Flex and store it in the keychain slot of its mode.
/// Nothing is stored when any step fails; the error carries its `Code` (`invalid_key`,
/// `key_rejected`, `network`, `keychain_unavailable`) and a sentence saying what to do.
pub async fn sign_in(
    store: &dyn SecretStore,
    paths: &Paths,
    settings: &Settings,
    input: &str,
) -> anyhow::Result<KeySignIn> {
    let done =
        credentials::sign_in_with_api_key(store, paths, input, &settings.effective_api_base())
            .await?;
    let mode = done.mode;
    let active_now = mode == settings.mode;
    let missing_scope = match &done.verification {
        Verification::Accepted => None,
        Verification::Scoped { missing_scope, .. } => Some(missing_scope.clone()),
    };
    let key_mode = mode_label(mode).to_lowercase();
    let mut sentence = vec![format!(
        "Signed in: Flex accepted your {key_mode} key and it is saved in this computer's keychain."
    )];
    if !active_now {
        sentence.push(format!(
            "Flex MCP is in {} mode, so this {key_mode} key is used once you switch to {key_mode} \
             mode.",
            mode_label(settings.mode).to_lowercase()
        ));
    }
    if let Some(scope) = &missing_scope {
        sentence.push(format!(
            "This key is limited: it lacks the `{scope}` permission, so tools that need it will \
             fail until you use a key that has it."
        ));
    }
    let sentence = sentence.join(" ");
    Ok(KeySignIn {
        mode,
        active_now,
        missing_scope,
        replaced: done.replaced,
        sentence,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use flex_auth::MemoryStore;

    use super::*;
    use crate::Code;

    async fn world() -> (tempfile::TempDir, Paths, Settings, flex_sim::SimHandle) {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(&dir.path().join("flex"), dir.path());
        let sim = flex_sim::start(flex_sim::SimConfig {
            port: 0,
            seed: Some(flex_sim::Seed::Demo),
            ..flex_sim::SimConfig::default()
        })
        .await
        .unwrap();
        let settings = Settings {
            api_base: Some(sim.base_url()),
            ..Settings::default()
        };
        (dir, paths, settings, sim)
    }

    #[tokio::test]
    async fn a_good_test_key_is_stored_and_in_use() {
        let (_d, paths, settings, _sim) = world().await;
        let store = MemoryStore::new();
        let s = sign_in(&store, &paths, &settings, flex_sim::DEMO_TEST_KEY)
            .await
            .unwrap();
        assert_eq!(s.mode, Mode::Test);
        assert!(s.active_now && s.missing_scope.is_none(), "{s:?}");
        assert!(s.sentence.contains("test key"), "{}", s.sentence);
        assert!(!s.sentence.contains(flex_sim::DEMO_TEST_KEY));
        assert_eq!(
            credentials::api_key_in(&store, &paths, Mode::Test)
                .unwrap()
                .as_deref(),
            Some(flex_sim::DEMO_TEST_KEY)
        );
    }

    #[tokio::test]
    async fn a_key_of_the_other_mode_is_stored_for_its_mode_and_says_so() {
        let (_d, paths, settings, _sim) = world().await;
        let store = MemoryStore::new();
        let s = sign_in(&store, &paths, &settings, flex_sim::DEMO_LIVE_KEY)
            .await
            .unwrap();
        assert_eq!(s.mode, Mode::Live);
        assert!(!s.active_now);
        assert!(
            s.sentence
                .contains("in test mode, so this live key is used once you switch to live mode"),
            "{}",
            s.sentence
        );
        assert_eq!(
            credentials::api_key_in(&store, &paths, Mode::Test).unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn a_rejected_key_is_not_stored_and_says_why() {
        let (_d, paths, settings, _sim) = world().await;
        let store = MemoryStore::new();
        let err = sign_in(&store, &paths, &settings, "fsk_test_not_a_real_key_0000")
            .await
            .unwrap_err();
        assert_eq!(Code::of(&err), Code::KeyRejected, "{err:#}");
        assert!(store.is_empty(), "nothing stored");
        let msg = Code::message(&err);
        assert!(
            !msg.contains("not_a_real_key"),
            "the key never appears: {msg}"
        );
    }

    #[tokio::test]
    async fn a_malformed_key_is_refused_before_any_call() {
        let (_d, paths, settings, _sim) = world().await;
        let store = MemoryStore::new();
        let err = sign_in(&store, &paths, &settings, "sk_test_stripe")
            .await
            .unwrap_err();
        assert_eq!(Code::of(&err), Code::InvalidKey, "{err:#}");
    }
}
