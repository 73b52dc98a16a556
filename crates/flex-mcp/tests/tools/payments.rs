//! `src/tools/payments.rs`: payment intents, captures, refunds and `refund_capture`.

use serde_json::{Value, json};

use crate::call::{api_status, call, invalid, ok, paid_session};
use crate::sim::Env;

#[tokio::test]
async fn create_refund_moves_money_and_an_over_refund_is_a_flex_error() {
    let env = Env::empty().await;
    let session = paid_session(&env, 4999, "automatic").await;
    assert_eq!(session["status"], "complete");
    assert_eq!(session["amount_total"], 4999);
    assert_eq!(session["customer_email"], "jane@example.com");
    let pi = session["payment_intent"]
        .as_str()
        .expect("payment intent")
        .to_owned();
    assert!(pi.starts_with("fpi_"));

    let refund = ok(
        &env,
        "create_refund",
        json!({"payment_intent_id": pi, "amount": 1500, "reason": "requested_by_customer"}),
    )
    .await;
    assert!(
        refund["refund_id"]
            .as_str()
            .is_some_and(|r| r.starts_with("fre_"))
    );
    assert_eq!(refund["amount"], 1500);
    assert_eq!(refund["payment_intent_id"], pi.as_str());
    assert_eq!(refund["reason"], "requested_by_customer");

    // 4999 − 1500 = 3499 remain: asking for more is Flex's 422, surfaced as an API error.
    let (status, message) = api_status(
        call(
            &env,
            "create_refund",
            json!({"payment_intent_id": pi, "amount": 3500}),
        )
        .await,
    );
    assert_eq!(status, 422, "{message}");
    assert!(
        message.contains("3499"),
        "Flex's message says what remains: {message}"
    );

    let refunds = ok(&env, "list_refunds", json!({"payment_intent": pi})).await;
    assert_eq!(
        refunds["refunds"].as_array().map(Vec::len),
        Some(1),
        "the failed refund left nothing behind"
    );
    let id = refunds["refunds"][0]["refund_id"].clone();
    let updated = ok(
        &env,
        "update_refund",
        json!({"refund_id": id, "metadata": {"ticket": "T-1"}}),
    )
    .await;
    assert_eq!(updated["metadata"], json!({"ticket": "T-1"}));
    assert_eq!(updated["amount"], 1500, "the amount never changes");
    let read = ok(&env, "get_refund", json!({"refund_id": id})).await;
    assert_eq!(read["metadata"], json!({"ticket": "T-1"}));
}

#[tokio::test]
async fn refund_capture_refunds_per_payment_intent_up_to_the_amount() {
    let env = Env::empty().await;
    let session = paid_session(&env, 8000, "manual").await;
    assert_eq!(session["status"], "paid", "manual capture: authorized only");
    let id = session["checkout_session_id"].clone();

    let captured = ok(
        &env,
        "capture_checkout_session",
        json!({"checkout_session_id": id}),
    )
    .await;
    assert_eq!(captured["status"], "complete");
    let captures = ok(&env, "list_captures", json!({"checkout_session": id})).await;
    let capture = &captures["captures"][0];
    assert_eq!(capture["amount_captured"], 8000);
    assert_eq!(
        capture["checkout_session"], id,
        "the capture names its session"
    );
    let capture_id = capture["capture_id"]
        .as_str()
        .expect("capture id")
        .to_owned();

    // More than was captured is refused before anything is sent.
    env.clear_journal().await;
    let (field, message) = invalid(
        call(
            &env,
            "refund_capture",
            json!({"capture_id": capture_id, "amount": 9000}),
        )
        .await,
    );
    assert_eq!(field.as_deref(), Some("amount"));
    assert!(message.contains("8000"), "{message}");
    assert!(
        env.journal_of("POST", "/v1/").await.is_empty(),
        "no refund was attempted"
    );

    let out = ok(
        &env,
        "refund_capture",
        json!({"capture_id": capture_id, "amount": 2500, "idempotency_key": "rc-test-1"}),
    )
    .await;
    assert_eq!(out["amount_requested"], 2500);
    assert_eq!(out["amount_refunded"], 2500);
    assert_eq!(out["complete"], true);
    assert_eq!(out["error"], Value::Null);
    let refunds = out["refunds"].as_array().expect("refunds");
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["amount"], 2500);
    assert_eq!(
        refunds[0]["payment_intent_id"],
        capture["items"][0]["payment_intent"]
    );

    let keys: Vec<Value> = env
        .journal_of("POST", "/v1/refunds")
        .await
        .into_iter()
        .map(|r| r["idempotency_key"].clone())
        .collect();
    assert_eq!(keys, [json!("rc-test-1-1")], "one refund, keyed per item");

    // Asking for more than remains is refused up front, naming what remains.
    let (field, message) = invalid(
        call(
            &env,
            "refund_capture",
            json!({"capture_id": capture_id, "amount": 6000}),
        )
        .await,
    );
    assert_eq!(field.as_deref(), Some("amount"));
    assert!(message.contains("5500"), "{message}");

    // No amount: the rest of the capture, i.e. what is still unrefunded.
    let rest = ok(&env, "refund_capture", json!({"capture_id": capture_id})).await;
    assert_eq!(rest["amount_requested"], 5500);
    assert_eq!(rest["amount_refunded"], 5500);
    assert_eq!(rest["complete"], true);
    let session = ok(
        &env,
        "get_checkout_session",
        json!({"checkout_session_id": id}),
    )
    .await;
    assert_eq!(session["amount_refunded"], 8000);

    // Nothing left: a clear refusal, not a zero-cent refund.
    let (field, _) = invalid(call(&env, "refund_capture", json!({"capture_id": capture_id})).await);
    assert_eq!(field.as_deref(), Some("capture_id"));
}

