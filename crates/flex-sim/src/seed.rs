//! Deterministic demo data (`--seed demo`), for the app's demo mode and screenshots.
//!
//! The seed drives the simulator's own API in-process (the same routes, hooks and state machines a
//! client would use), with the store's clock frozen at fixed instants, so every total and event is
//! consistent and every ID and timestamp is the same on every run. Only payouts, which have no
//! create route, are written directly. Timeline: 45 days up to 2026-11-20 UTC.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, header};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::ids::Kind;
use crate::state::Sim;
use crate::store::{Fields, Store};
use crate::{DEMO_LIVE_KEY, DEMO_TEST_KEY};

/// The demo timeline ends here: 2026-11-20T00:00:00Z in Unix microseconds.
const ANCHOR_US: i64 = 1_795_132_800_000_000;
const HOUR_US: i64 = 3_600_000_000;
const DAY_US: i64 = 24 * HOUR_US;

struct Seeder<'a> {
    sim: &'a Arc<Sim>,
    app: Router,
    key: &'static str,
    test: bool,
    /// Current demo time.
    now: i64,
}

impl Seeder<'_> {
    /// Move the demo clock to `days_ago` days (and `hour`) before the anchor.
    fn at(&mut self, days_ago: i64, hour: i64) {
        self.now = ANCHOR_US - days_ago * DAY_US + hour * HOUR_US;
        self.sim.stores.write().of_mut(self.test).frozen_now = Some(self.now);
    }

    /// A few minutes later (keeps the order of related objects visible).
    fn tick(&mut self) {
        self.now += 7 * 60 * 1_000_000;
        self.sim.stores.write().of_mut(self.test).frozen_now = Some(self.now);
    }

    async fn call(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> std::io::Result<Value> {
        self.tick();
        let mut req = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.key))
            .header(header::CONTENT_TYPE, "application/json");
        if body.is_none() {
            req = req.header(header::CONTENT_LENGTH, "0");
        }
        let req = req
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .map_err(std::io::Error::other)?;
        let resp = self
            .app
            .clone()
            .oneshot(req)
            .await
            .map_err(std::io::Error::other)?;
        let status = resp.status();
        let bytes = to_bytes(resp.into_body(), usize::MAX)
            .await
            .map_err(std::io::Error::other)?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(std::io::Error::other(format!(
                "demo seed step {method} {path} failed: {status} {value}"
            )));
        }
        Ok(value)
    }

    async fn create(&mut self, path: &str, wrap: &str, fields: Value) -> std::io::Result<String> {
        let v = self
            .call(Method::POST, path, Some(json!({ wrap: fields })))
            .await?;
        Ok(v[wrap].text(&format!("{wrap}_id")).to_owned())
    }

    async fn product(
        &mut self,
        fields: Value,
        unit_amount: i64,
        recurring: Option<Value>,
    ) -> std::io::Result<(String, String)> {
        let product = self.create("/v1/products", "product", fields).await?;
        let mut price = json!({ "product": product, "unit_amount": unit_amount });
        if let Some(r) = recurring {
            price["recurring"] = r;
        }
        let price = self.create("/v1/prices", "price", price).await?;
        Ok((product, price))
    }

    async fn customer(
        &mut self,
        first: &str,
        last: &str,
        email: &str,
        phone: &str,
    ) -> std::io::Result<String> {
        self.create(
            "/v1/customers",
            "customer",
            json!({ "first_name": first, "last_name": last, "email": email, "phone": phone }),
        )
        .await
    }

    /// A session for `customer` with `(price, quantity)` lines, optionally paid with `card`.
    async fn session(
        &mut self,
        customer: &str,
        lines: &[(&str, i64)],
        extra: Value,
        card: Option<&str>,
    ) -> std::io::Result<Value> {
        let items: Vec<Value> = lines
            .iter()
            .map(|(p, q)| json!({ "price": p, "quantity": q }))
            .collect();
        let mut fields = json!({
            "line_items": items,
            "mode": "payment",
            "customer": customer,
            "success_url": "https://shop.example.com/thanks?session={CHECKOUT_SESSION_ID}",
            "cancel_url": "https://shop.example.com/cart",
        });
        if let (Value::Object(f), Value::Object(e)) = (&mut fields, extra) {
            f.extend(e);
        }
        let id = self
            .create("/v1/checkout/sessions", "checkout_session", fields)
            .await?;
        match card {
            Some(card) => {
                let v = self
                    .call(
                        Method::POST,
                        &format!("/__sim/checkout_sessions/{id}/complete"),
                        Some(json!({ "card": card })),
                    )
                    .await?;
                Ok(v["checkout_session"].clone())
            }
            None => Ok(json!({ "checkout_session_id": id })),
        }
    }
}

