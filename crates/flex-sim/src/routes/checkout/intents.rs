//! Payment intents and captures: listing, cancelling, updating (§3.7).

use super::capture::session_intents;
use super::sessions::created_iso_us;
use crate::routes::prelude::*;

pub(super) async fn list_payment_intents(call: Call) -> ApiResult<Response> {
    let customer = call.query.get("customer").map(str::to_owned);
    let cs = call.query.get("checkout_session").map(str::to_owned);
    let status = call.query.get("status").map(str::to_owned);
    let interval = call.query.uint("interval")?;
    let now = call.sim.stores.read().of(call.ctx.test).now_us();
    let since = interval.map(|d| {
        now - i64::try_from(d)
            .unwrap_or(1_000_000)
            .saturating_mul(86_400_000_000)
    });
    list(&call, Kind::PaymentIntent, |p| {
        customer.as_deref().is_none_or(|c| p.text("customer") == c)
            && cs
                .as_deref()
                .is_none_or(|c| p.text("checkout_session") == c)
            && status.as_deref().is_none_or(|s| p.text("status") == s)
            && since.is_none_or(|s| created_iso_us(p) >= s)
    })
}

pub(super) async fn cancel_payment_intent(
    Path(id): Path<String>,
    call: Call,
) -> ApiResult<Response> {
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let now = Store::iso(store.now_us());
    let pi = store.require_mut(Kind::PaymentIntent, &id)?;
    match pi.text("status") {
        "succeeded" => {
            return Err(ApiError::state(
                "payment_intent_unexpected_state",
                "a succeeded payment intent cannot be canceled; refund it instead",
            ));
        }
        "canceled" => {
            return Err(ApiError::state(
                "payment_intent_unexpected_state",
                "the payment intent is already canceled",
            ));
        }
        _ => {}
    }
    pi["status"] = json!("canceled");
    pi["amount_capturable"] = json!(0);
    pi["canceled_at"] = json!(now);
    let pi = pi.clone();
    store.emit("payment_intent.canceled", Kind::PaymentIntent, &pi);
    // A session whose every intent is canceled is canceled too.
    if let Some(sid) = pi.opt_text("checkout_session") {
        let session = store
            .get(Kind::CheckoutSession, sid)
            .cloned()
            .unwrap_or(Value::Null);
        let all = session_intents(store, &session);
        if !all.is_empty()
            && all.iter().all(|p| p.text("status") == "canceled")
            && let Some(s) = store.get_mut(Kind::CheckoutSession, sid)
            && matches!(s.text("status"), "open" | "paid")
        {
            s["status"] = json!("canceled");
        }
    }
    let expand = call.query.expansions()?;
    Ok(ok(
        Kind::PaymentIntent,
        render(store, Kind::PaymentIntent, &pi, &expand),
    ))
}

pub(super) async fn list_captures(call: Call) -> ApiResult<Response> {
    let cs = call.query.get("checkout_session").map(str::to_owned);
    let pi = call.query.get("payment_intent").map(str::to_owned);
    list(&call, Kind::Capture, |c| {
        cs.as_deref()
            .is_none_or(|s| c.text("checkout_session") == s)
            && pi.as_deref().is_none_or(|p| {
                c["items"]
                    .as_array()
                    .is_some_and(|i| i.iter().any(|x| x.text("payment_intent") == p))
            })
    })
}

pub(super) async fn update_capture(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "capture")?;
    let loc = Loc::root("capture");
    let b = loc.on(&map);
    let metadata = b.metadata("metadata")?.ok_or_else(|| {
        b.fail(
            "metadata",
            "missing",
            "`metadata` is the only field a capture update takes",
        )
    })?;
    let mut stores = call.sim.stores.write();
    let c = stores
        .of_mut(call.ctx.test)
        .require_mut(Kind::Capture, &id)?;
    c["metadata"] = metadata;
    Ok(ok(Kind::Capture, c.clone()))
}
