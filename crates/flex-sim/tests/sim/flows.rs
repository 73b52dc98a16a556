//! The §9 state machines: completion, split carts, manual capture, refunds, subscriptions, disputes.

use serde_json::{Value, json};

use crate::common::{TEST_KEY, TestSim, start};

const VISA: &str = "4242424242424242";
const DECLINE: &str = "4000000000009995";

fn pis(session: &Value) -> Vec<String> {
    session["payment_intents"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn paid_session(sim: &TestSim, amount: i64, extra: Value) -> Value {
    let (_, price) = sim
        .product_and_price(TEST_KEY, "Thermometer", "00812345670012", amount)
        .await;
    let id = sim.session(TEST_KEY, &[(&price, 1)], extra).await;
    let (s, v) = sim.complete(TEST_KEY, &id, VISA).await;
    assert_eq!(s, 200, "completion hook: {v}");
    v["checkout_session"].clone()
}

#[tokio::test]
async fn automatic_capture_completes_and_refunds_check_the_remainder() {
    let sim = start().await;
    let session = paid_session(&sim, 5000, json!({})).await;
    assert_eq!(session["status"], "complete");
    assert_eq!(session["amount_received"], 5000);
    let pi = pis(&session)[0].clone();
    let (_, p) = sim
        .get(TEST_KEY, &format!("/v1/payment_intents/{pi}"))
        .await;
    assert_eq!(p["payment_intent"]["status"], "succeeded");

    let r = sim
        .ok_post(
            TEST_KEY,
            "/v1/refunds",
            &json!({"refund": {"payment_intent_id": pi, "amount": 3000}}),
        )
        .await;
    assert_eq!(r["refund"]["amount"], 3000);
    assert_eq!(r["refund"]["status"], "succeeded");
    let (s, v) = sim
        .post(
            TEST_KEY,
            "/v1/refunds",
            &json!({"refund": {"payment_intent_id": pi, "amount": 2001}}),
        )
        .await;
    assert_eq!(s, 422, "2001 > the 2000 left: {v}");
    assert_eq!(v["detail"][0]["loc"], json!(["refund", "amount"]));
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("2000"),
        "says what is left: {v}"
    );
    let sid = session["checkout_session_id"].as_str().expect("id");
    let (s, v) = sim
        .post(
            TEST_KEY,
            &format!("/v1/checkout/sessions/{sid}/refund"),
            &json!({"checkout_session": {"amount": 2500}}),
        )
        .await;
    assert_eq!(s, 422, "session refunds share the same remainder: {v}");
    let full = sim
        .ok_post(
            TEST_KEY,
            &format!("/v1/checkout/sessions/{sid}/refund"),
            &json!({}),
        )
        .await;
    assert_eq!(
        full["checkout_session"]["amount_refunded"], 5000,
        "{{}} refunds what is left"
    );
    assert_eq!(
        full["checkout_session"]["refunds"].as_array().map(Vec::len),
        Some(2)
    );
    let (_, list) = sim
        .get(TEST_KEY, &format!("/v1/refunds?payment_intent={pi}"))
        .await;
    assert_eq!(list["refunds"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn refunds_need_a_complete_session() {
    let sim = start().await;
    let (_, price) = sim
        .product_and_price(TEST_KEY, "Thermometer", "0004", 1000)
        .await;
    let id = sim.session(TEST_KEY, &[(&price, 1)], json!({})).await;
    let (s, v) = sim
        .post(
            TEST_KEY,
            &format!("/v1/checkout/sessions/{id}/refund"),
            &json!({}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(v["error"]["code"], "checkout_session_not_complete");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Checkout Session Not Complete")
    );
}

#[tokio::test]
async fn mixed_cart_splits_into_two_payment_intents() {
    let sim = start().await;
    let (_, eligible) = sim
        .product_and_price(TEST_KEY, "Sunscreen", "012345678904", 2450)
        .await;
    let (_, plain) = sim
        .product_and_price(TEST_KEY, "Water bottle", "00812345670013", 2500)
        .await;
    let id = sim
        .session(TEST_KEY, &[(&eligible, 2), (&plain, 1)], json!({}))
        .await;
    let (_, v) = sim.complete(TEST_KEY, &id, "4000051230000072").await;
    let session = &v["checkout_session"];
    let ids = pis(session);
    assert_eq!(
        ids.len(),
        2,
        "eligible and ineligible items are paid separately: {session}"
    );
    let mut amounts = Vec::new();
    for pi in &ids {
        let (_, p) = sim
            .get(TEST_KEY, &format!("/v1/payment_intents/{pi}"))
            .await;
        amounts.push((
            p["payment_intent"]["payment_card_type"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
            p["payment_intent"]["amount"].as_i64().unwrap_or(0),
        ));
    }
    assert_eq!(
        amounts,
        vec![("primary".to_owned(), 4900), ("secondary".to_owned(), 2500)]
    );
    let (_, alloc) = sim
        .post(
            TEST_KEY,
            &format!("/v1/checkout/sessions/{id}/refund_allocation"),
            &json!({"checkout_session": {"amount": 6000}}),
        )
        .await;
    let split: Vec<i64> = alloc["allocations"]
        .as_array()
        .expect("bare allocations")
        .iter()
        .map(|a| a["amount"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(
        split,
        vec![4900, 1100],
        "the preview fills the first payment method first"
    );
    let (_, after) = sim
        .get(TEST_KEY, &format!("/v1/checkout/sessions/{id}"))
        .await;
    assert_eq!(
        after["checkout_session"]["amount_refunded"], 0,
        "previews have no side effects"
    );
}

#[tokio::test]
async fn manual_capture_authorizes_then_captures() {
    let sim = start().await;
    let session = paid_session(&sim, 8000, json!({"capture_method": "manual"})).await;
    assert_eq!(session["status"], "paid");
    let sid = session["checkout_session_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let pi = pis(&session)[0].clone();
    let (_, p) = sim
        .get(TEST_KEY, &format!("/v1/payment_intents/{pi}"))
        .await;
    assert_eq!(p["payment_intent"]["status"], "requires_capture");
    assert_eq!(p["payment_intent"]["amount_capturable"], 8000);
    let (s, _) = sim
        .post(
            TEST_KEY,
            &format!("/v1/checkout/sessions/{sid}/refund"),
            &json!({}),
        )
        .await;
    assert_eq!(s, 422, "nothing captured yet, nothing to refund");
    let (s, v) = sim
        .post(
            TEST_KEY,
            &format!("/v1/checkout/sessions/{sid}/capture"),
            &json!({"checkout_session": {"amount": 9000}}),
        )
        .await;
    assert_eq!(s, 422, "cannot capture more than authorized: {v}");
    let (_, alloc) = sim
        .post(
            TEST_KEY,
            &format!("/v1/checkout/sessions/{sid}/capture_allocation"),
            &json!({}),
        )
        .await;
    assert_eq!(alloc["allocations"][0]["amount"], 8000);
    assert_eq!(alloc["allocations"][0]["last4"], "4242");
    let re = sim
        .ok_post(
            TEST_KEY,
            &format!("/v1/checkout/sessions/{sid}/reauth"),
            &json!({}),
        )
        .await;
    assert_eq!(re["checkout_session"]["status"], "paid");
    let cap = sim
        .ok_post(
            TEST_KEY,
            &format!("/v1/checkout/sessions/{sid}/capture"),
            &json!({"checkout_session": {"amount": 6000}}),
        )
        .await;
    assert_eq!(
        cap["checkout_session"]["status"], "complete",
        "a final partial capture completes the session"
    );
    assert_eq!(cap["checkout_session"]["amount_received"], 6000);
    let (_, p) = sim
        .get(TEST_KEY, &format!("/v1/payment_intents/{pi}"))
        .await;
    assert_eq!(p["payment_intent"]["status"], "succeeded");
    assert_eq!(p["payment_intent"]["amount_received"], 6000);
    let (_, caps) = sim
        .get(
            TEST_KEY,
            &format!("/v1/captures?checkout_session={sid}&expand=payment_intent"),
        )
        .await;
    assert_eq!(caps["captures"][0]["amount_captured"], 6000);
    assert_eq!(
        caps["captures"][0]["items"][0]["payment_intent"]["payment_intent_id"],
        pi.as_str(),
        "expand=payment_intent"
    );
    let (s, _) = sim
        .post(
            TEST_KEY,
            &format!("/v1/checkout/sessions/{sid}/capture"),
            &json!({}),
        )
        .await;
    assert_eq!(s, 422, "a complete session cannot be captured again");
}

#[tokio::test]
async fn cancel_auth_voids_the_intents() {
    let sim = start().await;
    let session = paid_session(&sim, 1500, json!({"capture_method": "manual"})).await;
    let sid = session["checkout_session_id"].as_str().expect("id");
    let v = sim
        .ok_post(
            TEST_KEY,
            &format!("/v1/checkout/sessions/{sid}/cancel"),
            &json!({}),
        )
        .await;
    assert_eq!(v["checkout_session"]["status"], "canceled");
    let (_, p) = sim
        .get(
            TEST_KEY,
            &format!("/v1/payment_intents/{}", pis(&session)[0]),
        )
        .await;
    assert_eq!(p["payment_intent"]["status"], "canceled");
}

#[tokio::test]
async fn decline_card_leaves_the_session_open_with_an_error() {
    let sim = start().await;
    let (_, price) = sim
        .product_and_price(TEST_KEY, "Thermometer", "0006", 1000)
        .await;
    let id = sim.session(TEST_KEY, &[(&price, 1)], json!({})).await;
    let (s, v) = sim.complete(TEST_KEY, &id, DECLINE).await;
    assert_eq!(s, 200);
    assert_eq!(v["checkout_session"]["status"], "open");
    let pi = pis(&v["checkout_session"])[0].clone();
    let (_, p) = sim
        .get(TEST_KEY, &format!("/v1/payment_intents/{pi}"))
        .await;
    assert_eq!(p["payment_intent"]["status"], "requires_payment_method");
    assert_eq!(
        p["payment_intent"]["last_payment_error"]["code"],
        "card_declined"
    );
    let (_, v) = sim.complete(TEST_KEY, &id, VISA).await;
    assert_eq!(
        v["checkout_session"]["status"], "complete",
        "the buyer can retry with a good card"
    );
    let (s, v) = sim.complete(TEST_KEY, &id, VISA).await;
    assert_eq!(s, 422, "a complete session cannot be paid twice: {v}");
}

#[tokio::test]
async fn subscriptions_cancel_with_refunds_and_preview() {
    let sim = start().await;
    let p = sim.ok_post(TEST_KEY, "/v1/products", &json!({"product": {"name": "Gym", "metadata": {"sim_eligibility": "letter_of_medical_necessity"}}})).await;
    let product = p["product"]["product_id"].as_str().expect("id");
    let pr = sim.ok_post(TEST_KEY, "/v1/prices", &json!({"price": {"product": product, "unit_amount": 3000, "recurring": {"interval": "monthly"}}})).await;
    let price = pr["price"]["price_id"].as_str().expect("id");
    let (s, _) = sim.post(TEST_KEY, "/v1/checkout/sessions", &json!({"checkout_session": {"mode": "payment", "success_url": "https://x", "line_items": [{"price": price, "quantity": 1}]}})).await;
    assert_eq!(s, 422, "a recurring price needs subscription mode");
    let id = sim
        .session(TEST_KEY, &[(price, 1)], json!({"mode": "subscription"}))
        .await;
    let (_, v) = sim.complete(TEST_KEY, &id, VISA).await;
    let sub = v["checkout_session"]["subscription"]
        .as_str()
        .expect("the session names its subscription")
        .to_owned();
    let (_, s1) = sim.get(TEST_KEY, &format!("/v1/subscriptions/{sub}")).await;
    assert_eq!(s1["subscription"]["status"], "active");
    let (_, preview) = sim
        .get(TEST_KEY, &format!("/v1/subscriptions/{sub}/refund_preview"))
        .await;
    assert_eq!(
        preview["invoice_amount_paid"], 3000,
        "the preview is a bare object: {preview}"
    );
    let prorated = preview["prorated_amount_available_to_refund"]
        .as_i64()
        .expect("integer cents");
    assert!((0..=3000).contains(&prorated));

    let (s, v) = sim
        .send(
            reqwest::Method::DELETE,
            Some(TEST_KEY),
            &format!("/v1/subscriptions/{sub}"),
            Some(&json!({"refund": "custom", "refund_amount": 3001})),
        )
        .await;
    assert_eq!(s, 422, "cannot refund more than was paid: {v}");
    let (s, v) = sim
        .send(
            reqwest::Method::DELETE,
            Some(TEST_KEY),
            &format!("/v1/subscriptions/{sub}"),
            Some(&json!({"cancel_at_period_end": true})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["subscription"]["cancel_at_period_end"], true);
    assert_eq!(
        v["subscription"]["status"], "active",
        "still active until the period ends"
    );
    let (s, v) = sim
        .send(
            reqwest::Method::DELETE,
            Some(TEST_KEY),
            &format!("/v1/subscriptions/{sub}"),
            Some(&json!({"refund": "full"})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["subscription"]["status"], "canceled");
    let (_, refunds) = sim.get(TEST_KEY, "/v1/refunds").await;
    assert_eq!(refunds["refunds"][0]["amount"], 3000);
    assert_eq!(refunds["refunds"][0]["subscription_id"], sub.as_str());
    let (s, _) = sim
        .get(TEST_KEY, &format!("/v1/subscriptions/{sub}/refund_preview"))
        .await;
    assert_eq!(s, 422, "nothing to preview on a canceled subscription");
}

#[tokio::test]
async fn disputes_go_from_needs_response_to_review_or_lost() {
    let sim = start().await;
    let session = paid_session(&sim, 4000, json!({})).await;
    let pi = pis(&session)[0].clone();
    let (s, d) = sim
        .post(
            TEST_KEY,
            "/__sim/disputes",
            &json!({"payment_intent_id": pi, "amount": 4000, "reason": "fraudulent"}),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let id = d["dispute"]["dispute_id"].as_str().expect("id").to_owned();
    assert_eq!(d["dispute"]["status"], "needs_response");
    assert_eq!(d["dispute"]["currency"], "usd");
    let (s, v) = sim
        .post(
            TEST_KEY,
            &format!("/v1/disputes/{id}"),
            &json!({"dispute": {"evidence": {"not_a_field": "x"}}}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(
        v["detail"][0]["loc"],
        json!(["dispute", "evidence", "not_a_field"])
    );
    let v = sim
        .ok_post(
            TEST_KEY,
            &format!("/v1/disputes/{id}"),
            &json!({"dispute": {"evidence": {"customer_name": "Jane"}, "submit": true}}),
        )
        .await;
    assert_eq!(v["dispute"]["status"], "under_review");
    assert_eq!(v["dispute"]["evidence_details"]["submission_count"], 1);
    let (s, _) = sim
        .post(
            TEST_KEY,
            &format!("/v1/disputes/{id}"),
            &json!({"dispute": {"submit": true}}),
        )
        .await;
    assert_eq!(s, 422, "evidence is frozen once under review");

    let second = paid_session(&sim, 1000, json!({})).await;
    let (_, d2) = sim
        .post(
            TEST_KEY,
            "/__sim/disputes",
            &json!({"payment_intent_id": pis(&second)[0]}),
        )
        .await;
    let id2 = d2["dispute"]["dispute_id"].as_str().expect("id").to_owned();
    let v = sim
        .ok_post(TEST_KEY, &format!("/v1/disputes/{id2}/close"), &json!({}))
        .await;
    assert_eq!(v["dispute"]["status"], "lost");
    let (s, _) = sim
        .post(TEST_KEY, &format!("/v1/disputes/{id2}/close"), &json!({}))
        .await;
    assert_eq!(s, 422, "closing twice is refused");

    let resp = sim
        .http
        .get(sim.url("/v1/events?type=charge.dispute.*"))
        .bearer_auth(TEST_KEY)
        .send()
        .await
        .expect("answers");
    assert_eq!(
        resp.headers()
            .get("x-flex-sim-extension")
            .and_then(|v| v.to_str().ok()),
        Some("events"),
        "marked as an extension"
    );
    let events: Value = resp.json().await.expect("json");
    let types: Vec<&str> = events["events"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["event_type"].as_str())
        .collect();
    assert!(
        types.contains(&"charge.dispute.created") && types.contains(&"charge.dispute.closed"),
        "{types:?}"
    );
    let (_, paid) = sim
        .get(TEST_KEY, "/v1/events?type=checkout.session.completed")
        .await;
    assert_eq!(
        paid["events"].as_array().map(Vec::len),
        Some(2),
        "two sessions were paid; the older dotted name finds their events"
    );
}

#[tokio::test]
async fn product_eligibility_follows_the_test_rules() {
    let sim = start().await;
    for (body, expected) in [
        (json!({"name": "a", "gtin": "00012"}), "auto_substantiation"),
        (json!({"name": "b", "upc_code": "00013"}), "not_eligible"),
        (
            json!({"name": "c", "metadata": {"sim_eligibility": "vision"}}),
            "vision",
        ),
        (json!({"name": "d"}), "not_eligible"),
    ] {
        let v = sim
            .ok_post(
                TEST_KEY,
                "/v1/products",
                &json!({ "product": body.clone() }),
            )
            .await;
        assert_eq!(v["product"]["hsa_fsa_eligibility"], expected, "{body}");
    }
}

#[tokio::test]
async fn the_rest_of_the_catalogue_round_trips() {
    let sim = start().await;
    let c = sim
        .ok_post(
            TEST_KEY,
            "/v1/coupons",
            &json!({"coupon": {"name": "Ten", "percent_off": 10}}),
        )
        .await;
    let coupon = c["coupon"]["coupon_id"].as_str().expect("id");
    assert!(coupon.starts_with("fcoup_"));
    let (s, v) = sim
        .post(
            TEST_KEY,
            "/v1/coupons",
            &json!({"coupon": {"name": "none"}}),
        )
        .await;
    assert_eq!(s, 422, "amount_off or percent_off is required: {v}");
    let promo = sim
        .ok_post(
            TEST_KEY,
            "/v1/promo_codes",
            &json!({"promo_code": {"coupon_id": coupon, "code": "TEN"}}),
        )
        .await;
    assert_eq!(
        promo["promo_code"]["coupon"]["coupon_id"], coupon,
        "the coupon is embedded"
    );
    let rate = sim
        .ok_post(
            TEST_KEY,
            "/v1/shipping_rates",
            &json!({"shipping_rate": {"display_name": "Std", "amount": 599}}),
        )
        .await;
    let rid = rate["shipping_rate"]["shipping_rate_id"]
        .as_str()
        .expect("id");
    assert!(rid.starts_with("fshr_"));
    let (s, v) = sim
        .send(
            reqwest::Method::PUT,
            Some(TEST_KEY),
            &format!("/v1/shipping_rates/{rid}"),
            Some(&json!({"shipping_rate": {"active": false}})),
        )
        .await;
    assert_eq!(
        (s, v["shipping_rate"]["active"].clone()),
        (200, json!(false))
    );
    let wh = sim
        .ok_post(
            TEST_KEY,
            "/v1/webhooks",
            &json!({"webhook": {"url": "https://example.com/hook"}}),
        )
        .await;
    let wid = wh["webhook"]["webhook_id"].as_str().expect("id").to_owned();
    assert!(
        wh["webhook"]["secret"]
            .as_str()
            .unwrap_or("")
            .starts_with("fwhsec_")
    );
    let (_, events) = sim.get(TEST_KEY, "/v1/events?limit=1").await;
    let first = events["events"][0]["event_id"].as_str().map(str::to_owned);
    let (_, cust) = sim
        .post(
            TEST_KEY,
            "/v1/customers",
            &json!({"customer": {"email": "x@example.com"}}),
        )
        .await;
    let cid = cust["customer"]["customer_id"].as_str().expect("id");
    let (_, events) = sim.get(TEST_KEY, "/v1/events?type=customer.created").await;
    let evt = events["events"][0]["event_id"]
        .as_str()
        .expect("an event for the new customer")
        .to_owned();
    assert_ne!(Some(evt.clone()), first);
    let (_, none) = sim
        .get(TEST_KEY, "/v1/events?type=checkout.session.completed")
        .await;
    assert_eq!(
        none["events"].as_array().map(Vec::len),
        Some(0),
        "the dotted alias is accepted as a filter (no session was paid here)"
    );
    assert_eq!(
        events["events"][0]["object"]["customer"]["customer_id"],
        cid
    );
    let retried = sim
        .ok_post(
            TEST_KEY,
            &format!("/v1/events/{evt}/retry"),
            &json!({"event": {"webhook_id": wid}}),
        )
        .await;
    assert_eq!(retried["event"]["event_id"], evt.as_str());
    let exp = sim
        .ok_post(
            TEST_KEY,
            "/v1/exports",
            &json!({"export": {"type": "payments"}}),
        )
        .await;
    let eid = exp["export"]["export_id"].as_str().expect("id").to_owned();
    let cancel = sim
        .ok_post(TEST_KEY, &format!("/v1/exports/{eid}/cancel"), &json!({}))
        .await;
    assert_eq!(cancel["export"]["status"], "canceled");
    let (s, _) = sim
        .send(
            reqwest::Method::DELETE,
            Some(TEST_KEY),
            &format!("/v1/webhooks/{wid}"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        sim.get(TEST_KEY, &format!("/v1/webhooks/{wid}")).await.0,
        404
    );
}

#[tokio::test]
async fn saved_cards_power_setup_off_session_and_api_subscriptions() {
    let sim = start().await;
    let c = sim
        .ok_post(
            TEST_KEY,
            "/v1/customers",
            &json!({"customer": {"first_name": "Jo", "email": "jo@example.com"}}),
        )
        .await;
    let cus = c["customer"]["customer_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (s, v) = sim
        .post(
            TEST_KEY,
            "/v1/checkout/sessions",
            &json!({"checkout_session": {"mode": "setup", "line_items": []}}),
        )
        .await;
    assert_eq!(s, 422, "setup mode needs a customer: {v}");
    assert_eq!(
        v["detail"][0]["loc"],
        json!(["checkout_session", "customer"])
    );
    let setup = sim.ok_post(TEST_KEY, "/v1/checkout/sessions", &json!({"checkout_session": {"mode": "setup", "customer": cus, "line_items": [], "success_url": "https://x"}})).await;
    let sid = setup["checkout_session"]["checkout_session_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (_, done) = sim.complete(TEST_KEY, &sid, VISA).await;
    assert_eq!(done["checkout_session"]["status"], "complete");
    let (_, pms) = sim
        .get(TEST_KEY, &format!("/v1/customers/{cus}/payment_methods"))
        .await;
    let pm = pms["payment_methods"][0]["payment_method_id"]
        .as_str()
        .expect("a saved card")
        .to_owned();
    assert_eq!(pms["payment_methods"][0]["card"]["last4"], "4242");
    let (s, _) = sim
        .get(
            TEST_KEY,
            &format!("/v1/customers/{cus}/payment_methods/{pm}"),
        )
        .await;
    assert_eq!(s, 200);

    let (_, price) = sim
        .product_and_price(TEST_KEY, "Refill", "0008", 1200)
        .await;
    let off = sim
        .ok_post(TEST_KEY, "/v1/checkout/sessions", &json!({"checkout_session": {"mode": "off_session", "customer": cus, "payment_method": pm, "line_items": [{"price": price, "quantity": 1}]}}))
        .await;
    assert_eq!(
        off["checkout_session"]["status"], "complete",
        "off-session sessions are charged at once"
    );
    let oid = off["checkout_session"]["checkout_session_id"]
        .as_str()
        .expect("id");
    let (_, expanded) = sim
        .get(
            TEST_KEY,
            &format!("/v1/checkout/sessions/{oid}?expand_customer=true&expand_payment_intent=true"),
        )
        .await;
    assert_eq!(
        expanded["checkout_session"]["customer"]["email"],
        "jo@example.com"
    );
    assert_eq!(
        expanded["checkout_session"]["payment_intent"]["amount"],
        1200
    );
    let (_, items) = sim
        .get(TEST_KEY, &format!("/v1/checkout/sessions/{oid}/line_items"))
        .await;
    assert_eq!(items["line_items"][0]["amount_total"], 1200);
    assert_eq!(
        items["line_items"][0]["price"]["price_id"],
        price.as_str(),
        "line items carry the expanded price"
    );

    let p = sim
        .ok_post(
            TEST_KEY,
            "/v1/products",
            &json!({"product": {"name": "Club"}}),
        )
        .await;
    let monthly = sim
        .ok_post(TEST_KEY, "/v1/prices", &json!({"price": {"product": p["product"]["product_id"], "unit_amount": 999, "recurring": {"interval": "month"}}}))
        .await;
    assert_eq!(monthly["price"]["type"], "recurring");
    assert_eq!(
        monthly["price"]["recurring"]["interval"], "month",
        "the spelling sent is echoed"
    );
    let mid = monthly["price"]["price_id"].as_str().expect("id");
    let sub = sim
        .ok_post(
            TEST_KEY,
            "/v1/subscriptions",
            &json!({"subscription": {"customer": cus, "items": [{"price": mid}]}}),
        )
        .await;
    assert_eq!(
        sub["subscription"]["status"], "active",
        "the saved card pays the first invoice"
    );
    assert_eq!(sub["subscription"]["default_payment_method"], pm.as_str());
    let sub_id = sub["subscription"]["subscription_id"].as_str().expect("id");
    let (s, upd) = sim
        .send(reqwest::Method::PATCH, Some(TEST_KEY), &format!("/v1/subscriptions/{sub_id}"), Some(&json!({"subscription": {"cancel_at_period_end": true, "metadata": {"plan": "club"}}})))
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        upd["subscription"]["cancel_at"],
        upd["subscription"]["current_period_end"]
    );
    let (_, invoices) = sim
        .get(TEST_KEY, &format!("/v1/invoices?customer={cus}"))
        .await;
    assert_eq!(invoices["invoices"][0]["status"], "paid");
    let (s, v) = sim
        .post(
            TEST_KEY,
            "/v1/subscriptions",
            &json!({"subscription": {"customer": cus, "items": [{"price": price}]}}),
        )
        .await;
    assert_eq!(s, 422, "one-time prices cannot be subscribed to: {v}");

    let si = sim
        .ok_post(
            TEST_KEY,
            "/v1/setup_intents",
            &json!({"setup_intent": {"customer": cus}}),
        )
        .await;
    assert_eq!(si["setup_intent"]["status"], "requires_payment_method");
    let (_, sis) = sim
        .get(TEST_KEY, &format!("/v1/setup_intents?customer={cus}"))
        .await;
    assert_eq!(
        sis["setup_intents"].as_array().map(Vec::len),
        Some(2),
        "the setup session's intent and the API one"
    );
    let link = sim
        .ok_post(
            TEST_KEY,
            "/v1/payment_links",
            &json!({"payment_link": {"line_items": [{"price": price, "quantity": 2}]}}),
        )
        .await;
    assert!(
        link["payment_link"]["url"]
            .as_str()
            .unwrap_or("")
            .starts_with("https://checkout.withflex.com/pay/l/fplink_")
    );
    let (s, _) = sim
        .post(
            TEST_KEY,
            "/v1/payment_links",
            &json!({"payment_link": {"line_items": []}}),
        )
        .await;
    assert_eq!(s, 422);
}