fn pi_of(session: &Value, i: usize) -> String {
    session["payment_intents"][i]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

const VISA: &str = "4242424242424242";
const HSA: &str = "4000051230000072";
const MASTERCARD: &str = "5555555555554444";
const DECLINE: &str = "4000000000009995";

/// Seed the test store richly and the live store a little; register nothing (the caller adds the
/// demo keys first, since the seed runs through the authenticated API).
pub async fn demo(sim: &Arc<Sim>, app: &Router) -> std::io::Result<()> {
    let mut t = Seeder {
        sim,
        app: app.clone(),
        key: DEMO_TEST_KEY,
        test: true,
        now: ANCHOR_US,
    };
    seed_test(&mut t).await?;
    let mut l = Seeder {
        sim,
        app: app.clone(),
        key: DEMO_LIVE_KEY,
        test: false,
        now: ANCHOR_US,
    };
    seed_live(&mut l).await?;
    {
        let mut stores = sim.stores.write();
        payouts(&mut stores.test, 4);
        payouts(&mut stores.live, 1);
        stores.test.frozen_now = None;
        stores.live.frozen_now = None;
    }
    // The seed's own requests are not part of what a test or the demo did.
    sim.journal.lock().clear();
    sim.reset_seq();
    Ok(())
}

#[allow(clippy::too_many_lines)]
async fn seed_test(s: &mut Seeder<'_>) -> std::io::Result<()> {
    s.at(45, 9);
    // One product of each eligibility (the §9 rules: even GTIN/UPC → auto-substantiation; the
    // metadata flag for the rest).
    let (_thermo, thermo) = s
        .product(json!({ "name": "Digital Thermometer", "description": "Fast 8-second oral/underarm thermometer", "gtin": "00812345670012", "url": "https://shop.example.com/p/thermometer", "client_reference_id": "SKU-THERMO-01", "categories": ["health"] }), 1999, None)
        .await?;
    let (_sun, sunscreen) = s
        .product(json!({ "name": "SPF 50 Mineral Sunscreen", "upc_code": "012345678904", "client_reference_id": "SKU-SUN-50", "categories": ["skin"] }), 2450, None)
        .await?;
    let (_pl, pain) = s
        .product(json!({ "name": "Flex Select Pain Relief 200ct", "metadata": { "sim_eligibility": "private_label" }, "client_reference_id": "SKU-PAIN-200" }), 1299, None)
        .await?;
    let (_vis, glasses) = s
        .product(json!({ "name": "Blue-Light Reading Glasses", "metadata": { "sim_eligibility": "vision" }, "client_reference_id": "SKU-GLASS-BL" }), 5900, None)
        .await?;
    let (_rx, allergy) = s
        .product(json!({ "name": "Prescription Allergy Relief", "metadata": { "sim_eligibility": "prescription" }, "client_reference_id": "SKU-RX-ALG" }), 3400, None)
        .await?;
    let (_mat, mattress) = s
        .product(json!({ "name": "Orthopedic Sleep Mattress", "description": "Medium-firm mattress for back pain", "metadata": { "sim_eligibility": "letter_of_medical_necessity" }, "visit_type": "cbtSleep", "client_reference_id": "SKU-MATT-Q" }), 89_900, None)
        .await?;
    let (_gym, gym) = s
        .product(json!({ "name": "Gym Membership", "metadata": { "sim_eligibility": "letter_of_medical_necessity" }, "visit_type": "gym", "client_reference_id": "SUB-GYM" }), 4999, Some(json!({ "interval": "monthly", "interval_count": 1 })))
        .await?;
    let (_coach, coaching) = s
        .product(json!({ "name": "Sleep Coaching Program", "metadata": { "sim_eligibility": "letter_of_medical_necessity" }, "visit_type": "cbtSleep", "client_reference_id": "SUB-SLEEP" }), 2900, Some(json!({ "interval": "monthly", "interval_count": 1, "trial_period_days": 14 })))
        .await?;
    let (_bottle, bottle) = s
        .product(json!({ "name": "Insulated Water Bottle", "gtin": "00812345670013", "client_reference_id": "SKU-BOTTLE" }), 2500, None)
        .await?;
    let wrap = s
        .create(
            "/v1/products",
            "product",
            json!({ "name": "Gift Wrap", "client_reference_id": "SKU-WRAP" }),
        )
        .await?;
    s.create(
        "/v1/prices",
        "price",
        json!({ "product": wrap, "unit_amount": 500 }),
    )
    .await?;
    s.call(
        Method::PATCH,
        &format!("/v1/products/{wrap}"),
        Some(json!({ "product": { "active": false } })),
    )
    .await?;

    let standard = s
        .create(
            "/v1/shipping_rates",
            "shipping_rate",
            json!({ "display_name": "Standard (3–5 days)", "amount": 599 }),
        )
        .await?;
    s.create(
        "/v1/shipping_rates",
        "shipping_rate",
        json!({ "display_name": "Express (1–2 days)", "amount": 1499 }),
    )
    .await?;
    let coupon = s
        .create(
            "/v1/coupons",
            "coupon",
            json!({ "name": "Welcome 10%", "percent_off": 10, "duration": "once" }),
        )
        .await?;
    s.create(
        "/v1/promo_codes",
        "promo_code",
        json!({ "coupon_id": coupon, "code": "WELCOME10" }),
    )
    .await?;
    s.create("/v1/coupons", "coupon", json!({ "name": "$15 off mattresses", "amount_off": 1500, "duration": "once", "max_redemptions": 100 })).await?;

    s.at(40, 10);
    let jane = s
        .customer("Jane", "Doe", "jane@example.com", "+15555550101")
        .await?;
    let omar = s
        .customer("Omar", "Haddad", "omar.haddad@example.com", "+15555550102")
        .await?;
    let mei = s
        .customer("Mei", "Chen", "mei.chen@example.com", "+15555550103")
        .await?;
    let lucas = s
        .customer("Lucas", "Oliveira", "lucas.o@example.com", "+15555550104")
        .await?;
    let priya = s
        .customer("Priya", "Natarajan", "priya.n@example.com", "+15555550105")
        .await?;
    let sam = s
        .customer("Sam", "Walker", "sam.walker@example.com", "+15555550106")
        .await?;

    // Completed, automatic capture.
    s.at(38, 11);
    s.session(
        &jane,
        &[(&thermo, 2)],
        json!({ "client_reference_id": "order-1001" }),
        Some(HSA),
    )
    .await?;
    s.at(36, 15);
    s.session(&mei, &[(&pain, 1), (&glasses, 1)], json!({ "client_reference_id": "order-1002", "shipping_options": { "shipping_rate_id": standard } }), Some(VISA)).await?;
    // Split cart: eligible sunscreen on the HSA card, the bottle on a regular card.
    s.at(33, 10);
    s.session(
        &omar,
        &[(&sunscreen, 2), (&bottle, 1)],
        json!({ "client_reference_id": "order-1003" }),
        Some(HSA),
    )
    .await?;
    // Partially refunded through POST /v1/refunds.
    s.at(30, 13);
    let refunded = s
        .session(
            &lucas,
            &[(&allergy, 2)],
            json!({ "client_reference_id": "order-1004" }),
            Some(MASTERCARD),
        )
        .await?;
    s.at(28, 9);
    s.create("/v1/refunds", "refund", json!({ "payment_intent_id": pi_of(&refunded, 0), "amount": 3400, "reason": "requested_by_customer" })).await?;
    // Fully refunded through the session refund.
    s.at(27, 16);
    let full = s
        .session(
            &priya,
            &[(&thermo, 1)],
            json!({ "client_reference_id": "order-1005" }),
            Some(VISA),
        )
        .await?;
    s.at(26, 10);
    let fid = full.text("checkout_session_id").to_owned();
    s.call(
        Method::POST,
        &format!("/v1/checkout/sessions/{fid}/refund"),
        Some(json!({ "checkout_session": { "refund_metadata": { "ticket": "SUP-2231" } } })),
    )
    .await?;
    // Manual capture: one captured, one still authorized, one cancelled.
    s.at(24, 12);
    let captured = s
        .session(
            &sam,
            &[(&mattress, 1)],
            json!({ "capture_method": "manual", "client_reference_id": "order-1006" }),
            Some(HSA),
        )
        .await?;
    s.at(22, 9);
    let cid = captured.text("checkout_session_id").to_owned();
    s.call(Method::POST, &format!("/v1/checkout/sessions/{cid}/capture"), Some(json!({ "checkout_session": { "capture_metadata": { "fulfilled_by": "warehouse-2" } } }))).await?;
    s.at(6, 14);
    s.session(
        &jane,
        &[(&mattress, 1)],
        json!({ "capture_method": "manual", "client_reference_id": "order-1012" }),
        Some(HSA),
    )
    .await?;
    s.at(20, 11);
    let voided = s
        .session(
            &omar,
            &[(&glasses, 1)],
            json!({ "capture_method": "manual", "client_reference_id": "order-1007" }),
            Some(VISA),
        )
        .await?;
    let vid = voided.text("checkout_session_id").to_owned();
    s.call(
        Method::POST,
        &format!("/v1/checkout/sessions/{vid}/cancel"),
        None,
    )
    .await?;
    // Disputes: one new, one with evidence submitted, one lost.
    s.at(18, 10);
    let d1 = s
        .session(
            &mei,
            &[(&allergy, 1)],
            json!({ "client_reference_id": "order-1008" }),
            Some(VISA),
        )
        .await?;
    let d2 = s
        .session(
            &lucas,
            &[(&glasses, 1)],
            json!({ "client_reference_id": "order-1009" }),
            Some(MASTERCARD),
        )
        .await?;
    let d3 = s
        .session(
            &priya,
            &[(&pain, 2)],
            json!({ "client_reference_id": "order-1010" }),
            Some(VISA),
        )
        .await?;
    s.at(12, 9);
    s.call(
        Method::POST,
        "/__sim/disputes",
        Some(json!({ "payment_intent_id": pi_of(&d1, 0), "reason": "fraudulent" })),
    )
    .await?;
    let dd2 = s
        .call(
            Method::POST,
            "/__sim/disputes",
            Some(json!({ "payment_intent_id": pi_of(&d2, 0), "reason": "product_not_received" })),
        )
        .await?;
    let dd3 = s.call(Method::POST, "/__sim/disputes", Some(json!({ "payment_intent_id": pi_of(&d3, 0), "amount": 1299, "reason": "duplicate" }))).await?;
    s.at(10, 15);
    let dd2 = dd2["dispute"].text("dispute_id").to_owned();
    s.call(Method::POST, &format!("/v1/disputes/{dd2}"), Some(json!({ "dispute": { "submit": true, "evidence": {
        "customer_name": "Lucas Oliveira", "customer_email_address": "lucas.o@example.com",
        "shipping_carrier": "UPS", "shipping_tracking_number": "1Z999AA10123456784", "shipping_date": "2026-11-03",
        "product_description": "Blue-Light Reading Glasses, delivered and signed for" } } }))).await?;
    let dd3 = dd3["dispute"].text("dispute_id").to_owned();
    s.call(Method::POST, &format!("/v1/disputes/{dd3}/close"), None)
        .await?;
    // Subscriptions through checkout: active, trialing, cancelled at period end, cancelled now.
    s.at(35, 10);
    let sub_mode = json!({ "mode": "subscription" });
    s.session(&jane, &[(&gym, 1)], sub_mode.clone(), Some(HSA))
        .await?;
    s.at(9, 10);
    s.session(&mei, &[(&coaching, 1)], sub_mode.clone(), Some(VISA))
        .await?;
    s.at(25, 10);
    let ending = s
        .session(&omar, &[(&gym, 1)], sub_mode.clone(), Some(MASTERCARD))
        .await?;
    s.at(15, 10);
    let sub_id = ending.text("subscription").to_owned();
    s.call(
        Method::DELETE,
        &format!("/v1/subscriptions/{sub_id}"),
        Some(json!({ "cancel_at_period_end": true })),
    )
    .await?;
    s.at(31, 10);
    let gone = s.session(&sam, &[(&gym, 1)], sub_mode, Some(VISA)).await?;
    s.at(14, 10);
    let gone_id = gone.text("subscription").to_owned();
    s.call(
        Method::DELETE,
        &format!("/v1/subscriptions/{gone_id}"),
        Some(json!({ "refund": "prorated" })),
    )
    .await?;
    // Still open, and one declined attempt.
    s.at(2, 9);
    // Long expiry, so the demo shows these as open whenever it runs.
    let far = (ANCHOR_US + 3650 * DAY_US) / 1_000_000;
    s.session(
        &lucas,
        &[(&thermo, 1), (&sunscreen, 1)],
        json!({ "client_reference_id": "order-1013", "expires_at": far }),
        None,
    )
    .await?;
    s.at(1, 17);
    s.session(
        &sam,
        &[(&allergy, 1)],
        json!({ "client_reference_id": "order-1014", "expires_at": far }),
        Some(DECLINE),
    )
    .await?;
    // A recent completed order with a discount.
    s.at(0, 10);
    s.session(
        &priya,
        &[(&glasses, 2)],
        json!({ "client_reference_id": "order-1015", "discounts": [{ "coupon": coupon }] }),
        Some(VISA),
    )
    .await?;
    // Links, webhooks, exports.
    s.at(44, 9);
    s.create("/v1/payment_links", "payment_link", json!({ "label": "Thermometer (HSA/FSA)", "line_items": [{ "price": thermo, "quantity": 1 }], "after_completion": { "type": "hosted_confirmation", "hosted_confirmation": { "custom_message": "Thanks! Your receipt is on its way." } } })).await?;
    s.create("/v1/webhooks", "webhook", json!({ "url": "https://shop.example.com/webhooks/flex", "events": ["checkout_session.completed", "refund.created", "charge.dispute.created"] })).await?;
    s.at(3, 8);
    s.create(
        "/v1/exports",
        "export",
        json!({ "type": "payments", "description": "October payments" }),
    )
    .await?;
    Ok(())
}

async fn seed_live(s: &mut Seeder<'_>) -> std::io::Result<()> {
    s.at(20, 9);
    let (_p, thermo) = s.product(json!({ "name": "Digital Thermometer", "gtin": "00812345670012", "client_reference_id": "SKU-THERMO-01" }), 1999, None).await?;
    let (_q, bottle) = s
        .product(
            json!({ "name": "Insulated Water Bottle", "gtin": "00812345670013" }),
            2500,
            None,
        )
        .await?;
    s.at(18, 10);
    let ana = s
        .customer("Ana", "Silva", "ana.silva@example.com", "+15555550201")
        .await?;
    let ben = s
        .customer("Ben", "Okafor", "ben.okafor@example.com", "+15555550202")
        .await?;
    s.at(16, 12);
    s.session(
        &ana,
        &[(&thermo, 1)],
        json!({ "client_reference_id": "live-2001" }),
        Some(HSA),
    )
    .await?;
    s.at(8, 12);
    let paid = s
        .session(
            &ben,
            &[(&thermo, 1), (&bottle, 1)],
            json!({ "client_reference_id": "live-2002" }),
            Some(HSA),
        )
        .await?;
    s.at(7, 9);
    s.create("/v1/refunds", "refund", json!({ "payment_intent_id": pi_of(&paid, 1), "amount": 2500, "reason": "requested_by_customer" })).await?;
    Ok(())
}

/// `count` payouts, nine days apart; each sweeps the balance older than two days before it. The
/// newest is still in transit.
fn payouts(store: &mut Store, count: i64) {
    let mut newest = None;
    for i in (0..count).rev() {
        let at = ANCHOR_US - (i * 9 + 3) * DAY_US;
        store.frozen_now = Some(at);
        let swept: Vec<(String, i64)> = store
            .rows(Kind::BalanceTransaction, |b| b["payout_id"].is_null())
            .into_iter()
            .filter(|(_, r)| r.created_us < at - 2 * DAY_US)
            .map(|(id, r)| (id.to_owned(), r.obj.int("net")))
            .collect();
        let amount: i64 = swept.iter().map(|(_, n)| n).sum();
        if amount <= 0 {
            continue;
        }
        let (id, now, mut m) = store.base(Kind::Payout);
        m.insert("status".into(), json!("paid"));
        m.insert("amount".into(), json!(amount));
        m.insert("arrival_date".into(), json!(Store::iso(now + 2 * DAY_US)));
        m.insert("source_type".into(), json!("card"));
        store.insert(Kind::Payout, id.clone(), now, Value::Object(m));
        newest = Some(id.clone());
        for (bt, _) in swept {
            if let Some(b) = store.get_mut(Kind::BalanceTransaction, &bt) {
                b["payout_id"] = json!(id);
                b["status"] = json!("available");
            }
        }
    }
    if let Some(p) = newest.and_then(|id| store.get_mut(Kind::Payout, &id)) {
        p["status"] = json!("in_transit");
    }
}
