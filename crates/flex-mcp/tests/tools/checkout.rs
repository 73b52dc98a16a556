//! `src/tools/checkout.rs`: checkout sessions, their money actions and allocation previews.

use serde_json::json;

use crate::call::{api_status, call, ok, paid_session};
use crate::sim::Env;

#[tokio::test]
async fn refund_checkout_session_with_an_empty_body_refunds_everything() {
    let env = Env::empty().await;
    let session = paid_session(&env, 12000, "automatic").await;
    let id = session["checkout_session_id"].clone();
    let preview = ok(
        &env,
        "preview_refund_allocation",
        json!({"checkout_session_id": id, "amount": 500}),
    )
    .await;
    assert_eq!(preview["allocations"][0]["amount"], 500, "{preview}");

    let full = ok(
        &env,
        "refund_checkout_session",
        json!({"checkout_session_id": id}),
    )
    .await;
    assert_eq!(
        full["amount_refunded"], 12000,
        "an empty refund body is a full refund"
    );
    assert_eq!(full["refunds"][0]["amount"], 12000);
    let (status, _) = api_status(
        call(
            &env,
            "refund_checkout_session",
            json!({"checkout_session_id": id, "amount": 1}),
        )
        .await,
    );
    assert_eq!(status, 422, "nothing left to refund");
}

#[tokio::test]
async fn list_checkout_sessions_filters_by_email_status_and_created_bounds() {
    let env = Env::empty().await;
    let session = paid_session(&env, 3000, "automatic").await;
    let id = session["checkout_session_id"].clone();
    let by_email = ok(
        &env,
        "list_checkout_sessions",
        json!({"status": "complete", "created_gte": "2000-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(by_email["checkout_sessions"][0]["checkout_session_id"], id);
    assert_eq!(
        by_email["checkout_sessions"][0]["customer_email"],
        "jane@example.com"
    );
    let none = ok(
        &env,
        "list_checkout_sessions",
        json!({"created_lt": "2000-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(
        none["checkout_sessions"],
        json!([]),
        "the bound reached Flex"
    );
    assert_eq!(none["has_more"], false);

    let lines = ok(
        &env,
        "list_checkout_session_line_items",
        json!({"checkout_session_id": id, "limit": 5}),
    )
    .await;
    assert_eq!(lines["line_items"][0]["amount_total"], 3000);
    let sent = env.journal_of("GET", "/v1/checkout/sessions/").await;
    assert!(
        sent.iter().any(|r| r["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("/line_items"))
            && r["query"].as_str().is_some_and(|q| q.contains("limit=5"))),
        "the page size reaches Flex: {sent:?}"
    );
}

#[tokio::test]
async fn a_manual_session_is_captured_in_part_or_canceled() {
    let env = Env::empty().await;
    let session = paid_session(&env, 6000, "manual").await;
    let id = session["checkout_session_id"].clone();
    let preview = ok(
        &env,
        "preview_capture_allocation",
        json!({"checkout_session_id": id}),
    )
    .await;
    assert_eq!(preview["allocations"][0]["amount"], 6000, "{preview}");
    let reauthorized = ok(
        &env,
        "reauth_checkout_session",
        json!({"checkout_session_id": id}),
    )
    .await;
    assert_eq!(reauthorized["status"], "paid");

    let other = paid_session(&env, 4000, "manual").await;
    let canceled = ok(
        &env,
        "cancel_checkout_session_authorization",
        json!({"checkout_session_id": other["checkout_session_id"], "idempotency_key": "void-1"}),
    )
    .await;
    assert_ne!(canceled["status"], "paid", "{canceled}");
    let posts = env.journal_of("POST", "/v1/checkout/sessions/").await;
    assert!(
        posts
            .iter()
            .any(|r| r["idempotency_key"] == "void-1" && r["status"] == 200),
        "{posts:?}"
    );
}
