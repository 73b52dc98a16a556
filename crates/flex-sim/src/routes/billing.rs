//! Subscriptions and invoices (§3.8–3.9, §9): created through checkout in subscription mode (or
//! `POST /v1/subscriptions`), cancelled immediately or at period end with an optional refund, and a
//! side-effect-free refund preview.

use chrono::{DateTime, Months, TimeDelta, Utc};

use super::ledger::{balance_tx, fee, new_payment_intent, record_refund, refundable};
use super::prelude::*;
use crate::query::parse_time;

pub(super) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route(
            "/v1/subscriptions",
            get(list_subscriptions).post(create_subscription),
        )
        .route(
            "/v1/subscriptions/{id}",
            get_by_id(Kind::Subscription)
                .patch(update_subscription)
                .delete(cancel_subscription),
        )
        .route("/v1/subscriptions/{id}/refund_preview", get(refund_preview))
        .route("/v1/invoices", get(list_invoices))
        .route("/v1/invoices/{id}", get_by_id(Kind::Invoice))
}

/// Longest trial the simulator grants (two years).
pub(crate) const MAX_TRIAL_DAYS: i64 = 730;

/// End of a billing period that starts at `start_us`.
pub(crate) fn period_end(start_us: i64, recurring: &Value) -> i64 {
    let count = u32::try_from(recurring.int("interval_count").clamp(1, 1000)).unwrap_or(1);
    let start = DateTime::<Utc>::from_timestamp_micros(start_us).unwrap_or_default();
    let days = |n: u32| TimeDelta::try_days(i64::from(n)).and_then(|d| start.checked_add_signed(d));
    let end = match recurring.text("interval") {
        "daily" | "day" => days(count),
        "weekly" | "week" => days(count.saturating_mul(7)),
        "yearly" | "year" => start.checked_add_months(Months::new(count.saturating_mul(12))),
        _ => start.checked_add_months(Months::new(count)),
    };
    end.unwrap_or(start).timestamp_micros()
}

/// A subscription item with its price expanded (as in the old docs).
fn sub_item(store: &mut Store, price_id: &str, quantity: i64) -> Value {
    let price = store
        .get(Kind::Price, price_id)
        .cloned()
        .unwrap_or(Value::Null);
    let now = Store::iso(store.now_us());
    json!({
        "subscription_item_id": store.mint_id(Kind::SubscriptionItem),
        "price": price,
        "quantity": quantity,
        "created_at": now,
        "updated_at": now,
        "test_mode": store.test_mode,
    })
}

/// A paid (or open) invoice for one period.
fn new_invoice(
    store: &mut Store,
    sub: &str,
    customer: &str,
    amount: i64,
    pi: Option<&str>,
    period: (i64, i64),
) -> String {
    let (id, now, mut m) = store.base(Kind::Invoice);
    let charge = pi
        .and_then(|p| store.get(Kind::PaymentIntent, p))
        .map_or(Value::Null, |p| p["latest_charge"].clone());
    m.insert("total".into(), json!(amount));
    m.insert("amount_due".into(), json!(amount));
    m.insert(
        "amount_paid".into(),
        json!(if pi.is_some() { amount } else { 0 }),
    );
    m.insert("payment_intent".into(), json!(pi));
    m.insert("charge".into(), charge);
    m.insert("customer".into(), json!(customer));
    m.insert("period_start".into(), json!(Store::iso(period.0)));
    m.insert("period_end".into(), json!(Store::iso(period.1)));
    m.insert("subscription".into(), json!(sub));
    m.insert(
        "status".into(),
        json!(if pi.is_some() { "paid" } else { "open" }),
    );
    m.insert("collection_method".into(), json!("charge_automatically"));
    m.insert("metadata".into(), json!({}));
    let obj = Value::Object(m);
    store.insert(Kind::Invoice, id.clone(), now, obj.clone());
    store.emit("invoice.created", Kind::Invoice, &obj);
    if pi.is_some() {
        store.emit("invoice.paid", Kind::Invoice, &obj);
        store.emit("invoice.payment_succeeded", Kind::Invoice, &obj);
    }
    if let Some(p) = pi.and_then(|p| store.get_mut(Kind::PaymentIntent, p)) {
        p["invoice"] = json!(id);
    }
    id
}

