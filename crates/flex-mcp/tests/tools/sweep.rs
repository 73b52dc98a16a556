//! Sweeps across the catalogue against the simulator: every tool's arguments are checked
//! before anything reaches Flex, and every read tool reads the demo data back through its
//! declaration (path, envelope, projection and output schema all have to agree).

use serde_json::json;

use crate::call::{call, invalid, ok};
use crate::sim::Env;

#[tokio::test]
async fn invalid_arguments_name_the_field_and_send_nothing() {
    let env = Env::empty().await;
    let (field, message) = invalid(
        call(
            &env,
            "get_payment_intent",
            json!({"payment_intent_id": "fcs_01abc"}),
        )
        .await,
    );
    assert_eq!(field.as_deref(), Some("payment_intent_id"));
    assert!(
        message.contains("fpi_") && message.contains("checkout session"),
        "{message}"
    );

    let (field, message) = invalid(call(&env, "list_refunds", json!({"limit": 0})).await);
    assert_eq!(field.as_deref(), Some("limit"));
    assert!(message.contains("between 1 and 100"), "{message}");

    let (field, message) = invalid(
        call(
            &env,
            "create_refund",
            json!({"payment_intent_id": "fpi_01abc", "amount": 12.5}),
        )
        .await,
    );
    assert_eq!(field.as_deref(), Some("amount"));
    assert!(message.contains("cents"), "{message}");

    let (field, _) = invalid(call(&env, "create_refund", json!({"amount": 100})).await);
    assert_eq!(
        field.as_deref(),
        Some("payment_intent_id"),
        "a missing field is named"
    );

    let (field, message) =
        invalid(call(&env, "list_products", json!({"api_test_mode": false})).await);
    assert_eq!(
        field.as_deref(),
        Some("api_test_mode"),
        "unknown (mode-switching) arguments are refused"
    );
    assert!(message.contains("unknown field"), "{message}");

    let (field, _) = invalid(
        call(
            &env,
            "create_coupon",
            json!({"name": "Both", "amount_off": 500, "percent_off": 10.0}),
        )
        .await,
    );
    assert_eq!(field.as_deref(), Some("amount_off"));

    let (field, _) = invalid(
        call(
            &env,
            "create_checkout_session",
            json!({"line_items": [{"quantity": 1}], "session_mode": "payment", "success_url": "https://x.example"}),
        )
        .await,
    );
    assert_eq!(field.as_deref(), Some("line_items[0]"));

    assert!(
        env.journal("/").await.is_empty(),
        "no invalid call reached Flex"
    );
}

/// Every read tool against the simulator's demo data: the path, the envelope key, the
/// projection and the output schema all have to agree for this to pass.

#[tokio::test]
async fn every_list_and_get_tool_reads_the_demo_data() {
    let env = Env::demo().await;

    // (list tool, plural key, id field, get tool) — get tools take `<id field>` as argument.
    let pairs = [
        (
            "list_products",
            "products",
            "product_id",
            Some("get_product"),
        ),
        ("list_prices", "prices", "price_id", Some("get_price")),
        (
            "list_customers",
            "customers",
            "customer_id",
            Some("get_customer"),
        ),
        (
            "list_checkout_sessions",
            "checkout_sessions",
            "checkout_session_id",
            Some("get_checkout_session"),
        ),
        (
            "list_payment_intents",
            "payment_intents",
            "payment_intent_id",
            Some("get_payment_intent"),
        ),
        (
            "list_captures",
            "captures",
            "capture_id",
            Some("get_capture"),
        ),
        ("list_refunds", "refunds", "refund_id", Some("get_refund")),
        (
            "list_subscriptions",
            "subscriptions",
            "subscription_id",
            Some("get_subscription"),
        ),
        (
            "list_invoices",
            "invoices",
            "invoice_id",
            Some("get_invoice"),
        ),
        ("list_promo_codes", "promo_codes", "promo_code_id", None),
        (
            "list_balance_transactions",
            "balance_transactions",
            "balance_transaction_id",
            None,
        ),
        ("list_payouts", "payouts", "payout_id", None),
        (
            "list_disputes",
            "disputes",
            "dispute_id",
            Some("get_dispute"),
        ),
        (
            "list_payment_links",
            "payment_links",
            "payment_link_id",
            Some("get_payment_link"),
        ),
        (
            "list_setup_intents",
            "setup_intents",
            "setup_intent_id",
            None,
        ),
        ("list_files", "files", "file_id", Some("get_file")),
    ];
    let mut empty = Vec::new();
    for (list_tool, plural, id_field, get_tool) in pairs {
        let page = ok(&env, list_tool, json!({"limit": 3})).await;
        let items = page[plural]
            .as_array()
            .unwrap_or_else(|| panic!("{list_tool}: no `{plural}`"));
        assert!(items.len() <= 3, "{list_tool}: limit respected");
        let Some(first) = items.first() else {
            empty.push(list_tool);
            continue;
        };
        let id = first[id_field]
            .as_str()
            .unwrap_or_else(|| panic!("{list_tool}: item without {id_field}: {first}"));
        if let Some(get_tool) = get_tool {
            let one = ok(&env, get_tool, json!({ id_field: id })).await;
            assert_eq!(one[id_field], id, "{get_tool} returns the object asked for");
        }
    }
    assert!(
        empty.len() <= 4,
        "the demo seed should fill most lists; empty: {empty:?}"
    );

    // Reads that hang off another object.
    let customers = ok(&env, "list_customers", json!({"limit": 1})).await;
    let customer = customers["customers"][0]["customer_id"].clone();
    ok(
        &env,
        "list_customer_payment_methods",
        json!({"customer_id": customer}),
    )
    .await;
    let sessions = ok(
        &env,
        "list_checkout_sessions",
        json!({"status": "complete", "limit": 1}),
    )
    .await;
    let session = sessions["checkout_sessions"][0]["checkout_session_id"].clone();
    let lines = ok(
        &env,
        "list_checkout_session_line_items",
        json!({"checkout_session_id": session}),
    )
    .await;
    assert!(
        lines["line_items"]
            .as_array()
            .is_some_and(|l| !l.is_empty()),
        "a completed session has a cart"
    );
    let preview = ok(
        &env,
        "preview_refund_allocation",
        json!({"checkout_session_id": session}),
    )
    .await;
    assert!(preview["allocations"].is_array());
    let subs = ok(
        &env,
        "list_subscriptions",
        json!({"status": "active", "limit": 1}),
    )
    .await;
    if let Some(sub) = subs["subscriptions"][0]["subscription_id"].as_str() {
        let p = ok(
            &env,
            "get_subscription_refund_preview",
            json!({"subscription_id": sub}),
        )
        .await;
        assert!(p["prorated_amount_available_to_refund"].is_i64(), "{p}");
    }
}
