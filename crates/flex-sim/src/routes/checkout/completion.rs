//! Completion, the buyer's side: the hosted checkout's cards, the saved payment method, the
//! customer, and the payment intents a completed session creates (§3.4, §9).

use crate::routes::billing;
use crate::routes::ledger::{balance_tx, fee, new_payment_intent};
use crate::routes::prelude::*;

/// Cards the hosted checkout accepts in test mode (§2.2 and Appendix C).
const GOOD_CARDS: [(&str, &str, &str); 4] = [
    ("4242424242424242", "visa", "credit"),
    ("4000056655665556", "visa", "debit"),
    ("5555555555554444", "mastercard", "credit"),
    ("4000051230000072", "visa", "debit"),
];
/// Cards that decline.
const DECLINE_CARDS: [&str; 2] = ["4000000000009995", "4000000000000002"];

/// Create a saved card for a customer.
pub(crate) fn new_payment_method(
    store: &mut Store,
    customer: &str,
    card: &str,
    brand: &str,
    funding: &str,
    off_session: bool,
) -> String {
    let (id, now, mut m) = store.base(Kind::PaymentMethod);
    let (email, name) =
        store
            .get(Kind::Customer, customer)
            .map_or((Value::Null, Value::Null), |c| {
                (
                    c["email"].clone(),
                    json!(format!("{} {}", c.text("first_name"), c.text("last_name")).trim()),
                )
            });
    let last4 = &card[card.len().saturating_sub(4)..];
    m.insert("billing_details".into(), json!({
        "address": { "line1": null, "line2": null, "city": null, "state": null, "postal_code": "90210", "country": "US" },
        "email": email, "name": name, "phone": null,
    }));
    m.insert("customer".into(), Value::String(customer.to_owned()));
    m.insert("metadata".into(), json!({}));
    m.insert("card".into(), json!({ "brand": brand, "country": "US", "exp_month": 12, "exp_year": 2034, "funding": funding, "last4": last4 }));
    m.insert("off_session".into(), Value::Bool(off_session));
    store.insert(Kind::PaymentMethod, id.clone(), now, Value::Object(m));
    id
}

/// Create the customer a buyer becomes when the session has none.
fn buyer_customer(store: &mut Store, session: &Value) -> String {
    let d = &session["defaults"];
    let (id, now, mut m) = store.base(Kind::Customer);
    m.insert(
        "first_name".into(),
        d.get("first_name")
            .cloned()
            .filter(|v| !v.is_null())
            .unwrap_or(json!("Test")),
    );
    m.insert(
        "last_name".into(),
        d.get("last_name")
            .cloned()
            .filter(|v| !v.is_null())
            .unwrap_or(json!("Buyer")),
    );
    let email = d
        .get("email")
        .cloned()
        .filter(|v| !v.is_null())
        .unwrap_or_else(|| json!(format!("buyer+{}@example.com", &id[id.len() - 6..])));
    m.insert("email".into(), email);
    m.insert(
        "phone".into(),
        d.get("phone").cloned().unwrap_or(Value::Null),
    );
    m.insert("employer".into(), Value::Null);
    m.insert(
        "checkout_session_id".into(),
        session["checkout_session_id"].clone(),
    );
    m.insert("shipping".into(), Value::Null);
    m.insert("metadata".into(), json!({}));
    let obj = Value::Object(m);
    store.insert(Kind::Customer, id.clone(), now, obj.clone());
    store.emit("customer.created", Kind::Customer, &obj);
    id
}