struct NewSub<'a> {
    customer: &'a str,
    items: Vec<(String, i64)>,
    pm: Option<String>,
    trial_days: i64,
    metadata: Value,
    coupon: Option<String>,
    session: Option<&'a str>,
    proration_behavior: String,
}

/// Write a subscription; `paid_by` = the intent of its first payment (None → incomplete).
fn write_subscription(
    store: &mut Store,
    new: NewSub<'_>,
    paid_by: Option<&str>,
    amount: i64,
) -> String {
    let (id, now, mut m) = store.base(Kind::Subscription);
    let recurring = new
        .items
        .iter()
        .find_map(|(p, _)| {
            store
                .get(Kind::Price, p)
                .and_then(|p| p.get("recurring"))
                .filter(|r| !r.is_null())
                .cloned()
        })
        .unwrap_or_else(|| json!({"interval": "monthly", "interval_count": 1}));
    let items: Vec<Value> = new
        .items
        .iter()
        .map(|(p, q)| sub_item(store, p, *q))
        .collect();
    let trial_end = (new.trial_days > 0).then(|| now + new.trial_days * 86_400_000_000);
    let end = trial_end.unwrap_or_else(|| period_end(now, &recurring));
    let status = match (paid_by, trial_end) {
        (None, _) => "incomplete",
        (Some(_), Some(_)) => "trialing",
        (Some(_), None) => "active",
    };
    let invoice = new_invoice(store, &id, new.customer, amount, paid_by, (now, end));
    m.insert("items".into(), Value::Array(items));
    m.insert("latest_invoice".into(), json!(invoice));
    m.insert("customer".into(), json!(new.customer));
    m.insert("status".into(), json!(status));
    m.insert("cancel_at_period_end".into(), json!(false));
    m.insert("current_period_start".into(), json!(Store::iso(now)));
    m.insert("current_period_end".into(), json!(Store::iso(end)));
    m.insert("metadata".into(), new.metadata);
    m.insert("client_secret".into(), Value::Null);
    m.insert("proration_behavior".into(), json!(new.proration_behavior));
    m.insert(
        "trial_start".into(),
        json!(trial_end.map(|_| Store::iso(now))),
    );
    m.insert("trial_end".into(), json!(trial_end.map(Store::iso)));
    m.insert("cancel_at".into(), Value::Null);
    m.insert("canceled_at".into(), Value::Null);
    m.insert("ended_at".into(), Value::Null);
    m.insert("default_payment_method".into(), json!(new.pm));
    m.insert("coupon".into(), json!(new.coupon));
    m.insert("checkout_session".into(), json!(new.session));
    let obj = Value::Object(m);
    store.insert(Kind::Subscription, id.clone(), now, obj.clone());
    store.emit("customer.subscription.created", Kind::Subscription, &obj);
    id
}

/// Called by checkout completion in subscription mode.
pub(crate) fn start_subscription_from_checkout(
    store: &mut Store,
    session_id: &str,
    customer: &str,
    pm: &str,
    pi: &str,
) -> ApiResult<()> {
    let session = store.require(Kind::CheckoutSession, session_id)?.clone();
    let lines = store
        .line_items
        .get(session_id)
        .cloned()
        .unwrap_or_default();
    let items: Vec<(String, i64)> = lines
        .iter()
        .filter(|l| !l["price"]["recurring"].is_null())
        .map(|l| {
            (
                l["price"].text("price_id").to_owned(),
                l.int("quantity").max(1),
            )
        })
        .collect();
    let trial_days = lines
        .iter()
        .filter_map(|l| {
            l["price"]
                .get("trial_period_days")
                .and_then(Value::as_i64)
                .or_else(|| {
                    l["price"]["recurring"]
                        .get("trial_period_days")
                        .and_then(Value::as_i64)
                })
        })
        .max()
        .unwrap_or(0)
        .max(
            session["subscription_data"]
                .get("trial_period_days")
                .and_then(Value::as_i64)
                .unwrap_or(0),
        )
        .clamp(0, MAX_TRIAL_DAYS);
    let new = NewSub {
        customer,
        items,
        pm: Some(pm.to_owned()),
        trial_days,
        metadata: session["metadata"].clone(),
        coupon: None,
        session: Some(session_id),
        proration_behavior: "create_prorations".into(),
    };
    let sub = write_subscription(store, new, Some(pi), session.int("amount_total"));
    let invoice = store
        .get(Kind::Subscription, &sub)
        .map_or(Value::Null, |s| s["latest_invoice"].clone());
    let s = store.require_mut(Kind::CheckoutSession, session_id)?;
    s["subscription"] = json!(sub);
    s["invoice"] = invoice;
    Ok(())
}

