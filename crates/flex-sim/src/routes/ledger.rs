//! The money primitives every route that moves money uses: Flex's fee, balance transactions,
//! new payment intents, the refundable amount left on an intent and recording a refund. They live
//! here, below the routes, so checkout, billing and disputes share them without importing each
//! other.

use super::catalog::opt;
use super::prelude::*;

/// A payment intent for part (or all) of a session.
#[allow(clippy::too_many_arguments)]
pub(crate) fn new_payment_intent(
    store: &mut Store,
    session: &Value,
    customer: &str,
    pm: &str,
    amount: i64,
    card_type: &str,
    status: &str,
) -> String {
    let (id, now, mut m) = store.base(Kind::PaymentIntent);
    let secret = store.token(24);
    let charge = format!("ch_sim_{}", store.token(20));
    let capture_method = session.text("capture_method").to_owned();
    let received = if status == "succeeded" { amount } else { 0 };
    let capturable = if status == "requires_capture" {
        amount
    } else {
        0
    };
    m.insert("amount".into(), json!(amount));
    m.insert("amount_capturable".into(), json!(capturable));
    m.insert("amount_received".into(), json!(received));
    m.insert("amount_refunded".into(), json!(0));
    m.insert("application_fee_amount".into(), Value::Null);
    m.insert("customer".into(), json!(customer));
    m.insert("transfer_data".into(), Value::Null);
    m.insert("status".into(), json!(status));
    m.insert(
        "latest_charge".into(),
        if status == "requires_payment_method" {
            Value::Null
        } else {
            json!(charge)
        },
    );
    m.insert("invoice".into(), Value::Null);
    m.insert("capture_method".into(), json!(capture_method));
    m.insert(
        "client_secret".into(),
        json!(format!("{id}_secret_{secret}")),
    );
    m.insert("metadata".into(), session["metadata"].clone());
    m.insert("payment_method".into(), json!(pm));
    m.insert("transfer_group".into(), Value::Null);
    m.insert("payment_card_type".into(), json!(card_type));
    m.insert("letter_fee_amount".into(), json!(0));
    m.insert("transaction_fee".into(), json!(fee(received)));
    m.insert("last_payment_error".into(), Value::Null);
    m.insert(
        "checkout_session".into(),
        session["checkout_session_id"].clone(),
    );
    m.insert("canceled_at".into(), Value::Null);
    let obj = Value::Object(m);
    store.insert(Kind::PaymentIntent, id.clone(), now, obj.clone());
    store.emit("payment_intent.created", Kind::PaymentIntent, &obj);
    id
}

/// Flex's processing fee in the simulator: 2.9 % + 30 ¢ (integer cents), 0 for nothing charged.
pub(crate) fn fee(amount: i64) -> i64 {
    if amount <= 0 {
        0
    } else {
        amount * 29 / 1000 + 30
    }
}

/// Record a balance transaction (charges, refunds, disputes).
#[allow(clippy::too_many_arguments)]
pub(crate) fn balance_tx(
    store: &mut Store,
    kind: &str,
    amount: i64,
    fee_amount: i64,
    source: &str,
    pi: &str,
    session: &Value,
    status: &str,
) {
    let (id, now, mut m) = store.base(Kind::BalanceTransaction);
    m.insert("amount".into(), json!(amount));
    m.insert("fee".into(), json!(fee_amount));
    m.insert("net".into(), json!(amount - fee_amount));
    m.insert("status".into(), json!(status));
    m.insert(
        "available_on".into(),
        json!(Store::iso(now + 2 * 86_400 * 1_000_000)),
    );
    m.insert("exchange_rate".into(), Value::Null);
    m.insert("reporting_category".into(), json!(kind));
    m.insert(
        "checkout_session_id".into(),
        session
            .get("checkout_session_id")
            .cloned()
            .unwrap_or(Value::Null),
    );
    m.insert(
        "client_reference_id".into(),
        session
            .get("client_reference_id")
            .cloned()
            .unwrap_or(Value::Null),
    );
    m.insert("source_id".into(), json!(source));
    m.insert("type".into(), json!(kind));
    m.insert("flex_payment_intent_id".into(), json!(pi));
    m.insert("payout_id".into(), Value::Null);
    store.insert(Kind::BalanceTransaction, id, now, Value::Object(m));
}

/// Refundable amount left on a payment intent.
pub(crate) fn refundable(pi: &Value) -> i64 {
    pi.int("amount_received") - pi.int("amount_refunded")
}

/// Write a refund over `(intent, amount)` allocations and update every total it touches.
pub(crate) fn record_refund(
    store: &mut Store,
    allocations: &[(String, i64)],
    reason: Option<String>,
    metadata: Value,
    extra: &[(&str, Value)],
) -> ApiResult<Value> {
    let allocations: Vec<_> = allocations
        .iter()
        .filter(|(_, a)| *a > 0)
        .cloned()
        .collect();
    let total: i64 = allocations.iter().map(|(_, a)| a).sum();
    let first = allocations
        .first()
        .map(|(p, _)| p.clone())
        .unwrap_or_default();
    let session_id = store
        .get(Kind::PaymentIntent, &first)
        .map_or(Value::Null, |p| p["checkout_session"].clone());
    let (id, now, mut m) = store.base(Kind::Refund);
    let mut items = Vec::new();
    for (pi, a) in &allocations {
        let p = store.require_mut(Kind::PaymentIntent, pi)?;
        p["amount_refunded"] = json!(p.int("amount_refunded") + a);
        let pm = p.text("payment_method").to_owned();
        let p = p.clone();
        items.push(json!({
            "amount_refunded": a, "payment_intent": pi, "payment_method_id": pm,
            "reference_id": null, "reference_type": "acquirer_reference_number", "reference_status": "pending",
        }));
        store.emit("charge.refunded", Kind::PaymentIntent, &p);
    }
    m.insert("payment_intent_id".into(), json!(first));
    m.insert("amount".into(), json!(total));
    m.insert("reason".into(), opt(reason));
    m.insert("status".into(), json!("pending"));
    m.insert("metadata".into(), metadata);
    m.insert("reference_id".into(), Value::Null);
    m.insert("reference_type".into(), json!("acquirer_reference_number"));
    m.insert("reference_status".into(), json!("pending"));
    m.insert("items".into(), Value::Array(items));
    m.insert("subscription_id".into(), Value::Null);
    m.insert("invoice_id".into(), Value::Null);
    m.insert("checkout_session".into(), session_id.clone());
    for (k, v) in extra {
        m.insert((*k).to_owned(), v.clone());
    }
    let mut refund = Value::Object(m);
    store.emit("refund.created", Kind::Refund, &refund);
    // Test mode settles at once (§9); the ARN stays pending like a fresh real refund.
    refund["status"] = json!("succeeded");
    store.insert(Kind::Refund, id.clone(), now, refund.clone());
    store.emit("refund.updated", Kind::Refund, &refund);
    store.emit("charge.refund.updated", Kind::Refund, &refund);
    if let Some(sid) = session_id.as_str() {
        let session = store
            .get(Kind::CheckoutSession, sid)
            .cloned()
            .unwrap_or(Value::Null);
        if let Some(s) = store.get_mut(Kind::CheckoutSession, sid) {
            s["amount_refunded"] = json!(s.int("amount_refunded") + total);
        }
        for (pi, a) in &allocations {
            balance_tx(store, "refund", -a, 0, &id, pi, &session, "available");
        }
    }
    Ok(refund)
}
