//! The single-flight refresher against flex-sim's authorization server over real HTTP: sixteen
//! callers with an expiring token cause one refresh, rotation never replays a refresh token,
//! a refused refresh ends the sign-in once (no loop, no browser), and items are updated in place.
//! The sign-in here posts the simulator's forms with reqwest; the browser path is tested with
//! Chromium in flex-cli's `oauth` test.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use flex_auth::oauth::{self, OauthError, Refresher};
use flex_auth::{MemoryStore, SecretKind, SecretStore};
use serde_json::{Value, json};

#[path = "common/sign_in.rs"]
mod sign_in;
use sign_in::{controls, sign_in, sim};

async fn ping(sim: &flex_sim::SimHandle, token: &str) -> u16 {
    reqwest::Client::new()
        .post(sim.oauth_mcp_url())
        .bearer_auth(token)
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_callers_with_an_expiring_token_cause_one_refresh() {
    let sim = sim().await;
    let store = Arc::new(MemoryStore::new());
    // Issued with 30 s, inside the refresher's 60 s margin: the first call must refresh.
    controls(&sim, json!({"access_token_ttl_secs": 30})).await;
    sign_in(&sim, &store).await;
    controls(&sim, json!({"access_token_ttl_secs": 3600})).await;
    let items = store.len();
    let refresher = Arc::new(Refresher::new(store.clone()).unwrap());

    let calls = (0..16).map(|_| {
        let r = refresher.clone();
        tokio::spawn(async move { r.bearer().await.unwrap().token.expose().clone() })
    });
    let tokens: Vec<String> = futures_join(calls).await;
    assert!(
        tokens.windows(2).all(|w| w[0] == w[1]),
        "every caller got the one new token"
    );
    let c = controls(&sim, Value::Null).await;
    assert_eq!(c["refresh_count"], 1, "exactly one refresh: {c}");
    assert_eq!(c["reuse_detected"], 0);
    assert_eq!(ping(&sim, &tokens[0]).await, 200, "the new token works");
    assert_eq!(
        store.len(),
        items,
        "the items were updated in place, none added"
    );
}

async fn futures_join(
    handles: impl Iterator<Item = tokio::task::JoinHandle<String>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn rotation_never_replays_and_a_rejected_token_is_renewed() {
    let sim = sim().await;
    let store = Arc::new(MemoryStore::new());
    controls(&sim, json!({"access_token_ttl_secs": 30})).await;
    sign_in(&sim, &store).await;
    let refresher = Refresher::new(store.clone()).unwrap();
    for _ in 0..5 {
        let b = refresher.bearer().await.unwrap();
        assert_eq!(ping(&sim, b.token.expose()).await, 200);
    }
    let c = controls(&sim, Value::Null).await;
    assert_eq!(
        (c["refresh_count"].as_u64(), c["reuse_detected"].as_u64()),
        (Some(5), Some(0))
    );

    // The server expires the token early; the hosted call's 401 makes the next call renew it.
    controls(&sim, json!({"access_token_ttl_secs": 3600})).await;
    let b = refresher.bearer().await.unwrap();
    controls(&sim, json!({"expire_access_tokens": true})).await;
    assert_eq!(ping(&sim, b.token.expose()).await, 401);
    refresher.rejected(&b.token).await;
    let renewed = refresher.bearer().await.unwrap();
    assert_eq!(ping(&sim, renewed.token.expose()).await, 200);
    assert_eq!(controls(&sim, Value::Null).await["reuse_detected"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_refresh_ends_the_sign_in_once_without_a_loop() {
    let sim = sim().await;
    let store = Arc::new(MemoryStore::new());
    controls(
        &sim,
        json!({"access_token_ttl_secs": 30, "fail_next_refresh": true}),
    )
    .await;
    sign_in(&sim, &store).await;
    let refresher = Arc::new(Refresher::new(store.clone()).unwrap());
    let mut ended = refresher.ended();

    let calls: Vec<_> = (0..16)
        .map(|_| {
            let r = refresher.clone();
            tokio::spawn(async move { r.bearer().await })
        })
        .collect();
    for c in calls {
        match c.await.unwrap() {
            Err(OauthError::SignInRequired { .. }) => {}
            other => panic!("every caller hears 'sign in again': {other:?}"),
        }
    }
    assert!(ended.has_changed().unwrap(), "one notice was published");
    let reason = ended.borrow_and_update().clone().unwrap();
    assert!(reason.contains("refused"), "{reason}");
    for _ in 0..5 {
        let e = refresher.bearer().await.unwrap_err();
        assert!(e.to_string().contains("Sign in again"), "{e}");
    }
    assert!(!ended.has_changed().unwrap(), "no second notice");
    let c = controls(&sim, Value::Null).await;
    assert_eq!(c["refresh_failures"], 1, "one attempt, no retry loop: {c}");
    assert_eq!(c["refresh_count"], 0);
    assert!(
        store
            .load(oauth::slot(SecretKind::OauthAccess))
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .load(oauth::slot(SecretKind::OauthRefresh))
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .load(oauth::slot(SecretKind::OauthClient))
            .unwrap()
            .is_some(),
        "the registration is kept for the next sign-in"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn sign_out_revokes_then_deletes() {
    let sim = sim().await;
    let store = MemoryStore::new();
    sign_in(&sim, &store).await;
    let out = oauth::sign_out(&store).await.unwrap();
    assert!(out.revoked && out.removed);
    assert!(store.is_empty());
    let c = controls(&sim, Value::Null).await;
    assert_eq!(
        (c["revocations"].as_u64(), c["live_access_tokens"].as_u64()),
        (Some(1), Some(0))
    );
}