const STATUSES: [&str; 8] = [
    "incomplete",
    "incomplete_expired",
    "trialing",
    "active",
    "past_due",
    "canceled",
    "unpaid",
    "paused",
];
const PRORATION: [&str; 3] = ["always_invoice", "create_prorations", "none"];

/// 422 `coupon_not_found` unless the named coupon exists. Creating and updating a subscription
/// both accept `coupon`, and must reject an unknown one alike.
fn check_coupon(store: &Store, b: &Obj<'_>, coupon: Option<&str>) -> ApiResult<()> {
    if let Some(c) = coupon
        && store.get(Kind::Coupon, c).is_none()
    {
        return Err(b.fail(
            "coupon",
            "coupon_not_found",
            format!("No such coupon: '{c}'"),
        ));
    }
    Ok(())
}

fn parse_items(store: &Store, b: &Obj<'_>) -> ApiResult<Option<Vec<(String, i64)>>> {
    let Some(list) = b.objects_opt("items")? else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for (i, item) in list.into_iter().enumerate() {
        let loc = b.child_loc("items", Some(i));
        let it = loc.on(item);
        let price = it.str_req("price")?;
        let quantity = it.int_opt("quantity", 1)?.unwrap_or(1);
        match store.get(Kind::Price, &price) {
            None => {
                return Err(it.fail(
                    "price",
                    "price_not_found",
                    format!("No such price: '{price}'"),
                ));
            }
            Some(p) if p["recurring"].is_null() => {
                return Err(it.fail(
                    "price",
                    "price_not_recurring",
                    format!("price '{price}' is one-time; subscriptions need a recurring price"),
                ));
            }
            Some(_) => out.push((price, quantity)),
        }
    }
    if out.is_empty() {
        return Err(b.fail(
            "items",
            "missing",
            "`items` needs at least one {price, quantity}",
        ));
    }
    Ok(Some(out))
}

fn time_field(b: &Obj<'_>, field: &str) -> ApiResult<Option<i64>> {
    match b.str_opt(field)? {
        None => match b.int_opt(field, 0)? {
            None => Ok(None),
            Some(secs) => Ok(Some(secs * 1_000_000)),
        },
        Some(s) => parse_time(&s).map(Some).ok_or_else(|| {
            b.fail(
                field,
                "datetime_parsing",
                format!("`{field}` must be an ISO-8601 date-time such as 2024-01-01T00:00:00Z"),
            )
        }),
    }
}

