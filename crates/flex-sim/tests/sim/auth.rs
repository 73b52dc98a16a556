//! Keys, modes and scopes: 401 unknown, 403 out of scope, 404 across modes.

use serde_json::json;

use crate::common::{LIVE_KEY, TEST_KEY, start, start_with};

#[tokio::test]
async fn missing_unknown_and_malformed_keys_are_401() {
    let sim = start().await;
    let (s, v) = sim
        .send(reqwest::Method::GET, None, "/v1/products", None)
        .await;
    assert_eq!(s, 401);
    assert_eq!(v["error"]["type"], "authentication_error");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Authorization"),
        "says which header: {v}"
    );
    assert_eq!(sim.get("fsk_test_unknown", "/v1/products").await.0, 401);
    let (s, v) = sim.get("sk_test_abc", "/v1/products").await;
    assert_eq!(s, 401);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("fsk_"),
        "explains the key format: {v}"
    );
}

#[tokio::test]
async fn objects_of_the_other_mode_are_404() {
    let sim = start().await;
    let (product, _) = sim
        .product_and_price(TEST_KEY, "Thermometer", "0001", 1999)
        .await;
    let (s, v) = sim.get(TEST_KEY, &format!("/v1/products/{product}")).await;
    assert_eq!(s, 200);
    assert_eq!(
        v["product"]["test_mode"], true,
        "test keys create test objects"
    );
    let (s, v) = sim.get(LIVE_KEY, &format!("/v1/products/{product}")).await;
    assert_eq!(s, 404, "a test object does not exist for a live key: {v}");
    assert_eq!(v["error"]["code"], "resource_missing");
    let (_, list) = sim.get(LIVE_KEY, "/v1/products").await;
    assert_eq!(
        list["products"].as_array().map(Vec::len),
        Some(0),
        "stores are separate"
    );
    let p = sim
        .ok_post(
            LIVE_KEY,
            "/v1/products",
            &json!({"product": {"name": "Live"}}),
        )
        .await;
    assert_eq!(p["product"]["test_mode"], false);
}

#[tokio::test]
async fn scoped_keys_answer_403_outside_their_scope() {
    let sim = start_with(
        &[
            (TEST_KEY, &[]),
            ("fsk_test_ro", &["products:read"]),
            ("fsk_test_refunds", &["refunds:write"]),
        ],
        None,
    )
    .await;
    assert_eq!(
        sim.get("fsk_test_ro", "/v1/products").await.0,
        200,
        "read scope allows GET"
    );
    let (s, v) = sim
        .post(
            "fsk_test_ro",
            "/v1/products",
            &json!({"product": {"name": "x"}}),
        )
        .await;
    assert_eq!(s, 403, "read scope does not allow writes");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("products:write"),
        "names the missing scope: {v}"
    );
    assert_eq!(
        sim.get("fsk_test_ro", "/v1/customers").await.0,
        403,
        "other resources are out of scope"
    );
    assert_eq!(
        sim.get("fsk_test_refunds", "/v1/refunds").await.0,
        200,
        "write implies read"
    );
    // Keys added at runtime through the control API behave the same.
    let (s, _) = sim
        .send(
            reqwest::Method::POST,
            None,
            "/__sim/keys",
            Some(&json!({"key": "fsk_test_new", "scopes": ["customers:read"]})),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(sim.get("fsk_test_new", "/v1/customers").await.0, 200);
    assert_eq!(sim.get("fsk_test_new", "/v1/products").await.0, 403);
}
