//! `src/tools/links.rs`: payment links, setup intents, exports, files and event retries.

use serde_json::json;

use crate::call::{api_status, call, ok};
use crate::sim::Env;

#[tokio::test]
async fn a_payment_link_sells_an_inline_price() {
    let env = Env::empty().await;
    let product = ok(&env, "create_product", json!({"name": "Massage gun"})).await;
    let link = ok(
        &env,
        "create_payment_link",
        json!({"line_items": [{"price_data": {"product": product["product_id"], "unit_amount": 9900}, "quantity": 1}], "label": "IG"}),
    )
    .await;
    assert!(
        link["url"].as_str().is_some_and(|u| u.starts_with("http")),
        "{link}"
    );
    assert_eq!(link["label"], "IG");
    let read = ok(
        &env,
        "get_payment_link",
        json!({"payment_link_id": link["payment_link_id"]}),
    )
    .await;
    assert_eq!(read["line_items"][0]["quantity"], 1, "{read}");
    let listed = ok(&env, "list_payment_links", json!({})).await;
    assert_eq!(
        listed["payment_links"][0]["payment_link_id"],
        link["payment_link_id"]
    );
}

#[tokio::test]
async fn exports_are_created_read_and_cancel_is_flexs_answer() {
    let env = Env::empty().await;
    let export = ok(
        &env,
        "create_export",
        json!({"type": "payment", "description": "Q1"}),
    )
    .await;
    assert_eq!(export["type"], "payment");
    let export_id = export["export_id"].as_str().expect("export id").to_owned();
    ok(&env, "get_export", json!({"export_id": export_id})).await;
    // The simulator finishes exports at once, so canceling is Flex's 422; either way the
    // call reaches Flex at the right path and fails as an API error, not a success.
    match call(&env, "cancel_export", json!({"export_id": export_id})).await {
        Ok(canceled) => assert_eq!(canceled["status"], "canceled"),
        Err(e) => assert_eq!(api_status(Err(e)).0, 422),
    }
    assert_eq!(
        env.journal_of("POST", &format!("/v1/exports/{export_id}/cancel"))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn a_setup_intent_for_a_session_and_an_unknown_event() {
    let env = Env::demo().await;
    let sessions = ok(
        &env,
        "list_checkout_sessions",
        json!({"status": "complete", "limit": 1}),
    )
    .await;
    let session = sessions["checkout_sessions"][0]["checkout_session_id"].clone();
    let made = call(
        &env,
        "create_setup_intent",
        json!({"checkout_session": session, "idempotency_key": "si-1"}),
    )
    .await;
    // Whatever Flex makes of it, the body reached `POST /v1/setup_intents` with the key.
    if let Ok(si) = &made {
        assert!(si["setup_intent_id"].is_string(), "{si}");
    }
    let posts = env.journal_of("POST", "/v1/setup_intents").await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["idempotency_key"], "si-1");
    let intents = ok(&env, "list_setup_intents", json!({"limit": 1})).await;
    assert!(intents["setup_intents"].is_array());
    // An event that does not exist: Flex's 404, at the documented path.
    let (status, _) = api_status(
        call(
            &env,
            "retry_event",
            json!({"event_id": "evt_nosuch", "webhook_id": "wh_nosuch"}),
        )
        .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        env.journal_of("POST", "/v1/events/evt_nosuch/retry")
            .await
            .len(),
        1
    );
}