async fn create_subscription(call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "subscription")?;
    let loc = Loc::root("subscription");
    let b = loc.on(&map);
    let customer = b.str_req("customer")?;
    let metadata = b.metadata("metadata")?.unwrap_or_else(|| json!({}));
    let proration = b
        .enum_opt("proration_behavior", &PRORATION)?
        .unwrap_or_else(|| "create_prorations".into());
    let trial_end = time_field(&b, "trial_end")?;
    let pm = b.str_opt("default_payment_method")?;
    let coupon = b.str_opt("coupon")?;
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    if store.get(Kind::Customer, &customer).is_none() {
        return Err(b.fail(
            "customer",
            "customer_not_found",
            format!("No such customer: '{customer}'"),
        ));
    }
    let items = parse_items(store, &b)?.ok_or_else(|| {
        b.fail(
            "items",
            "missing",
            "`items` ([{price, quantity}]) is required",
        )
    })?;
    check_coupon(store, &b, coupon.as_deref())?;
    let live = store
        .rows(Kind::Subscription, |s| {
            s.text("customer") == customer
                && !matches!(s.text("status"), "canceled" | "incomplete_expired")
        })
        .len();
    if live >= 500 {
        return Err(b.fail(
            "customer",
            "subscription_limit",
            "a customer may have at most 500 active or scheduled subscriptions",
        ));
    }
    let pm = match pm {
        Some(p) => match store.get(Kind::PaymentMethod, &p) {
            Some(x) if x.text("customer") == customer => Some(p),
            Some(_) => {
                return Err(b.fail(
                    "default_payment_method",
                    "value_error",
                    "the payment method belongs to another customer",
                ));
            }
            None => {
                return Err(b.fail(
                    "default_payment_method",
                    "payment_method_not_found",
                    format!("No such payment method: '{p}'"),
                ));
            }
        },
        None => store
            .rows(Kind::PaymentMethod, |p| p.text("customer") == customer)
            .first()
            .map(|(id, _)| (*id).to_owned()),
    };
    let now = store.now_us();
    let trial_days = trial_end.map_or(0, |t| ((t - now) / 86_400_000_000).clamp(0, MAX_TRIAL_DAYS));
    let amount = items
        .iter()
        .map(|(p, q)| {
            store
                .get(Kind::Price, p)
                .map_or(0, |p| p.int("unit_amount"))
                .saturating_mul(*q)
        })
        .fold(0i64, i64::saturating_add);
    if amount > crate::body::MAX_INT {
        return Err(b.fail(
            "items",
            "amount_too_large",
            format!(
                "the subscription total must be at most {} cents",
                crate::body::MAX_INT
            ),
        ));
    }
    let paid_by = match &pm {
        Some(pm) => {
            let pseudo = json!({ "capture_method": "automatic", "metadata": {}, "checkout_session_id": null });
            let pi = new_payment_intent(
                store,
                &pseudo,
                &customer,
                pm,
                amount,
                "primary",
                "succeeded",
            );
            balance_tx(
                store,
                "charge",
                amount,
                fee(amount),
                &pi,
                &pi,
                &Value::Null,
                "pending",
            );
            store.emit_stored("payment_intent.succeeded", Kind::PaymentIntent, &pi);
            Some(pi)
        }
        None => None,
    };
    let new = NewSub {
        customer: &customer,
        items,
        pm,
        trial_days,
        metadata,
        coupon,
        session: None,
        proration_behavior: proration,
    };
    let id = write_subscription(store, new, paid_by.as_deref(), amount);
    let obj = store.require(Kind::Subscription, &id)?.clone();
    Ok(created(Kind::Subscription, obj))
}

async fn list_subscriptions(call: Call) -> ApiResult<Response> {
    let customer = call.query.get("customer").map(str::to_owned);
    let status = call.query.get("status").map(str::to_owned);
    if let Some(s) = &status
        && !STATUSES.contains(&s.as_str())
        && s != "all"
    {
        return Err(ApiError::invalid(
            &["query", "status"],
            "enum",
            format!("`status` must be one of {}; got '{s}'", STATUSES.join(", ")),
        ));
    }
    list(&call, Kind::Subscription, |s| {
        customer.as_deref().is_none_or(|c| s.text("customer") == c)
            && status
                .as_deref()
                .is_none_or(|x| x == "all" || s.text("status") == x)
    })
}

