//! Every route, every wrong type: the simulator must answer each with JSON and never a 5xx or a
//! dropped connection (a panic in a handler would close the connection).

use flex_sim::{DEMO_TEST_KEY, Seed};
use serde_json::{Map, Value, json};

use crate::common::{TestSim, start_with};

const FIELDS: &[&str] = &[
    "name",
    "description",
    "gtin",
    "upc_code",
    "url",
    "metadata",
    "active",
    "product",
    "unit_amount",
    "recurring",
    "first_name",
    "email",
    "shipping",
    "line_items",
    "mode",
    "success_url",
    "capture_method",
    "customer",
    "payment_method",
    "discounts",
    "shipping_options",
    "tax_rate",
    "defaults",
    "expires_at",
    "amount",
    "amount_tax",
    "amount_shipping",
    "amount_discount",
    "final_capture",
    "payment_methods",
    "refund_metadata",
    "payment_intent_id",
    "reason",
    "items",
    "cancel_at_period_end",
    "cancel_at",
    "trial_end",
    "refund",
    "refund_amount",
    "coupon",
    "coupon_id",
    "code",
    "percent_off",
    "amount_off",
    "duration",
    "duration_in_months",
    "applies_to",
    "display_name",
    "evidence",
    "submit",
    "webhook_id",
    "events",
    "type",
    "filters",
    "after_completion",
    "payment_intent_data",
    "checkout_session",
    "partner_id",
    "card",
];

const VALUES: &[&str] = &[
    "null",
    "-1",
    "0",
    "\"x\"",
    "[]",
    "{}",
    "[{}]",
    "1e30",
    "true",
    "[null]",
    "{\"a\":{}}",
];

async fn first_id(sim: &TestSim, path: &str, field: &str) -> String {
    let (_, v) = sim.get(DEMO_TEST_KEY, path).await;
    let list = v
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| *k != "has_more"))
        .map(|(_, l)| l.clone());
    list.and_then(|l| l[0][field].as_str().map(str::to_owned))
        .unwrap_or_else(|| "none".to_owned())
}

