//! `src/tools/billing.rs`: subscriptions, invoices, coupons, promo codes and shipping rates.

use serde_json::json;

use crate::call::ok;
use crate::sim::Env;

#[tokio::test]
async fn coupons_promo_codes_and_shipping_rates_reach_flex_in_its_shapes() {
    let env = Env::empty().await;
    let coupon = ok(
        &env,
        "create_coupon",
        json!({"name": "Spring", "percent_off": 15.0, "duration": "once"}),
    )
    .await;
    let coupon_id = coupon["coupon_id"].as_str().expect("coupon id").to_owned();
    assert_eq!(
        ok(&env, "get_coupon", json!({"coupon_id": coupon_id})).await["percent_off"],
        15.0
    );
    let promo = ok(
        &env,
        "create_promo_code",
        json!({"coupon_id": coupon_id, "code": "SPRING15"}),
    )
    .await;
    assert_eq!(promo["code"], "SPRING15");
    assert_eq!(promo["coupon"], coupon_id.as_str());
    let listed = ok(&env, "list_promo_codes", json!({"active": true})).await;
    assert_eq!(listed["promo_codes"][0]["code"], "SPRING15");

    let rate = ok(
        &env,
        "create_shipping_rate",
        json!({"display_name": "Ground", "amount": 599}),
    )
    .await;
    let rate_id = rate["shipping_rate_id"]
        .as_str()
        .expect("rate id")
        .to_owned();
    ok(
        &env,
        "update_shipping_rate",
        json!({"shipping_rate_id": rate_id, "active": false}),
    )
    .await;
    let read = ok(
        &env,
        "get_shipping_rate",
        json!({"shipping_rate_id": rate_id}),
    )
    .await;
    assert_eq!(
        (read["amount"].clone(), read["active"].clone()),
        (json!(599), json!(false))
    );
    // Flex updates shipping rates with PUT.
    assert_eq!(env.journal_of("PUT", "/v1/shipping_rates/").await.len(), 1);
}

#[tokio::test]
async fn subscriptions_update_preview_and_cancel() {
    let env = Env::demo().await;
    let subs = ok(
        &env,
        "list_subscriptions",
        json!({"status": "active", "limit": 1}),
    )
    .await;
    let sub = subs["subscriptions"][0].clone();
    let id = sub["subscription_id"]
        .as_str()
        .expect("the demo has an active subscription");
    let read = ok(&env, "get_subscription", json!({"subscription_id": id})).await;
    assert_eq!(read["status"], "active");
    assert!(read["items"][0]["price"].is_string(), "{read}");

    let updated = ok(
        &env,
        "update_subscription",
        json!({"subscription_id": id, "metadata": {"plan": "gold"}}),
    )
    .await;
    assert_eq!(updated["metadata"], json!({"plan": "gold"}));

    let preview = ok(
        &env,
        "get_subscription_refund_preview",
        json!({"subscription_id": id}),
    )
    .await;
    assert!(
        preview["prorated_amount_available_to_refund"].is_i64(),
        "{preview}"
    );

    let canceled = ok(
        &env,
        "cancel_subscription",
        json!({"subscription_id": id, "cancel_at_period_end": true}),
    )
    .await;
    assert_eq!(canceled["cancel_at_period_end"], true, "{canceled}");
    // The cancel body is not wrapped (a documented exception), and goes by DELETE.
    assert_eq!(
        env.journal_of("DELETE", "/v1/subscriptions/").await.len(),
        1
    );

    if let Some(customer) = read["customer"].as_str() {
        let invoices = ok(&env, "list_invoices", json!({"customer": customer})).await;
        if let Some(inv) = invoices["invoices"][0]["invoice_id"].as_str() {
            let one = ok(&env, "get_invoice", json!({"invoice_id": inv})).await;
            assert_eq!(one["customer"], customer);
        }
    }
}