/// Complete an open session as the buyer would. `card` None = the session's saved payment method
/// (off-session). Declines leave the session open with a failed intent.
pub(crate) fn complete(store: &mut Store, id: &str, card: Option<&str>) -> ApiResult<()> {
    let session = store.require(Kind::CheckoutSession, id)?.clone();
    let now_s = store.now_us() / 1_000_000;
    if session.text("status") == "open" && session.int("expires_at") < now_s {
        store.require_mut(Kind::CheckoutSession, id)?["status"] = json!("expired");
        return Err(ApiError::state(
            "checkout_session_expired",
            "the checkout session has expired",
        ));
    }
    if session.text("status") != "open" {
        return Err(ApiError::state(
            "checkout_session_not_open",
            format!(
                "checkout session is '{}', only open sessions can be paid",
                session.text("status")
            ),
        ));
    }
    // Earlier declined attempts are abandoned.
    for pi in session["payment_intents"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        if let Some(p) = pi
            .as_str()
            .and_then(|p| store.get_mut(Kind::PaymentIntent, p))
            && p.text("status") == "requires_payment_method"
        {
            p["status"] = json!("canceled");
        }
    }
    let customer = match session.opt_text("customer") {
        Some(c) => c.to_owned(),
        None => buyer_customer(store, &session),
    };
    let off = session.text("setup_future_use") == "off_session" || session.text("mode") == "setup";
    let (pm, declined) = match card {
        None => (session.text("payment_method").to_owned(), false),
        Some(card) => {
            let digits: String = card.chars().filter(char::is_ascii_digit).collect();
            if DECLINE_CARDS.contains(&digits.as_str()) {
                (
                    new_payment_method(store, &customer, &digits, "visa", "credit", false),
                    true,
                )
            } else if let Some((_, brand, funding)) =
                GOOD_CARDS.iter().find(|(n, _, _)| *n == digits)
            {
                (
                    new_payment_method(store, &customer, &digits, brand, funding, off),
                    false,
                )
            } else {
                return Err(ApiError::invalid(
                    &["card"],
                    "card_unknown",
                    format!(
                        "'{card}' is not a test card: use 4242424242424242 (success) or 4000000000009995 (decline)"
                    ),
                ));
            }
        }
    };
    let mode = session.text("mode").to_owned();
    if mode == "setup" {
        let (si, now, mut m) = store.base(Kind::SetupIntent);
        let secret = store.token(24);
        m.insert(
            "client_secret".into(),
            json!(format!("{si}_secret_{secret}")),
        );
        m.insert("customer".into(), json!(customer));
        m.insert("description".into(), Value::Null);
        m.insert("payment_method".into(), json!(pm));
        m.insert("partner_id".into(), json!("fpartner_sim"));
        m.insert("metadata".into(), json!({}));
        m.insert(
            "status".into(),
            json!(if declined {
                "requires_payment_method"
            } else {
                "succeeded"
            }),
        );
        m.insert("usage".into(), json!("off_session"));
        m.insert("subscription_id".into(), Value::Null);
        m.insert("checkout_session".into(), json!(id));
        store.insert(Kind::SetupIntent, si.clone(), now, Value::Object(m));
        let s = store.require_mut(Kind::CheckoutSession, id)?;
        s["setup_intent"] = json!(si);
        s["customer"] = json!(customer);
        if !declined {
            s["status"] = json!("complete");
        }
        let s = s.clone();
        if !declined {
            store.emit("checkout_session.completed", Kind::CheckoutSession, &s);
        }
        return Ok(());
    }
    let total = session.int("amount_total");
    if declined {
        let pi = new_payment_intent(
            store,
            &session,
            &customer,
            &pm,
            total,
            "primary",
            "requires_payment_method",
        );
        let p = store.require_mut(Kind::PaymentIntent, &pi)?;
        p["last_payment_error"] = json!({
            "type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
            "message": "Your card was declined.", "payment_method": pm,
        });
        let p = p.clone();
        store.emit("charge.failed", Kind::PaymentIntent, &p);
        let s = store.require_mut(Kind::CheckoutSession, id)?;
        s["customer"] = json!(customer);
        s["payment_intent"] = json!(pi);
        s["payment_intents"] = json!([pi]);
        s["next_action"] = json!({ "type": "payment_failed", "payment_failed": {} });
        return Ok(());
    }
    // Split cart: the eligible items go on the HSA/FSA card, everything else on a regular card.
    let lines = store.line_items.get(id).cloned().unwrap_or_default();
    let eligible_total: i64 = lines
        .iter()
        .filter(|l| l.text("eligibility") != "not_eligible")
        .map(|l| l.int("amount_total"))
        .sum();
    let discount = session["total_details"].int("amount_discount");
    let primary = (eligible_total - discount).max(0);
    let split = !session["split_cart"].is_null() && primary > 0 && primary < total;
    let manual = session.text("capture_method") == "manual";
    let status = if manual {
        "requires_capture"
    } else {
        "succeeded"
    };
    let mut pis = Vec::new();
    if split {
        pis.push(new_payment_intent(
            store, &session, &customer, &pm, primary, "primary", status,
        ));
        let second_pm = new_payment_method(
            store,
            &customer,
            "4242424242424242",
            "visa",
            "credit",
            false,
        );
        pis.push(new_payment_intent(
            store,
            &session,
            &customer,
            &second_pm,
            total - primary,
            "secondary",
            status,
        ));
    } else {
        pis.push(new_payment_intent(
            store, &session, &customer, &pm, total, "primary", status,
        ));
    }
    {
        let s = store.require_mut(Kind::CheckoutSession, id)?;
        s["customer"] = json!(customer);
        s["payment_intent"] = json!(pis[0]);
        s["payment_intents"] = json!(pis);
        s["next_action"] = Value::Null;
        s["status"] = json!(if manual { "paid" } else { "complete" });
        if !manual {
            s["amount_received"] = json!(total);
        }
    }
    for c in session["discounts"].as_array().cloned().unwrap_or_default() {
        if let Some(coupon) = c.as_str().and_then(|c| store.get_mut(Kind::Coupon, c)) {
            coupon["times_redeemed"] = json!(coupon.int("times_redeemed") + 1);
        }
    }
    if !manual {
        let allocations: Vec<(String, i64)> = pis
            .iter()
            .map(|p| {
                (
                    p.clone(),
                    store
                        .get(Kind::PaymentIntent, p)
                        .map_or(0, |v| v.int("amount")),
                )
            })
            .collect();
        record_capture(store, &session, &allocations, &json!({}), [0, 0, 0]);
        for p in &pis {
            store.emit_stored("payment_intent.succeeded", Kind::PaymentIntent, p);
        }
    }
    if mode == "subscription" {
        billing::start_subscription_from_checkout(store, id, &customer, &pm, &pis[0])?;
    }
    store.emit_stored("checkout_session.completed", Kind::CheckoutSession, id);
    Ok(())
}