#[tokio::test]
async fn every_route_survives_every_wrong_type() {
    let sim = start_with(&[], Some(Seed::Demo)).await;
    let complete = first_id(
        &sim,
        "/v1/checkout/sessions?status=complete",
        "checkout_session_id",
    )
    .await;
    let paid = first_id(
        &sim,
        "/v1/checkout/sessions?status=paid",
        "checkout_session_id",
    )
    .await;
    let open = first_id(
        &sim,
        "/v1/checkout/sessions?status=open",
        "checkout_session_id",
    )
    .await;
    let pi = first_id(&sim, "/v1/payment_intents", "payment_intent_id").await;
    let sub = first_id(&sim, "/v1/subscriptions?status=active", "subscription_id").await;
    let dispute = first_id(&sim, "/v1/disputes?status=needs_response", "dispute_id").await;
    let product = first_id(&sim, "/v1/products", "product_id").await;
    let price = first_id(&sim, "/v1/prices", "price_id").await;
    let customer = first_id(&sim, "/v1/customers", "customer_id").await;
    let capture = first_id(&sim, "/v1/captures", "capture_id").await;
    let refund = first_id(&sim, "/v1/refunds", "refund_id").await;
    let rate = first_id(&sim, "/v1/shipping_rates", "shipping_rate_id").await;
    let event = first_id(&sim, "/v1/events", "event_id").await;
    let export = first_id(&sim, "/v1/exports", "export_id").await;

    let routes: Vec<(&str, String, &str)> = vec![
        ("POST", "/v1/products".into(), "product"),
        ("PATCH", format!("/v1/products/{product}"), "product"),
        ("POST", "/v1/prices".into(), "price"),
        ("POST", format!("/v1/prices/{price}"), "price"),
        ("POST", "/v1/customers".into(), "customer"),
        ("PATCH", format!("/v1/customers/{customer}"), "customer"),
        ("POST", "/v1/checkout/sessions".into(), "checkout_session"),
        (
            "POST",
            format!("/v1/checkout/sessions/{paid}/capture"),
            "checkout_session",
        ),
        (
            "POST",
            format!("/v1/checkout/sessions/{paid}/capture_allocation"),
            "checkout_session",
        ),
        (
            "POST",
            format!("/v1/checkout/sessions/{complete}/refund"),
            "checkout_session",
        ),
        (
            "POST",
            format!("/v1/checkout/sessions/{complete}/refund_allocation"),
            "checkout_session",
        ),
        (
            "POST",
            format!("/v1/checkout/sessions/{paid}/reauth"),
            "checkout_session",
        ),
        ("PATCH", format!("/v1/captures/{capture}"), "capture"),
        ("POST", "/v1/refunds".into(), "refund"),
        ("PATCH", format!("/v1/refunds/{refund}"), "refund"),
        ("POST", "/v1/subscriptions".into(), "subscription"),
        ("PATCH", format!("/v1/subscriptions/{sub}"), "subscription"),
        ("POST", "/v1/coupons".into(), "coupon"),
        ("POST", "/v1/promo_codes".into(), "promo_code"),
        ("POST", "/v1/shipping_rates".into(), "shipping_rate"),
        ("PUT", format!("/v1/shipping_rates/{rate}"), "shipping_rate"),
        ("POST", format!("/v1/disputes/{dispute}"), "dispute"),
        ("POST", "/v1/payment_links".into(), "payment_link"),
        ("POST", "/v1/setup_intents".into(), "setup_intent"),
        ("POST", "/v1/exports".into(), "export"),
        ("POST", format!("/v1/events/{event}/retry"), "event"),
        ("POST", "/v1/webhooks".into(), "webhook"),
        ("DELETE", format!("/v1/subscriptions/{sub}"), ""),
        (
            "POST",
            format!("/__sim/checkout_sessions/{open}/complete"),
            "",
        ),
        ("POST", "/__sim/disputes".into(), ""),
        ("POST", "/__sim/faults".into(), ""),
        ("POST", "/__sim/keys".into(), ""),
        ("POST", format!("/v1/exports/{export}/cancel"), ""),
        ("POST", format!("/v1/payment_intents/{pi}/cancel"), ""),
        ("POST", format!("/v1/checkout/sessions/{paid}/cancel"), ""),
    ];
    let mut requests = 0;
    for (method, path, wrap) in &routes {
        for value in VALUES {
            let value: Value = serde_json::from_str(value).expect("test values are JSON");
            let fields: Map<String, Value> = FIELDS
                .iter()
                .map(|f| ((*f).to_owned(), value.clone()))
                .collect();
            let body = if wrap.is_empty() {
                Value::Object(fields)
            } else {
                json!({ *wrap: fields })
            };
            // Faults would disturb the sweep; arm them with counts of 0 only.
            let body = if path.ends_with("/faults") {
                json!({"rate_limit": {"count": 0}, "latency_ms": 0})
            } else {
                body
            };
            let resp = sim
                .http
                .request(method.parse().expect("method"), sim.url(path))
                .bearer_auth(DEMO_TEST_KEY)
                .json(&body)
                .send()
                .await
                .unwrap_or_else(|e| {
                    panic!("{method} {path} with {value}: the connection broke ({e})")
                });
            let status = resp.status().as_u16();
            assert!(status < 500, "{method} {path} with {value}: {status}");
            let v: Value = resp
                .json()
                .await
                .unwrap_or_else(|e| panic!("{method} {path} with {value}: not JSON ({e})"));
            if status >= 400 {
                assert!(
                    v["error"]["message"]
                        .as_str()
                        .is_some_and(|m| !m.is_empty()),
                    "{method} {path}: {v}"
                );
            }
            requests += 1;
        }
    }
    assert_eq!(requests, routes.len() * VALUES.len());
    let (s, _) = sim.get(DEMO_TEST_KEY, "/v1/products").await;
    assert_eq!(s, 200, "still serving after the sweep");
}