async fn update_subscription(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "subscription")?;
    let loc = Loc::root("subscription");
    let b = loc.on(&map);
    let cape = b.bool_opt("cancel_at_period_end")?;
    let trial_end = time_field(&b, "trial_end")?;
    let cancel_at = time_field(&b, "cancel_at")?;
    let proration = b.enum_opt("proration_behavior", &PRORATION)?;
    let metadata = b.metadata("metadata")?;
    let coupon = b.str_opt("coupon")?;
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let items = parse_items(store, &b)?;
    check_coupon(store, &b, coupon.as_deref())?;
    let now = store.now_us();
    let current = store.require(Kind::Subscription, &id)?.clone();
    if current.text("status") == "canceled" {
        return Err(ApiError::state(
            "subscription_canceled",
            "a canceled subscription cannot be updated",
        ));
    }
    if let Some(t) = cancel_at
        && t <= now
    {
        return Err(b.fail(
            "cancel_at",
            "value_error",
            "`cancel_at` must be in the future",
        ));
    }
    let new_items = items.map(|list| {
        list.iter()
            .map(|(p, q)| sub_item(store, p, *q))
            .collect::<Vec<_>>()
    });
    let s = store.require_mut(Kind::Subscription, &id)?;
    if let Some(c) = cape {
        s["cancel_at_period_end"] = json!(c);
        s["cancel_at"] = if c {
            s["current_period_end"].clone()
        } else {
            Value::Null
        };
    }
    if let Some(t) = cancel_at {
        s["cancel_at"] = json!(Store::iso(t));
    }
    if let Some(t) = trial_end {
        s["trial_end"] = json!(Store::iso(t));
        if t > now && s.text("status") == "active" {
            s["status"] = json!("trialing");
        }
    }
    if let Some(items) = new_items {
        s["items"] = Value::Array(items);
    }
    if let Some(p) = proration {
        s["proration_behavior"] = json!(p);
    }
    if let Some(m) = metadata {
        s["metadata"] = m;
    }
    if let Some(c) = coupon {
        s["coupon"] = json!(c);
    }
    let obj = s.clone();
    store.emit("customer.subscription.updated", Kind::Subscription, &obj);
    Ok(ok(Kind::Subscription, obj))
}

/// What a cancellation could refund: (latest invoice, its intent, paid, prorated remainder).
fn refund_basis(store: &Store, sub: &Value) -> ApiResult<(Value, Value, i64, i64)> {
    let invoice = sub
        .opt_text("latest_invoice")
        .and_then(|i| store.get(Kind::Invoice, i))
        .cloned()
        .ok_or_else(|| {
            ApiError::state(
                "no_paid_invoice",
                "the subscription has no invoice to refund",
            )
        })?;
    let pi = invoice
        .opt_text("payment_intent")
        .and_then(|p| store.get(Kind::PaymentIntent, p))
        .filter(|_| invoice.text("status") == "paid")
        .cloned()
        .ok_or_else(|| {
            ApiError::state(
                "no_paid_invoice",
                "the subscription's latest invoice is not paid",
            )
        })?;
    let paid = invoice.int("amount_paid");
    let start = parse_time(sub.text("current_period_start")).unwrap_or(0);
    let end = parse_time(sub.text("current_period_end")).unwrap_or(0);
    let now = store.now_us().clamp(start, end.max(start));
    let length = (end - start).max(1);
    // i128 keeps paid × remaining from overflowing on long periods.
    let prorated =
        i64::try_from(i128::from(paid) * i128::from(end - now) / i128::from(length)).unwrap_or(0);
    Ok((
        invoice,
        pi.clone(),
        paid,
        prorated.min(refundable(&pi)).max(0),
    ))
}

async fn refund_preview(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let stores = call.sim.stores.read();
    let store = stores.of(call.ctx.test);
    let sub = store.require(Kind::Subscription, &id)?;
    if sub.text("status") == "canceled" {
        return Err(ApiError::state(
            "subscription_canceled",
            "the subscription is already canceled; nothing to preview",
        ));
    }
    let (_, pi, paid, prorated) = refund_basis(store, sub)?;
    let pm = pi.text("payment_method").to_owned();
    let last4 = store
        .get(Kind::PaymentMethod, &pm)
        .map(|m| m["card"].text("last4").to_owned());
    Ok(axum::Json(json!({
        "prorated_amount_available_to_refund": prorated,
        "invoice_amount_paid": paid,
        "current_period_start": sub["current_period_start"],
        "current_period_end": sub["current_period_end"],
        "payment_method_id": pm,
        "last4": last4,
    }))
    .into_response())
}

use axum::response::IntoResponse;

