//! Idempotency-Key (§5.4): replay with the same body, 409 with another, scoped per API key.

use serde_json::{Value, json};

use crate::common::{LIVE_KEY, TEST_KEY, start, start_with};

async fn post_with_key(
    sim: &crate::common::TestSim,
    api_key: &str,
    idem: &str,
    body: &Value,
) -> (u16, Value, bool) {
    let resp = sim
        .http
        .post(sim.url("/v1/customers"))
        .bearer_auth(api_key)
        .header("Idempotency-Key", idem)
        .json(body)
        .send()
        .await
        .expect("answers");
    let status = resp.status().as_u16();
    let replayed = resp.headers().contains_key("idempotent-replayed");
    (status, resp.json().await.expect("json"), replayed)
}

#[tokio::test]
async fn same_key_and_body_replays_the_first_response() {
    let sim = start().await;
    let body = json!({"customer": {"first_name": "Jane", "email": "jane@example.com"}});
    let (s1, v1, r1) = post_with_key(&sim, TEST_KEY, "idem-1", &body).await;
    let (s2, v2, r2) = post_with_key(&sim, TEST_KEY, "idem-1", &body).await;
    assert_eq!((s1, s2), (201, 201), "the replay has the first status");
    assert_eq!(v1, v2, "the replay has the first body, same customer_id");
    assert!(!r1 && r2, "only the second answer is marked as a replay");
    let (_, list) = sim.get(TEST_KEY, "/v1/customers").await;
    assert_eq!(
        list["customers"].as_array().map(Vec::len),
        Some(1),
        "the customer exists exactly once"
    );
}

#[tokio::test]
async fn same_key_with_another_body_is_409() {
    let sim = start().await;
    post_with_key(
        &sim,
        TEST_KEY,
        "idem-2",
        &json!({"customer": {"first_name": "A"}}),
    )
    .await;
    let (s, v, _) = post_with_key(
        &sim,
        TEST_KEY,
        "idem-2",
        &json!({"customer": {"first_name": "B"}}),
    )
    .await;
    assert_eq!(s, 409);
    assert_eq!(v["error"]["code"], "idempotency_error");
    assert_eq!(v["error"]["type"], "idempotency_error");
}

#[tokio::test]
async fn keys_are_scoped_per_api_key() {
    let sim = start_with(
        &[(TEST_KEY, &[]), ("fsk_test_second", &[]), (LIVE_KEY, &[])],
        None,
    )
    .await;
    let (_, a, _) = post_with_key(
        &sim,
        TEST_KEY,
        "shared",
        &json!({"customer": {"first_name": "A"}}),
    )
    .await;
    let (s, b, replayed) = post_with_key(
        &sim,
        "fsk_test_second",
        "shared",
        &json!({"customer": {"first_name": "B"}}),
    )
    .await;
    assert_eq!(s, 201, "another API key may use the same Idempotency-Key");
    assert!(!replayed);
    assert_ne!(a["customer"]["customer_id"], b["customer"]["customer_id"]);
}

#[tokio::test]
async fn validation_failures_replay_too() {
    let sim = start().await;
    let bad = json!({"customer": {"email": "not-an-email"}});
    let (s1, v1, _) = post_with_key(&sim, TEST_KEY, "idem-3", &bad).await;
    let (s2, v2, r2) = post_with_key(&sim, TEST_KEY, "idem-3", &bad).await;
    assert_eq!((s1, s2), (422, 422));
    assert_eq!(v1, v2);
    assert!(r2);
}
