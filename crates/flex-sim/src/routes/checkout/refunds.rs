//! Refunds of sessions, allocations and payment intents (§3.6).

use axum::response::IntoResponse;

use super::capture::{allocate, allocations_body, extras, line_item_amount, session_intents};
use super::sessions::rendered_session;
use crate::routes::ledger::{record_refund, refundable};
use crate::routes::prelude::*;

const REASONS: [&str; 4] = [
    "duplicate",
    "fraudulent",
    "requested_by_customer",
    "expired_uncaptured_charge",
];

/// Validated session refund: allocations over the session's intents.
fn plan_session_refund(store: &Store, id: &str, b: &Obj<'_>) -> ApiResult<Vec<(String, i64)>> {
    let session = store.require(Kind::CheckoutSession, id)?;
    if session.text("status") != "complete" {
        return Err(ApiError::state(
            "checkout_session_not_complete",
            format!(
                "Checkout Session Not Complete: only complete sessions can be refunded (this one is '{}')",
                session.text("status")
            ),
        ));
    }
    let ex = extras(b)?;
    let pools: Vec<(String, i64)> = session_intents(store, session)
        .iter()
        .map(|p| (p.text("payment_intent_id").to_owned(), refundable(p)))
        .collect();
    let remaining: i64 = pools.iter().map(|(_, a)| a).sum();
    let (amount, field) = match line_item_amount(store, id, b, "amount_to_refund")? {
        Some(items) => (items + ex.shipping + ex.tax - ex.discount, "line_items"),
        None => match b.int_opt("amount", 1)? {
            Some(a) => (a, "amount"),
            None if ex.shipping + ex.tax > 0 => {
                (ex.shipping + ex.tax - ex.discount, "amount_shipping")
            }
            None => (remaining, "amount"),
        },
    };
    if remaining <= 0 {
        return Err(ApiError::state(
            "charge_already_refunded",
            "this checkout session has nothing left to refund",
        ));
    }
    if amount <= 0 {
        return Err(b.fail(
            field,
            "value_error",
            "the refund amount must be at least 1 cent",
        ));
    }
    if amount > remaining {
        return Err(b.fail(
            field,
            "amount_exceeds_refundable",
            format!("cannot refund {amount}: only {remaining} remains refundable on this session"),
        ));
    }
    Ok(allocate(&pools, amount))
}

pub(super) async fn refund_session(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let map = wrapped_or_empty(&call.body, "checkout_session")?;
    let loc = Loc::root("checkout_session");
    let b = loc.on(&map);
    let metadata = b.metadata("refund_metadata")?.unwrap_or_else(|| json!({}));
    let reason = b.enum_opt("reason", &REASONS)?;
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let alloc = plan_session_refund(store, &id, &b)?;
    record_refund(store, &alloc, reason, metadata, &[])?;
    Ok(ok(Kind::CheckoutSession, rendered_session(store, &id)?))
}

pub(super) async fn refund_allocation(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let map = wrapped_or_empty(&call.body, "checkout_session")?;
    let loc = Loc::root("checkout_session");
    let b = loc.on(&map);
    let stores = call.sim.stores.read();
    let store = stores.of(call.ctx.test);
    let alloc = plan_session_refund(store, &id, &b)?;
    let Some(explicit) = b.objects_opt("payment_methods")? else {
        return Ok(axum::Json(allocations_body(store, &alloc)).into_response());
    };
    // Explicit split: each payment method must belong to the session and stay within its remainder.
    let session = store.require(Kind::CheckoutSession, &id)?;
    let intents = session_intents(store, session);
    let wanted: i64 = alloc.iter().map(|(_, a)| a).sum();
    let mut chosen = Vec::new();
    for (i, pm) in explicit.into_iter().enumerate() {
        let l = b.child_loc("payment_methods", Some(i));
        let p = l.on(pm);
        let pm_id = p.str_req("payment_method_id")?;
        let amount = p.int_req("amount", 1)?;
        let Some(pi) = intents.iter().find(|x| x.text("payment_method") == pm_id) else {
            return Err(p.fail(
                "payment_method_id",
                "payment_method_not_found",
                format!("'{pm_id}' did not pay for this session"),
            ));
        };
        if amount > refundable(pi) {
            return Err(p.fail(
                "amount",
                "amount_exceeds_refundable",
                format!("only {} remains refundable on {pm_id}", refundable(pi)),
            ));
        }
        chosen.push((pi.text("payment_intent_id").to_owned(), amount));
    }
    let sum: i64 = chosen.iter().map(|(_, a)| a).sum();
    if sum != wanted {
        return Err(b.fail(
            "payment_methods",
            "value_error",
            format!("the payment method amounts add up to {sum}, but the refund is {wanted}"),
        ));
    }
    Ok(axum::Json(allocations_body(store, &chosen)).into_response())
}

