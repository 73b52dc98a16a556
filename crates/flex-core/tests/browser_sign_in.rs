//! "Sign in with Flex" as the window runs it (flex-core `browser_sign_in`): start hands out the
//! link, the person answers flex-sim's sign-in and consent pages (form posts, as in a browser;
//! the real browser path is the GUI test's and flex-cli's `oauth` test's), finish reports the
//! sign-in, and the sign-in state read says which sign-in serves each mode. Deny, Cancel and a
//! missing sign-in service are one sentence each with nothing stored; sign-out revokes at the
//! simulator (the token is refused afterwards) and deletes every item.

#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

#[path = "../../flex-auth/tests/common/sign_in.rs"]
mod sign_in;

use std::sync::Arc;

use flex_auth::MemoryStore;
use flex_auth::oauth::Browser;
use flex_core::browser_sign_in::{self, BrowserSignIn};
use flex_core::sign_in_state::{self, Serves};
use flex_core::{Code, Paths, Settings, credentials};

struct World {
    _dir: tempfile::TempDir,
    paths: Paths,
    settings: Settings,
    sim: flex_sim::SimHandle,
    store: Arc<MemoryStore>,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::under(&dir.path().join("flex"), dir.path());
    let sim = sign_in::sim().await;
    let settings = Settings {
        mcp_url: Some(sim.base_url()),
        ..Settings::default()
    };
    World {
        _dir: dir,
        paths,
        settings,
        sim,
        store: Arc::new(MemoryStore::new()),
    }
}

impl World {
    async fn start(&self, flow: &BrowserSignIn) -> browser_sign_in::SignInLink {
        flow.start(
            self.store.clone(),
            self.paths.clone(),
            &self.settings,
            Browser::LinkOnly,
        )
        .await
        .unwrap()
    }

    async fn finish(&self, flow: &BrowserSignIn) -> anyhow::Result<browser_sign_in::FlexSignedIn> {
        flow.finish(self.store.as_ref(), &self.paths, &self.settings)
            .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_hands_out_the_link_and_finish_signs_in_for_both_modes() {
    let w = world().await;
    let flow = BrowserSignIn::new();
    let started = w.start(&flow).await;
    assert!(!started.browser_opened, "LinkOnly never opens a browser");
    assert!(
        started.link.starts_with(&w.sim.base_url()) && started.link.contains("code_challenge="),
        "the link is the simulator's authorize page: {}",
        started.link
    );
    assert!(
        started.sentence.contains("Open the link below"),
        "{}",
        started.sentence
    );
    sign_in::answer(&started.link, &w.sim.base_url(), "approve").await;
    let done = w.finish(&flow).await.unwrap();
    assert!(
        done.sentence.contains("in test and live mode"),
        "with no API key stored the sign-in serves both modes: {}",
        done.sentence
    );

    let state = sign_in_state::read_in(w.store.as_ref(), &w.paths, &w.settings);
    assert!(
        state.modes.iter().all(|m| m.serves == Serves::Flex),
        "{state:?}"
    );
    assert_eq!(state.modes[0].line, "Signed in with Flex");
    let flex = state.flex.unwrap();
    assert!(
        flex.signed_in_at.is_some() && flex.renews,
        "when is recorded: {flex:?}"
    );
    let err = w.finish(&flow).await.unwrap_err();
    assert!(
        Code::message(&err).contains("No sign-in with Flex is in progress"),
        "{err:#}"
    );

    let before = sign_in::controls(&w.sim, serde_json::Value::Null).await;
    let out = browser_sign_in::sign_out(w.store.as_ref(), &w.paths)
        .await
        .unwrap();
    assert!(out.was_signed_in && out.revoked, "{out:?}");
    let after = sign_in::controls(&w.sim, serde_json::Value::Null).await;
    assert_eq!(
        after["revoked_families"].as_u64(),
        before["revoked_families"].as_u64().map(|n| n + 1),
        "the simulator revoked the sign-in: {after}"
    );
    assert!(w.store.is_empty(), "sign-out deletes every item");
    assert!(credentials::flex_signed_in_at(&w.paths).is_none());
    let again = browser_sign_in::sign_out(w.store.as_ref(), &w.paths)
        .await
        .unwrap();
    assert!(!again.was_signed_in && again.sentence.contains("not signed in"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deny_and_cancel_are_one_sentence_each_and_store_nothing() {
    let w = world().await;
    let flow = BrowserSignIn::new();
    let started = w.start(&flow).await;
    sign_in::answer(&started.link, &w.sim.base_url(), "deny").await;
    let err = w.finish(&flow).await.unwrap_err();
    assert!(
        Code::message(&err).contains("choose Allow"),
        "Deny says what to do: {err:#}"
    );
    assert!(w.store.is_empty(), "nothing stored after Deny");

    w.start(&flow).await;
    assert!(flow.cancel());
    let err = w.finish(&flow).await.unwrap_err();
    assert_eq!(Code::of(&err), Code::Cancelled, "{err:#}");
    assert!(w.store.is_empty(), "nothing stored after Cancel");
    assert!(!flow.cancel(), "nothing left to cancel");

    // A second start replaces the first, which then reports it was cancelled.
    let first = w.start(&flow).await;
    let second = w.start(&flow).await;
    assert_ne!(first.link, second.link, "each sign-in has its own state");
    sign_in::answer(&second.link, &w.sim.base_url(), "approve").await;
    assert!(w.finish(&flow).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_saved_for_a_mode_keeps_serving_it_and_the_sentence_says_so() {
    let w = world().await;
    let key = flex_auth::ApiKey::parse("fsk_test_kept_key_a1b2").unwrap();
    credentials::save_api_key_in(
        w.store.as_ref(),
        &w.paths,
        &key,
        &flex_auth::Verification::Accepted,
        "http://x",
    )
    .unwrap();
    let flow = BrowserSignIn::new();
    let started = w.start(&flow).await;
    sign_in::answer(&started.link, &w.sim.base_url(), "approve").await;
    let done = w.finish(&flow).await.unwrap();
    assert!(
        done.sentence.contains("in live mode") && done.sentence.contains("API key …a1b2"),
        "{}",
        done.sentence
    );
    let state = sign_in_state::read_in(w.store.as_ref(), &w.paths, &w.settings);
    assert_eq!(state.modes[0].serves, Serves::ApiKey);
    assert!(state.modes[0].choice.is_some(), "both exist for test mode");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_sign_in_service_fails_at_start_with_what_to_do() {
    let w = world().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let settings = Settings {
        mcp_url: Some(format!("http://127.0.0.1:{port}")),
        ..w.settings.clone()
    };
    let err = BrowserSignIn::new()
        .start(
            w.store.clone(),
            w.paths.clone(),
            &settings,
            Browser::LinkOnly,
        )
        .await
        .unwrap_err();
    assert_eq!(Code::of(&err), Code::Network, "{err:#}");
    assert!(
        Code::message(&err).contains("Check your network and try again"),
        "one sentence with what to do: {err:#}"
    );
    assert!(w.store.is_empty());
}
