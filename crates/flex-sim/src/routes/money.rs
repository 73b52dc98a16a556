//! Balance transactions, payouts and disputes (§3.12–3.13, §9). Disputes are opened by the
//! `/__sim/disputes` hook, standing in for the card network.

use super::ledger::balance_tx;
use super::prelude::*;
use crate::query::parse_time;

pub(super) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/v1/balance_transactions", get(list_balance_transactions))
        .route(
            "/v1/balance_transactions/{id}",
            get_by_id(Kind::BalanceTransaction),
        )
        .route("/v1/payouts", get(list_payouts))
        .route("/v1/payouts/{id}", get_by_id(Kind::Payout))
        .route("/v1/disputes", get(list_disputes))
        .route(
            "/v1/disputes/{id}",
            get_by_id(Kind::Dispute).post(update_dispute),
        )
        .route("/v1/disputes/{id}/close", post(close_dispute))
}

async fn list_balance_transactions(call: Call) -> ApiResult<Response> {
    let id = call.query.get("balance_transaction_id").map(str::to_owned);
    let payout = call.query.get("payout_id").map(str::to_owned);
    let session = call.query.get("checkout_session_id").map(str::to_owned);
    list(&call, Kind::BalanceTransaction, |b| {
        id.as_deref()
            .is_none_or(|x| b.text("balance_transaction_id") == x)
            && payout.as_deref().is_none_or(|x| b.text("payout_id") == x)
            && session
                .as_deref()
                .is_none_or(|x| b.text("checkout_session_id") == x)
    })
}

async fn list_payouts(call: Call) -> ApiResult<Response> {
    let id = call.query.get("payout_id").map(str::to_owned);
    let start = call.query.time("start_date")?;
    let end = call.query.time("end_date")?;
    let status = call.query.get("status").map(str::to_owned);
    list(&call, Kind::Payout, |p| {
        let t = p.opt_text("created_at").and_then(parse_time).unwrap_or(0);
        id.as_deref().is_none_or(|x| p.text("payout_id") == x)
            && status.as_deref().is_none_or(|x| p.text("status") == x)
            && start.is_none_or(|s| t > s)
            && end.is_none_or(|e| t < e)
    })
}

async fn list_disputes(call: Call) -> ApiResult<Response> {
    let status = call.query.get("status").map(str::to_owned);
    let pi = call.query.get("payment_intent").map(str::to_owned);
    list(&call, Kind::Dispute, |d| {
        status.as_deref().is_none_or(|x| d.text("status") == x)
            && pi
                .as_deref()
                .is_none_or(|x| d.text("payment_intent_id") == x)
    })
}

/// The 27 evidence fields of §4.15.
pub(crate) const EVIDENCE_FIELDS: [&str; 27] = [
    "access_activity_log",
    "billing_address",
    "cancellation_policy",
    "cancellation_policy_disclosure",
    "cancellation_rebuttal",
    "customer_communication",
    "customer_email_address",
    "customer_name",
    "customer_purchase_ip",
    "customer_signature",
    "duplicate_charge_documentation",
    "duplicate_charge_explanation",
    "duplicate_charge_id",
    "product_description",
    "receipt",
    "refund_policy",
    "refund_policy_disclosure",
    "refund_refusal_explanation",
    "service_date",
    "service_documentation",
    "shipping_address",
    "shipping_carrier",
    "shipping_date",
    "shipping_documentation",
    "shipping_tracking_number",
    "uncategorized_file",
    "uncategorized_text",
];

pub(crate) const REASONS: [&str; 13] = [
    "bank_cannot_process",
    "credit_not_processed",
    "customer_initiated",
    "debit_not_authorized",
    "duplicate",
    "fraudulent",
    "general",
    "incorrect_account_details",
    "insufficient_funds",
    "product_not_received",
    "product_unacceptable",
    "subscription_canceled",
    "unrecognized",
];