/// Write a capture object and its balance transactions. `amounts` = shipping, discount, tax captured.
pub(super) fn record_capture(
    store: &mut Store,
    session: &Value,
    allocations: &[(String, i64)],
    metadata: &Value,
    amounts: [i64; 3],
) -> String {
    let (cap, now, mut m) = store.base(Kind::Capture);
    let total: i64 = allocations.iter().map(|(_, a)| a).sum();
    let items: Vec<Value> = allocations
        .iter()
        .filter(|(_, a)| *a > 0)
        .map(|(pi, a)| {
            json!({
                "capture_item_id": store.mint_id(Kind::CaptureItem),
                "amount_captured": a,
                "created_at": Store::iso(now),
                "price": null,
                "payment_intent": pi,
                "test_mode": store.test_mode,
            })
        })
        .collect();
    m.insert("amount_captured".into(), json!(total));
    m.insert("amount_shipping_captured".into(), json!(amounts[0]));
    m.insert("amount_discount_captured".into(), json!(amounts[1]));
    m.insert("amount_tax_captured".into(), json!(amounts[2]));
    m.insert("items".into(), Value::Array(items));
    m.insert("metadata".into(), metadata.clone());
    m.insert(
        "checkout_session".into(),
        session["checkout_session_id"].clone(),
    );
    store.insert(Kind::Capture, cap.clone(), now, Value::Object(m));
    for (pi, a) in allocations {
        if *a > 0 {
            balance_tx(store, "charge", *a, fee(*a), &cap, pi, session, "pending");
        }
    }
    cap
}