async fn cancel_subscription(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    // The documented body is unwrapped; the wrapped form is accepted too.
    let map = if call.body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match crate::body::parse_json(&call.body)? {
            Value::Object(mut m) => match m.remove("subscription") {
                Some(Value::Object(inner)) => inner,
                Some(other) => {
                    m.insert("subscription".into(), other);
                    m
                }
                None => m,
            },
            Value::Null => Map::new(),
            _ => {
                return Err(ApiError::invalid(
                    &["body"],
                    "dict_type",
                    "body must be a JSON object: {cancel_at_period_end, refund, refund_amount}",
                ));
            }
        }
    };
    let loc = Loc(Vec::new());
    let b = loc.on(&map);
    let at_period_end = b.bool_opt("cancel_at_period_end")?.unwrap_or(false);
    let refund_amount = b.int_opt("refund_amount", 1)?;
    let refund = b
        .enum_opt("refund", &["none", "prorated", "full", "custom"])?
        .unwrap_or_else(|| {
            if refund_amount.is_some() {
                "custom".into()
            } else {
                "none".into()
            }
        });
    if refund == "custom" && refund_amount.is_none() {
        return Err(b.fail(
            "refund_amount",
            "missing",
            "`refund_amount` (cents) is required when refund is custom",
        ));
    }
    if refund != "custom" && refund_amount.is_some() {
        return Err(b.fail(
            "refund_amount",
            "value_error",
            "`refund_amount` is only used with refund: custom",
        ));
    }
    if at_period_end && refund != "none" {
        return Err(b.fail(
            "refund",
            "value_error",
            "a cancellation at period end refunds nothing; use refund: none",
        ));
    }
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let sub = store.require(Kind::Subscription, &id)?.clone();
    if sub.text("status") == "canceled" {
        return Err(ApiError::state(
            "subscription_canceled",
            "the subscription is already canceled",
        ));
    }
    if at_period_end {
        let s = store.require_mut(Kind::Subscription, &id)?;
        s["cancel_at_period_end"] = json!(true);
        s["cancel_at"] = s["current_period_end"].clone();
        let obj = s.clone();
        store.emit("customer.subscription.updated", Kind::Subscription, &obj);
        return Ok(ok(Kind::Subscription, obj));
    }
    if refund != "none" {
        let (invoice, pi, _paid, prorated) = refund_basis(store, &sub)?;
        let left = refundable(&pi);
        let amount = match refund.as_str() {
            "prorated" => prorated,
            "full" => left,
            _ => refund_amount.unwrap_or(0),
        };
        if amount > left {
            return Err(b.fail(
                "refund_amount",
                "amount_exceeds_refundable",
                format!(
                    "cannot refund {amount}: only {left} remains refundable on the latest invoice"
                ),
            ));
        }
        if amount > 0 {
            let extra = [
                ("subscription_id", json!(id)),
                ("invoice_id", invoice["invoice_id"].clone()),
            ];
            record_refund(
                store,
                &[(pi.text("payment_intent_id").to_owned(), amount)],
                Some("requested_by_customer".into()),
                json!({}),
                &extra,
            )?;
        }
    }
    let now = Store::iso(store.now_us());
    let s = store.require_mut(Kind::Subscription, &id)?;
    s["status"] = json!("canceled");
    s["canceled_at"] = json!(now);
    s["ended_at"] = json!(now);
    s["cancel_at_period_end"] = json!(false);
    let obj = s.clone();
    store.emit("customer.subscription.deleted", Kind::Subscription, &obj);
    Ok(ok(Kind::Subscription, obj))
}

async fn list_invoices(call: Call) -> ApiResult<Response> {
    let customer = call.query.get("customer").map(str::to_owned);
    let sub = call.query.get("subscription").map(str::to_owned);
    let status = call.query.get("status").map(str::to_owned);
    list(&call, Kind::Invoice, |i| {
        customer.as_deref().is_none_or(|c| i.text("customer") == c)
            && sub.as_deref().is_none_or(|s| i.text("subscription") == s)
            && status.as_deref().is_none_or(|s| i.text("status") == s)
    })
}