/// Open a dispute on a paid intent (the hook, and the demo seed).
pub(crate) fn open_dispute(
    store: &mut Store,
    pi_id: &str,
    amount: Option<i64>,
    reason: &str,
) -> ApiResult<Value> {
    let Some(pi) = store.get(Kind::PaymentIntent, pi_id).cloned() else {
        return Err(ApiError::invalid(
            &["payment_intent_id"],
            "payment_intent_not_found",
            format!("No such payment intent: '{pi_id}'"),
        ));
    };
    let received = pi.int("amount_received");
    if received == 0 {
        return Err(ApiError::state(
            "payment_intent_not_captured",
            "only a captured (succeeded) payment can be disputed",
        ));
    }
    let amount = amount.unwrap_or(received);
    if amount > received {
        return Err(ApiError::invalid(
            &["amount"],
            "amount_too_large",
            format!("cannot dispute {amount}: the payment received {received}"),
        ));
    }
    let session = pi
        .opt_text("checkout_session")
        .and_then(|s| store.get(Kind::CheckoutSession, s))
        .cloned()
        .unwrap_or(Value::Null);
    let (id, now, mut m) = store.base(Kind::Dispute);
    let evidence: Map<String, Value> = EVIDENCE_FIELDS
        .iter()
        .map(|f| ((*f).to_owned(), Value::Null))
        .collect();
    let brand = store
        .get(Kind::PaymentMethod, pi.text("payment_method"))
        .map_or(json!("visa"), |p| p["card"]["brand"].clone());
    m.insert("payment_intent_id".into(), json!(pi_id));
    m.insert("amount".into(), json!(amount));
    m.insert("currency".into(), json!("usd"));
    m.insert("charge_id".into(), pi["latest_charge"].clone());
    m.insert("metadata".into(), json!({}));
    m.insert("status".into(), json!("needs_response"));
    m.insert("reason".into(), json!(reason));
    m.insert("is_charge_refundable".into(), json!(false));
    m.insert("evidence".into(), Value::Object(evidence));
    m.insert(
        "evidence_details".into(),
        json!({
            "due_by": Store::iso(now + 7 * 86_400_000_000),
            "has_evidence": false,
            "past_due": false,
            "submission_count": 0,
        }),
    );
    m.insert("balance_transactions".into(), json!([]));
    m.insert(
        "payment_method_details".into(),
        json!({ "type": "card", "card": { "brand": brand, "network_reason_code": "10.4" } }),
    );
    m.insert(
        "client_reference_id".into(),
        session
            .get("client_reference_id")
            .cloned()
            .unwrap_or(Value::Null),
    );
    m.insert(
        "stripe_dispute_id".into(),
        json!(format!("dp_sim_{}", store.token(16))),
    );
    m.insert(
        "checkout_session".into(),
        session
            .get("checkout_session_id")
            .cloned()
            .unwrap_or(Value::Null),
    );
    store.insert(Kind::Dispute, id.clone(), now, Value::Object(m));
    balance_tx(
        store,
        "dispute",
        -amount,
        1500,
        &id,
        pi_id,
        &session,
        "available",
    );
    if let Some((bt, row)) = store
        .rows(Kind::BalanceTransaction, |b| b.text("source_id") == id)
        .first()
        .map(|(k, r)| ((*k).to_owned(), r.obj.clone()))
        && let Some(d) = store.get_mut(Kind::Dispute, &id)
    {
        let _ = bt;
        d["balance_transactions"] = json!([row]);
    }
    if let Some(sid) = session.opt_text("checkout_session_id")
        && let Some(s) = store.get_mut(Kind::CheckoutSession, sid)
    {
        s["amount_disputed"] = json!(s.int("amount_disputed") + amount);
    }
    let dispute = store.require(Kind::Dispute, &id)?.clone();
    store.emit("charge.dispute.created", Kind::Dispute, &dispute);
    store.emit("charge.dispute.funds_withdrawn", Kind::Dispute, &dispute);
    Ok(dispute)
}

async fn update_dispute(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "dispute")?;
    let loc = Loc::root("dispute");
    let b = loc.on(&map);
    let submit = b.bool_opt("submit")?.unwrap_or(false);
    let metadata = b.metadata("metadata")?;
    let mut evidence = Map::new();
    if let Some(e) = b.obj_opt("evidence")? {
        let el = b.child_loc("evidence", None);
        let ev = el.on(e);
        for (k, _) in e {
            if !EVIDENCE_FIELDS.contains(&k.as_str()) {
                return Err(ev.fail(k, "extra_forbidden", format!("`{k}` is not an evidence field; see the 27 fields of the dispute evidence object")));
            }
            evidence.insert(k.clone(), opt_str(ev.str_opt(k)?));
        }
    }
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let d = store.require_mut(Kind::Dispute, &id)?;
    if !matches!(
        d.text("status"),
        "needs_response" | "warning_needs_response"
    ) {
        return Err(ApiError::state(
            "dispute_not_accepting_evidence",
            format!(
                "the dispute is '{}': evidence can only be changed while it needs a response",
                d.text("status")
            ),
        ));
    }
    let has_any = !evidence.is_empty();
    for (k, v) in evidence {
        d["evidence"][k.as_str()] = v;
    }
    if let Some(m) = metadata {
        d["metadata"] = m;
    }
    if has_any {
        d["evidence_details"]["has_evidence"] = json!(true);
    }
    if submit {
        d["status"] = json!(if d.text("status") == "warning_needs_response" {
            "warning_under_review"
        } else {
            "under_review"
        });
        let count = d["evidence_details"].int("submission_count") + 1;
        d["evidence_details"]["submission_count"] = json!(count);
    }
    let obj = d.clone();
    store.emit("charge.dispute.updated", Kind::Dispute, &obj);
    Ok(ok(Kind::Dispute, obj))
}

fn opt_str(v: Option<String>) -> Value {
    v.map_or(Value::Null, Value::String)
}

async fn close_dispute(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let d = store.require_mut(Kind::Dispute, &id)?;
    if matches!(d.text("status"), "lost" | "won" | "warning_closed") {
        return Err(ApiError::state(
            "dispute_already_closed",
            format!("the dispute is already closed ('{}')", d.text("status")),
        ));
    }
    // Closing accepts the dispute: the merchant forfeits the funds.
    d["status"] = json!("lost");
    let obj = d.clone();
    store.emit("charge.dispute.closed", Kind::Dispute, &obj);
    Ok(ok(Kind::Dispute, obj))
}
