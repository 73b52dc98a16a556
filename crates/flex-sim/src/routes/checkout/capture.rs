//! Capture, cancel and reauthorize a session's authorization, with capture allocations over
//! its payment intents (§3.5).

use axum::response::IntoResponse;

use super::completion::record_capture;
use super::sessions::{rendered_session, session_status};
use crate::routes::ledger::fee;
use crate::routes::prelude::*;

/// Intents of a session, in cart order.
pub(super) fn session_intents(store: &Store, session: &Value) -> Vec<Value> {
    session["payment_intents"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| {
                    p.as_str()
                        .and_then(|p| store.get(Kind::PaymentIntent, p))
                        .cloned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Fill `amount` across `(id, available)` in order.
pub(super) fn allocate(pools: &[(String, i64)], amount: i64) -> Vec<(String, i64)> {
    let mut left = amount;
    pools
        .iter()
        .map(|(id, avail)| {
            let take = left.min(*avail).max(0);
            left -= take;
            (id.clone(), take)
        })
        .collect()
}

/// Amount a line-item-based request asks for: each item's own amount field or the line's total.
pub(super) fn line_item_amount(
    store: &Store,
    session_id: &str,
    b: &Obj<'_>,
    amount_field: &str,
) -> ApiResult<Option<i64>> {
    let Some(items) = b.objects_opt("line_items")? else {
        return Ok(None);
    };
    let lines = store
        .line_items
        .get(session_id)
        .cloned()
        .unwrap_or_default();
    let mut sum = 0i64;
    for (i, item) in items.into_iter().enumerate() {
        let loc = b.child_loc("line_items", Some(i));
        let it = loc.on(item);
        let price = it.str_opt("price")?;
        let product = it.str_opt("product")?;
        if price.is_none() && product.is_none() {
            return Err(it.fail(
                "product",
                "missing",
                "each line item needs `product` or `price` to say which cart line it is",
            ));
        }
        let line = lines.iter().find(|l| {
            price
                .as_deref()
                .is_some_and(|p| l["price"].text("price_id") == p)
                || product
                    .as_deref()
                    .is_some_and(|p| l["price"].text("product") == p)
        });
        let Some(line) = line else {
            let (f, v) = match (&price, &product) {
                (Some(p), _) => ("price", p.clone()),
                (None, Some(p)) => ("product", p.clone()),
                (None, None) => ("product", String::new()),
            };
            return Err(it.fail(
                f,
                "line_item_not_found",
                format!("'{v}' is not in this checkout session's cart"),
            ));
        };
        let max = line.int("amount_total") - line.int("amount_refunded");
        let amount = it
            .int_opt(amount_field, 1)?
            .or(it.int_opt("amount", 1)?)
            .unwrap_or(max);
        if amount > line.int("amount_total") {
            return Err(it.fail(
                amount_field,
                "amount_too_large",
                format!(
                    "{amount} is more than this line's total of {}",
                    line.int("amount_total")
                ),
            ));
        }
        sum = sum.saturating_add(amount);
    }
    Ok(Some(sum))
}

pub(super) struct Extras {
    pub(super) shipping: i64,
    pub(super) tax: i64,
    pub(super) discount: i64,
}

pub(super) fn extras(b: &Obj<'_>) -> ApiResult<Extras> {
    Ok(Extras {
        shipping: b.int_opt("amount_shipping", 0)?.unwrap_or(0),
        tax: b.int_opt("amount_tax", 0)?.unwrap_or(0),
        discount: b.int_opt("amount_discount", 0)?.unwrap_or(0),
    })
}

/// A validated capture.
struct CapturePlan {
    /// Amount per payment intent.
    allocations: Vec<(String, i64)>,
    /// Whether the uncaptured rest is released.
    final_capture: bool,
    extras: Extras,
}

/// Validate a capture request against what the session has authorized.
fn plan_capture(store: &Store, id: &str, b: &Obj<'_>) -> ApiResult<CapturePlan> {
    let session = store.require(Kind::CheckoutSession, id)?;
    match session.text("status") {
        "paid" => {}
        "complete" => {
            return Err(ApiError::state(
                "checkout_session_already_captured",
                "the checkout session is already captured (status complete); refund instead",
            ));
        }
        other => {
            return Err(ApiError::state(
                "checkout_session_not_capturable",
                format!(
                    "only paid (authorized, manual capture) sessions can be captured; this one is '{other}'"
                ),
            ));
        }
    }
    let final_capture = b.bool_opt("final_capture")?.unwrap_or(true);
    let ex = extras(b)?;
    let pools: Vec<(String, i64)> = session_intents(store, session)
        .iter()
        .filter(|p| p.text("status") == "requires_capture")
        .map(|p| {
            (
                p.text("payment_intent_id").to_owned(),
                p.int("amount_capturable"),
            )
        })
        .collect();
    let capturable: i64 = pools.iter().map(|(_, a)| a).sum();
    let amount = match line_item_amount(store, id, b, "amount_to_capture")? {
        Some(items) => items + ex.shipping + ex.tax - ex.discount,
        None => b.int_opt("amount", 1)?.unwrap_or(capturable),
    };
    if amount <= 0 {
        return Err(b.fail(
            "amount",
            "value_error",
            "the capture amount must be at least 1 cent",
        ));
    }
    if amount > capturable {
        return Err(b.fail(
            "amount",
            "amount_exceeds_capturable",
            format!("cannot capture {amount}: only {capturable} is authorized"),
        ));
    }
    Ok(CapturePlan {
        allocations: allocate(&pools, amount),
        final_capture,
        extras: ex,
    })
}

pub(super) fn allocations_body(store: &Store, allocations: &[(String, i64)]) -> Value {
    let list: Vec<Value> = allocations
        .iter()
        .filter(|(_, a)| *a > 0)
        .map(|(pi, a)| {
            let pm = store
                .get(Kind::PaymentIntent, pi)
                .map(|p| p.text("payment_method").to_owned())
                .unwrap_or_default();
            let last4 = store
                .get(Kind::PaymentMethod, &pm)
                .map(|m| m["card"].text("last4").to_owned());
            json!({ "payment_method_id": pm, "last4": last4, "amount": a, "payment_intent_id": pi })
        })
        .collect();
    json!({ "allocations": list })
}

pub(super) async fn capture_allocation(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let map = wrapped_or_empty(&call.body, "checkout_session")?;
    let loc = Loc::root("checkout_session");
    let b = loc.on(&map);
    let stores = call.sim.stores.read();
    let store = stores.of(call.ctx.test);
    let plan = plan_capture(store, &id, &b)?;
    Ok(axum::Json(allocations_body(store, &plan.allocations)).into_response())
}

pub(super) async fn capture_session(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let map = wrapped_or_empty(&call.body, "checkout_session")?;
    let loc = Loc::root("checkout_session");
    let b = loc.on(&map);
    let metadata = b
        .metadata("capture_metadata")?
        .or(b.metadata("metadata")?)
        .unwrap_or_else(|| json!({}));
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let CapturePlan {
        allocations: alloc,
        final_capture,
        extras: ex,
    } = plan_capture(store, &id, &b)?;
    let session = store.require(Kind::CheckoutSession, &id)?.clone();
    for (pi, a) in &alloc {
        let p = store.require_mut(Kind::PaymentIntent, pi)?;
        let received = p.int("amount_received") + a;
        let capturable = if final_capture {
            0
        } else {
            p.int("amount_capturable") - a
        };
        p["amount_received"] = json!(received);
        p["amount_capturable"] = json!(capturable);
        p["transaction_fee"] = json!(fee(received));
        if capturable == 0 {
            p["status"] = json!(if received > 0 {
                "succeeded"
            } else {
                "canceled"
            });
        }
        let p = p.clone();
        if p.text("status") == "succeeded" {
            store.emit("payment_intent.succeeded", Kind::PaymentIntent, &p);
        }
        store.emit("charge.captured", Kind::PaymentIntent, &p);
    }
    record_capture(
        store,
        &session,
        &alloc,
        &metadata,
        [ex.shipping, ex.discount, ex.tax],
    );
    let captured: i64 = alloc.iter().map(|(_, a)| a).sum();
    let intents = session_intents(store, &session);
    let done = intents
        .iter()
        .all(|p| p.text("status") != "requires_capture");
    let s = store.require_mut(Kind::CheckoutSession, &id)?;
    s["amount_received"] = json!(s.int("amount_received") + captured);
    if done {
        s["status"] = json!("complete");
    }
    Ok(ok(Kind::CheckoutSession, rendered_session(store, &id)?))
}

pub(super) async fn cancel_session(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let session = store.require(Kind::CheckoutSession, &id)?.clone();
    match session_status(store, &session) {
        "open" | "paid" => {}
        "complete" => {
            return Err(ApiError::state(
                "checkout_session_already_captured",
                "the session's funds are already captured; refund instead of cancelling",
            ));
        }
        other => {
            return Err(ApiError::state(
                "checkout_session_not_cancelable",
                format!("the session is already '{other}'"),
            ));
        }
    }
    let now = Store::iso(store.now_us());
    for p in session_intents(store, &session) {
        let pid = p.text("payment_intent_id").to_owned();
        if p.text("status") != "succeeded" {
            let pi = store.require_mut(Kind::PaymentIntent, &pid)?;
            pi["status"] = json!("canceled");
            pi["amount_capturable"] = json!(0);
            pi["canceled_at"] = json!(now);
            let pi = pi.clone();
            store.emit("payment_intent.canceled", Kind::PaymentIntent, &pi);
        }
    }
    store.require_mut(Kind::CheckoutSession, &id)?["status"] = json!("canceled");
    Ok(ok(Kind::CheckoutSession, rendered_session(store, &id)?))
}

pub(super) async fn reauth_session(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let session = store.require(Kind::CheckoutSession, &id)?.clone();
    if session.text("status") != "paid" {
        return Err(ApiError::state(
            "checkout_session_not_authorized",
            format!(
                "only paid (authorized, not yet captured) sessions can be re-authorized; this one is '{}'",
                session.text("status")
            ),
        ));
    }
    let now = Store::iso(store.now_us());
    for p in session_intents(store, &session) {
        if p.text("status") == "requires_capture" {
            let charge = format!("ch_sim_{}", store.token(20));
            let pi = store.require_mut(Kind::PaymentIntent, p.text("payment_intent_id"))?;
            pi["latest_charge"] = json!(charge);
            pi["authorized_at"] = json!(now);
        }
    }
    Ok(ok(Kind::CheckoutSession, rendered_session(store, &id)?))
}