pub(super) async fn create_refund(call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "refund")?;
    let loc = Loc::root("refund");
    let b = loc.on(&map);
    let pi_id = b
        .str_opt("payment_intent_id")?
        .or(b.str_opt("payment_intent")?)
        .ok_or_else(|| {
            b.fail(
                "payment_intent_id",
                "missing",
                "`payment_intent_id` (fpi_…) is required",
            )
        })?;
    let amount = b.int_opt("amount", 1)?;
    let reason = b.enum_opt("reason", &REASONS)?;
    let metadata = b.metadata("metadata")?.unwrap_or_else(|| json!({}));
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let Some(pi) = store.get(Kind::PaymentIntent, &pi_id) else {
        return Err(b.fail(
            "payment_intent_id",
            "payment_intent_not_found",
            format!("No such payment intent: '{pi_id}'"),
        ));
    };
    if pi.int("amount_received") == 0 {
        return Err(ApiError::state(
            "payment_intent_not_captured",
            format!(
                "payment intent '{pi_id}' has no captured funds (status '{}'); cancel it instead",
                pi.text("status")
            ),
        ));
    }
    let remaining = refundable(pi);
    if remaining <= 0 {
        return Err(ApiError::state(
            "charge_already_refunded",
            format!("payment intent '{pi_id}' is already fully refunded"),
        ));
    }
    let amount = amount.unwrap_or(remaining);
    if amount > remaining {
        return Err(b.fail(
            "amount",
            "amount_exceeds_refundable",
            format!("cannot refund {amount}: only {remaining} remains refundable on {pi_id}"),
        ));
    }
    let refund = record_refund(store, &[(pi_id, amount)], reason, metadata, &[])?;
    Ok(created(Kind::Refund, refund))
}

pub(super) async fn list_refunds(call: Call) -> ApiResult<Response> {
    let status = call.query.get("status").map(str::to_owned);
    let pi = call.query.get("payment_intent").map(str::to_owned);
    let cs = call.query.get("checkout_session").map(str::to_owned);
    list(&call, Kind::Refund, |r| {
        status.as_deref().is_none_or(|s| r.text("status") == s)
            && cs
                .as_deref()
                .is_none_or(|s| r.text("checkout_session") == s)
            && pi.as_deref().is_none_or(|p| {
                r.text("payment_intent_id") == p
                    || r["items"]
                        .as_array()
                        .is_some_and(|i| i.iter().any(|x| x.text("payment_intent") == p))
            })
    })
}

pub(super) async fn update_refund(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "refund")?;
    let loc = Loc::root("refund");
    let b = loc.on(&map);
    let reason = b.enum_opt("reason", &REASONS)?;
    let metadata = b.metadata("metadata")?;
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let r = store.require_mut(Kind::Refund, &id)?;
    if let Some(reason) = reason {
        r["reason"] = json!(reason);
    }
    if let Some(m) = metadata {
        r["metadata"] = m;
    }
    let r = r.clone();
    store.emit("refund.updated", Kind::Refund, &r);
    Ok(ok(Kind::Refund, r))
}