#[tokio::test]
async fn payment_intents_read_with_the_buyer_and_cancel_once_authorized() {
    let env = Env::empty().await;
    let session = paid_session(&env, 2500, "manual").await;
    let pi = session["payment_intent"].clone();
    let read = ok(&env, "get_payment_intent", json!({"payment_intent_id": pi})).await;
    assert_eq!(read["status"], "requires_capture");
    assert_eq!(read["amount_capturable"], 2500);
    let listed = ok(
        &env,
        "list_payment_intents",
        json!({"checkout_session": session["checkout_session_id"]}),
    )
    .await;
    assert_eq!(listed["payment_intents"][0]["payment_intent_id"], pi);
    // Reads ask Flex to expand the customer (for the buyer's email).
    let gets = env.journal_of("GET", "/v1/payment_intents").await;
    assert_eq!(gets.len(), 2);
    assert!(
        gets.iter().all(|r| r["query"]
            .as_str()
            .is_some_and(|q| q.contains("expand_customer=true"))),
        "{gets:?}"
    );

    let canceled = ok(
        &env,
        "cancel_payment_intent",
        json!({"payment_intent_id": pi, "idempotency_key": "cancel-pi-1"}),
    )
    .await;
    assert_eq!(canceled["status"], "canceled");
    let posts = env.journal_of("POST", "/v1/payment_intents/").await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["idempotency_key"], "cancel-pi-1");
}

#[tokio::test]
async fn update_capture_replaces_its_metadata() {
    let env = Env::empty().await;
    let session = paid_session(&env, 1800, "automatic").await;
    let captures = ok(
        &env,
        "list_captures",
        json!({"checkout_session": session["checkout_session_id"]}),
    )
    .await;
    let capture_id = captures["captures"][0]["capture_id"].clone();
    let updated = ok(
        &env,
        "update_capture",
        json!({"capture_id": capture_id, "metadata": {"shipment": "UPS-1"}}),
    )
    .await;
    assert_eq!(updated["metadata"], json!({"shipment": "UPS-1"}));
    let read = ok(&env, "get_capture", json!({"capture_id": capture_id})).await;
    assert_eq!(read["metadata"], json!({"shipment": "UPS-1"}));
    assert_eq!(read["amount_captured"], 1800);
}

#[tokio::test]
async fn unknown_ids_are_flex_404s() {
    let env = Env::empty().await;
    let (status, _) = api_status(
        call(
            &env,
            "get_refund",
            json!({"refund_id": "fre_01hw5ktqqaaq66wv19mfw4dtt4"}),
        )
        .await,
    );
    assert_eq!(status, 404);
}
