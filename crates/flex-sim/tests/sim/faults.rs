//! Fault injection: 429 with Retry-After, 5xx bursts, dropped connections, and the journal.

use serde_json::json;

use crate::common::{TEST_KEY, start};

async fn arm(sim: &crate::common::TestSim, faults: serde_json::Value) {
    let (s, _) = sim
        .send(reqwest::Method::POST, None, "/__sim/faults", Some(&faults))
        .await;
    assert_eq!(s, 200, "faults are armed");
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after_then_recovers() {
    let sim = start().await;
    arm(&sim, json!({"rate_limit": {"count": 2, "retry_after": 3}})).await;
    for _ in 0..2 {
        let resp = sim
            .http
            .get(sim.url("/v1/products"))
            .bearer_auth(TEST_KEY)
            .send()
            .await
            .expect("answers");
        assert_eq!(resp.status(), 429);
        assert_eq!(
            resp.headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("3")
        );
        let v: serde_json::Value = resp.json().await.expect("json");
        assert_eq!(v["error"]["code"], "rate_limited");
    }
    assert_eq!(
        sim.get(TEST_KEY, "/v1/products").await.0,
        200,
        "only N requests are limited"
    );
}

#[tokio::test]
async fn server_error_burst_then_success_and_path_prefix() {
    let sim = start().await;
    arm(
        &sim,
        json!({"server_errors": {"count": 2, "status": 503}, "path_prefix": "/v1/customers"}),
    )
    .await;
    assert_eq!(
        sim.get(TEST_KEY, "/v1/products").await.0,
        200,
        "other paths are not affected"
    );
    assert_eq!(sim.get(TEST_KEY, "/v1/customers").await.0, 503);
    assert_eq!(sim.get(TEST_KEY, "/v1/customers").await.0, 503);
    assert_eq!(sim.get(TEST_KEY, "/v1/customers").await.0, 200);
    let statuses: Vec<u64> = sim
        .journal()
        .await
        .iter()
        .map(|e| e["status"].as_u64().unwrap_or(99))
        .collect();
    assert_eq!(
        statuses,
        vec![200, 503, 503, 200],
        "the journal sees faulted requests too"
    );
}

#[tokio::test]
async fn dropped_connection_is_a_real_connection_error() {
    let sim = start().await;
    arm(&sim, json!({"drop_connections": {"count": 1}})).await;
    let err = sim
        .http
        .post(sim.url("/v1/refunds"))
        .bearer_auth(TEST_KEY)
        .header("Idempotency-Key", "drop-1")
        .json(&json!({"refund": {"payment_intent_id": "fpi_x"}}))
        .send()
        .await
        .expect_err("the connection is closed without a response");
    assert!(
        err.is_request() || err.is_connect() || err.is_body(),
        "a transport error, not an HTTP status: {err:?}"
    );
    assert_eq!(
        sim.get(TEST_KEY, "/v1/products").await.0,
        200,
        "the next request is served"
    );
    let journal = sim.journal().await;
    assert_eq!(
        journal[0]["status"], 0,
        "dropped requests are journaled with status 0"
    );
    assert_eq!(journal[0]["path"], "/v1/refunds");
    assert_eq!(journal[0]["idempotency_key"], "drop-1");
    assert_eq!(journal[0]["mode"], "test");
    let (s, _) = sim
        .send(reqwest::Method::DELETE, None, "/__sim/requests", None)
        .await;
    assert_eq!(s, 200);
    assert!(sim.journal().await.is_empty(), "the journal can be cleared");
}

#[tokio::test]
async fn latency_is_added_and_faults_clear() {
    let sim = start().await;
    arm(&sim, json!({"latency_ms": 30, "rate_limit": {"count": 5}})).await;
    let (s, _) = sim
        .send(reqwest::Method::DELETE, None, "/__sim/faults", None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        sim.get(TEST_KEY, "/v1/products").await.0,
        200,
        "cleared faults no longer apply"
    );
    let (_, f) = sim
        .send(reqwest::Method::GET, None, "/__sim/faults", None)
        .await;
    assert_eq!(f["latency_ms"], 0);
}
