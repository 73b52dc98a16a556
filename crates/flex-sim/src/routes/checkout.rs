//! Checkout sessions and the money that flows through them: payment intents, captures, refunds,
//! allocation previews, and the buyer-side completion hook (§3.4–3.7, §9).
//!
//! A session owns one payment intent, or two on a split cart (eligible items on the HSA/FSA card,
//! the rest on a regular card). Money moves only through the state machines here, so the remaining
//! amounts checked by refunds and captures are always consistent.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;

use super::catalog::opt;
use super::prelude::*;
use crate::query::parse_time;

pub(super) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route(
            "/v1/checkout/sessions",
            post(create_session).get(list_sessions),
        )
        .route(
            "/v1/checkout/sessions/{id}",
            get_by_id(Kind::CheckoutSession),
        )
        .route(
            "/v1/checkout/sessions/{id}/line_items",
            get(list_line_items),
        )
        .route("/v1/checkout/sessions/{id}/capture", post(capture_session))
        .route("/v1/checkout/sessions/{id}/cancel", post(cancel_session))
        .route("/v1/checkout/sessions/{id}/reauth", post(reauth_session))
        .route("/v1/checkout/sessions/{id}/refund", post(refund_session))
        .route(
            "/v1/checkout/sessions/{id}/capture_allocation",
            post(capture_allocation),
        )
        .route(
            "/v1/checkout/sessions/{id}/refund_allocation",
            post(refund_allocation),
        )
        .route("/v1/payment_intents", get(list_payment_intents))
        .route("/v1/payment_intents/{id}", get_by_id(Kind::PaymentIntent))
        .route(
            "/v1/payment_intents/{id}/cancel",
            post(cancel_payment_intent),
        )
        .route("/v1/captures", get(list_captures))
        .route(
            "/v1/captures/{id}",
            get_by_id(Kind::Capture).patch(update_capture),
        )
        .route("/v1/refunds", post(create_refund).get(list_refunds))
        .route(
            "/v1/refunds/{id}",
            get_by_id(Kind::Refund).patch(update_refund),
        )
}

// ---------------------------------------------------------------------------------------------
// Carts

/// One validated cart line, before anything is stored.
#[derive(Debug, Clone)]
pub(crate) struct CartLine {
    price: Option<String>,
    price_data: Option<PriceData>,
    product: String,
    unit_amount: i64,
    quantity: i64,
    eligibility: String,
    recurring: Option<Value>,
}

/// An inline `price_data`: product, description, recurring, metadata.
type PriceData = (String, Option<String>, Option<Value>, Value);

impl CartLine {
    fn total(&self) -> i64 {
        self.unit_amount.saturating_mul(self.quantity)
    }
    fn eligible(&self) -> bool {
        self.eligibility != "not_eligible"
    }
}

/// Validate `line_items` (checkout sessions and payment links share the shape, §4.6).
pub(crate) fn parse_cart(store: &Store, b: &Obj<'_>, field: &str) -> ApiResult<Vec<CartLine>> {
    let items = b.objects_opt(field)?.unwrap_or_default();
    let mut lines = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let loc = b.child_loc(field, Some(i));
        let it = loc.on(item);
        let quantity = it.int_opt("quantity", 1)?.unwrap_or(1);
        if let Some(price_id) = it.str_opt("price")? {
            let Some(price) = store.get(Kind::Price, &price_id) else {
                return Err(it.fail(
                    "price",
                    "price_not_found",
                    format!("price_not_found: One or more prices are not valid ('{price_id}')"),
                ));
            };
            if price["active"] == Value::Bool(false) {
                return Err(it.fail(
                    "price",
                    "price_inactive",
                    format!("price '{price_id}' is not active"),
                ));
            }
            let product = price.text("product").to_owned();
            let eligibility = store
                .get(Kind::Product, &product)
                .map_or("not_eligible", |p| p.text("hsa_fsa_eligibility"))
                .to_owned();
            lines.push(CartLine {
                price: Some(price_id),
                price_data: None,
                unit_amount: price.int("unit_amount"),
                recurring: price.get("recurring").filter(|r| !r.is_null()).cloned(),
                product,
                quantity,
                eligibility,
            });
        } else if let Some(pd) = it.obj_opt("price_data")? {
            let pl = it.child_loc("price_data", None);
            let p = pl.on(pd);
            let product = p.str_req("product")?;
            let Some(prod) = store.get(Kind::Product, &product) else {
                return Err(p.fail(
                    "product",
                    "product_not_found",
                    format!("No such product: '{product}'"),
                ));
            };
            let unit_amount = p.int_req("unit_amount", 1)?;
            let recurring = super::catalog::recurring(&p, "recurring")?;
            let description = p.str_opt("description")?;
            let metadata = p.metadata("metadata")?.unwrap_or_else(|| json!({}));
            lines.push(CartLine {
                price: None,
                price_data: Some((product.clone(), description, recurring.clone(), metadata)),
                eligibility: prod.text("hsa_fsa_eligibility").to_owned(),
                product,
                unit_amount,
                quantity,
                recurring,
            });
        } else if it.has("product") {
            return Err(it.fail("price", "missing", "a line item needs `price` (fprice_…) or `price_data` {product, unit_amount}; `product` alone has no amount"));
        } else {
            return Err(it.fail(
                "price",
                "missing",
                "a line item needs `price` (fprice_…) or `price_data` {product, unit_amount}",
            ));
        }
    }
    Ok(lines)
}

/// Store inline prices and turn the cart into output line items (`GET …/line_items` shape).
pub(crate) fn store_cart(store: &mut Store, lines: &mut [CartLine]) -> Vec<Value> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines.iter_mut() {
        if line.price.is_none()
            && let Some((product, description, recurring, metadata)) = line.price_data.clone()
        {
            let (id, _) = super::catalog::insert_price(
                store,
                super::catalog::NewPrice {
                    product,
                    description,
                    unit_amount: line.unit_amount,
                    trial_period_days: None,
                    recurring,
                    // Inline prices exist only for this cart, as in Stripe.
                    active: false,
                    metadata,
                    hsa_fsa_eligibility: Value::String(line.eligibility.clone()),
                },
            );
            line.price = Some(id);
        }
        let price_id = line.price.clone().unwrap_or_default();
        let price = store
            .get(Kind::Price, &price_id)
            .cloned()
            .unwrap_or(Value::Null);
        let description = price
            .opt_text("description")
            .map(str::to_owned)
            .or_else(|| {
                store
                    .get(Kind::Product, &line.product)
                    .map(|p| p.text("name").to_owned())
            });
        out.push(json!({
            "line_item_id": store.mint_id(Kind::LineItem),
            "amount_discount": 0,
            "amount_subtotal": line.total(),
            "amount_tax": 0,
            "amount_shipping": 0,
            "amount_total": line.total(),
            "amount_refunded": 0,
            "description": description,
            "price": price,
            "quantity": line.quantity,
            "eligibility": line.eligibility,
            "shipping_rate": null,
        }));
    }
    out
}

/// `shipping_options`: `{shipping_rate_id}` or `{shipping_rate_data{display_name, amount}}` (a list
/// is accepted; its first entry is used).
pub(crate) fn shipping_option(store: &Store, b: &Obj<'_>) -> ApiResult<Option<Value>> {
    let first = match b.map.get("shipping_options") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(a)) => a.first().cloned(),
        Some(v) => Some(v.clone()),
    };
    let Some(Value::Object(o)) = first else {
        return Err(b.fail("shipping_options", "dict_type", "`shipping_options` must be {shipping_rate_id} or {shipping_rate_data: {display_name, amount}}"));
    };
    let loc = b.child_loc("shipping_options", None);
    let s = loc.on(&o);
    if let Some(id) = s.str_opt("shipping_rate_id")? {
        let Some(rate) = store.get(Kind::ShippingRate, &id) else {
            return Err(s.fail(
                "shipping_rate_id",
                "shipping_rate_not_found",
                format!("No such shipping rate: '{id}'"),
            ));
        };
        return Ok(Some(
            json!({ "shipping_rate_id": id, "shipping_amount": rate.int("amount"), "display_name": rate["display_name"] }),
        ));
    }
    if let Some(d) = s.obj_opt("shipping_rate_data")? {
        let dl = s.child_loc("shipping_rate_data", None);
        let d = dl.on(d);
        let name = d.str_req("display_name")?;
        let amount = d.int_req("amount", 0)?;
        return Ok(Some(
            json!({ "shipping_rate_id": null, "shipping_amount": amount, "display_name": name }),
        ));
    }
    Err(s.fail(
        "shipping_rate_id",
        "missing",
        "send `shipping_rate_id` or `shipping_rate_data`",
    ))
}

/// Discount in cents for `discounts: [{coupon}|{promo_code}]` on a subtotal; returns the coupon IDs used.
fn discounts(store: &Store, b: &Obj<'_>, subtotal: i64) -> ApiResult<(i64, Vec<String>)> {
    let Some(list) = b.objects_opt("discounts")? else {
        return Ok((0, Vec::new()));
    };
    let mut total = 0i64;
    let mut coupons = Vec::new();
    for (i, d) in list.into_iter().enumerate() {
        let loc = b.child_loc("discounts", Some(i));
        let d = loc.on(d);
        let coupon = if let Some(c) = d.str_opt("coupon")? {
            store.get(Kind::Coupon, &c).cloned().ok_or_else(|| {
                d.fail(
                    "coupon",
                    "coupon_not_found",
                    format!("No such coupon: '{c}'"),
                )
            })?
        } else if let Some(p) = d.str_opt("promo_code")? {
            let promo = store.get(Kind::PromoCode, &p).ok_or_else(|| {
                d.fail(
                    "promo_code",
                    "promo_code_not_found",
                    format!("No such promo code: '{p}'"),
                )
            })?;
            if promo["active"] != Value::Bool(true) {
                return Err(d.fail(
                    "promo_code",
                    "promo_code_inactive",
                    format!("promo code '{p}' is not active"),
                ));
            }
            promo["coupon"].clone()
        } else {
            return Err(d.fail(
                "coupon",
                "missing",
                "a discount needs `coupon` or `promo_code`",
            ));
        };
        if coupon["valid"] == Value::Bool(false) {
            return Err(d.fail("coupon", "coupon_invalid", "coupon is no longer valid"));
        }
        let off = match coupon.get("percent_off").and_then(Value::as_f64) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
            Some(p) => ((subtotal as f64) * p / 100.0).round() as i64,
            None => coupon.int("amount_off"),
        };
        total = total.saturating_add(off);
        coupons.push(coupon.text("coupon_id").to_owned());
    }
    Ok((total.min(subtotal), coupons))
}

const MODES: [&str; 5] = [
    "payment",
    "subscription",
    "setup",
    "off_session",
    "reimbursement",
];

async fn create_session(call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "checkout_session")?;
    let loc = Loc::root("checkout_session");
    let b = loc.on(&map);
    let mode = b
        .enum_opt("mode", &MODES)?
        .unwrap_or_else(|| "payment".into());
    let capture_method = b
        .enum_opt("capture_method", &["automatic", "manual"])?
        .unwrap_or_else(|| "automatic".into());
    let success_url = b.str_opt("success_url")?;
    if success_url.is_none() && matches!(mode.as_str(), "payment" | "subscription") {
        return Err(b.fail(
            "success_url",
            "missing",
            "`success_url` is required (it may contain {CHECKOUT_SESSION_ID})",
        ));
    }
    let cancel_url = b.str_opt("cancel_url")?;
    let customer = b.str_opt("customer")?;
    let payment_method = b.str_opt("payment_method")?;
    let setup_future_use = b.enum_opt("setup_future_use", &["on_session", "off_session"])?;
    let client_reference_id = b.str_opt("client_reference_id")?;
    let metadata = b.metadata("metadata")?.unwrap_or_else(|| json!({}));
    let allow_promotion_codes = b.bool_opt("allow_promotion_codes")?.unwrap_or(false);
    let shipping_address_collection = b.bool_opt("shipping_address_collection")?.unwrap_or(false);
    let visit_type = b.str_opt("visit_type")?;
    let custom_text = b.obj_opt("custom_text")?.map(|m| Value::Object(m.clone()));
    let tax = match b.obj_opt("tax_rate")? {
        Some(t) => {
            let l = b.child_loc("tax_rate", None);
            l.on(t).int_req("amount", 0)?
        }
        None => 0,
    };
    let defaults = match b.obj_opt("defaults")? {
        Some(d) => {
            let l = b.child_loc("defaults", None);
            let d = l.on(d);
            let mut m = Map::new();
            for f in ["customer_id", "email", "first_name", "last_name", "phone"] {
                m.insert(f.into(), opt(d.str_opt(f)?));
            }
            Value::Object(m)
        }
        None => Value::Null,
    };
    let subscription_data = b
        .obj_opt("subscription_data")?
        .map(|m| Value::Object(m.clone()));

    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let now_s = store.now_us() / 1_000_000;
    let expires_at = match b.int_opt("expires_at", 0)? {
        Some(t) if t <= now_s => {
            return Err(b.fail(
                "expires_at",
                "value_error",
                "`expires_at` must be in the future (Unix seconds)",
            ));
        }
        Some(t) => t,
        None => now_s + 24 * 3600,
    };
    if let Some(c) = &customer
        && store.get(Kind::Customer, c).is_none()
    {
        return Err(b.fail(
            "customer",
            "customer_not_found",
            format!("No such customer: '{c}'"),
        ));
    }
    let mut lines = parse_cart(store, &b, "line_items")?;
    match mode.as_str() {
        "setup" => {
            if !lines.is_empty() {
                return Err(b.fail(
                    "line_items",
                    "value_error",
                    "setup-mode sessions take no line_items (send an empty list)",
                ));
            }
            if customer.is_none() {
                return Err(b.fail(
                    "customer",
                    "missing",
                    "setup-mode sessions need a `customer`",
                ));
            }
        }
        _ => {
            if lines.is_empty() {
                return Err(b.fail(
                    "line_items",
                    "missing",
                    "`line_items` must hold at least one item ({price, quantity})",
                ));
            }
        }
    }
    let has_recurring = lines.iter().any(|l| l.recurring.is_some());
    if mode == "subscription" && !has_recurring {
        return Err(b.fail(
            "line_items",
            "value_error",
            "subscription mode needs at least one recurring price",
        ));
    }
    if mode != "subscription" && has_recurring {
        return Err(b.fail(
            "mode",
            "value_error",
            "the cart holds a recurring price: use mode `subscription`",
        ));
    }
    if mode == "off_session" {
        let Some(pm) = &payment_method else {
            return Err(b.fail(
                "payment_method",
                "missing",
                "off-session sessions need a saved `payment_method` (fpm_…)",
            ));
        };
        let Some(c) = &customer else {
            return Err(b.fail(
                "customer",
                "missing",
                "off-session sessions need a `customer`",
            ));
        };
        match store.get(Kind::PaymentMethod, pm) {
            Some(p) if p.text("customer") == c => {}
            Some(_) => {
                return Err(b.fail(
                    "payment_method",
                    "value_error",
                    "the payment method does not belong to this customer",
                ));
            }
            None => {
                return Err(b.fail(
                    "payment_method",
                    "payment_method_not_found",
                    format!("No such payment method: '{pm}'"),
                ));
            }
        }
    }
    let shipping = shipping_option(store, &b)?;
    let subtotal = lines
        .iter()
        .map(CartLine::total)
        .fold(0i64, i64::saturating_add);
    let (discount, coupons) = discounts(store, &b, subtotal)?;
    let shipping_amount = shipping.as_ref().map_or(0, |s| s.int("shipping_amount"));
    let total = subtotal
        .saturating_sub(discount)
        .saturating_add(tax)
        .saturating_add(shipping_amount);
    if total > crate::body::MAX_INT {
        return Err(b.fail(
            "line_items",
            "amount_too_large",
            format!(
                "the cart total must be at most {} cents",
                crate::body::MAX_INT
            ),
        ));
    }
    let eligible = lines.iter().any(CartLine::eligible);
    let lmn = lines
        .iter()
        .any(|l| l.eligibility == "letter_of_medical_necessity");
    let mixed = eligible && lines.iter().any(|l| !l.eligible());
    let out_lines = store_cart(store, &mut lines);

    let (id, now) = store.mint(Kind::CheckoutSession);
    let success_url = success_url.map(|u| u.replace("{CHECKOUT_SESSION_ID}", &id));
    let redirect = format!("https://checkout.withflex.com/pay/c/{id}");
    let session = json!({
        "checkout_session_id": id,
        "status": "open",
        "mode": mode,
        "allow_promotion_codes": allow_promotion_codes,
        "amount_total": total,
        "amount_subtotal": subtotal,
        "amount_received": 0,
        "amount_refunded": 0,
        "amount_disputed": 0,
        "total_details": { "amount_discount": discount, "amount_tax": tax, "amount_shipping": shipping_amount },
        "cancel_url": cancel_url,
        "success_url": success_url,
        "redirect_url": redirect,
        "url": redirect,
        "capture_method": capture_method,
        "captures": [],
        "disputes": [],
        "refunds": [],
        "client_reference_id": client_reference_id,
        "created_at": now / 1_000_000,
        "expires_at": expires_at,
        "customer": customer,
        "defaults": defaults,
        "discounts": coupons,
        "invoice": null,
        "hsa_fsa_eligible": eligible,
        "letter_of_medical_necessity_required": lmn,
        "metadata": metadata,
        "origin": null,
        "payment_intent": null,
        "payment_intents": [],
        "payment_method": payment_method,
        "setup_intent": null,
        "setup_future_use": setup_future_use,
        "shipping_options": shipping,
        "shipping_address_collection": shipping_address_collection,
        "shipping_details": null,
        "split_cart": if mixed { Value::String("eligible_and_ineligible".into()) } else { Value::Null },
        "fees": [],
        "platform_fees": null,
        "custom_text": custom_text,
        "subscription": null,
        "subscription_data": subscription_data,
        "tax_rate": if tax > 0 { json!({ "amount": tax }) } else { Value::Null },
        "tax_calculation_mode": "exclusive",
        "payment_method_options": null,
        "visit_type": visit_type,
        "next_action": null,
        "test_mode": store.test_mode,
    });
    store.insert(Kind::CheckoutSession, id.clone(), now, session);
    store.line_items.insert(id.clone(), out_lines);
    if mode == "off_session" {
        // No buyer is involved: the saved card is charged at once.
        complete(store, &id, None)?;
    }
    Ok(created(
        Kind::CheckoutSession,
        rendered_session(store, &id)?,
    ))
}

/// A session's status as a reader sees it: an open session past `expires_at` is expired (expiry is
/// applied lazily, so no timer is needed).
pub(crate) fn session_status<'a>(store: &Store, session: &'a Value) -> &'a str {
    let status = session.text("status");
    if status == "open" && session.int("expires_at") < store.now_us() / 1_000_000 {
        "expired"
    } else {
        status
    }
}

fn created_s(v: &Value) -> i64 {
    v.get("created_at").and_then(Value::as_i64).unwrap_or(0)
}

fn created_iso_us(v: &Value) -> i64 {
    v.get("created_at")
        .and_then(Value::as_str)
        .and_then(parse_time)
        .unwrap_or(0)
}

async fn list_sessions(call: Call) -> ApiResult<Response> {
    let q = &call.query;
    let status = q.get("status").map(str::to_owned);
    if let Some(s) = &status
        && !["open", "paid", "complete", "canceled", "expired"].contains(&s.as_str())
    {
        return Err(ApiError::invalid(
            &["query", "status"],
            "enum",
            format!("`status` must be one of open, paid, complete, canceled, expired; got '{s}'"),
        ));
    }
    let mut bounds: Vec<(i64, std::cmp::Ordering, bool)> = Vec::new();
    for (op, ord, inclusive) in [
        ("gt", std::cmp::Ordering::Greater, false),
        ("gte", std::cmp::Ordering::Greater, true),
        ("lt", std::cmp::Ordering::Less, false),
        ("lte", std::cmp::Ordering::Less, true),
    ] {
        let bracket = format!("created[{op}]");
        let flat = format!("created_{op}");
        let name = if q.get(&bracket).is_some() {
            bracket
        } else {
            flat
        };
        if let Some(us) = q.time(&name)? {
            bounds.push((us / 1_000_000, ord, inclusive));
        }
    }
    let interval = q.uint("interval")?;
    let now_s = call.sim.stores.read().of(call.ctx.test).now_us() / 1_000_000;
    let since = interval.map(|d| {
        now_s
            - i64::try_from(d)
                .unwrap_or(i64::MAX / 100_000)
                .saturating_mul(86_400)
    });
    let customer = q.get("customer").map(str::to_owned);
    let pi = q.get("payment_intent").map(str::to_owned);
    let sub = q.get("subscription").map(str::to_owned);
    let crid = q.get("client_reference_id").map(str::to_owned);
    let email = q.get("email").map(str::to_owned);
    // Email matches the session's customer or its prefilled defaults.
    let email_customers: Vec<String> = match &email {
        Some(e) => call
            .sim
            .stores
            .read()
            .of(call.ctx.test)
            .rows(Kind::Customer, |c| c.text("email").eq_ignore_ascii_case(e))
            .into_iter()
            .map(|(id, _)| id.to_owned())
            .collect(),
        None => Vec::new(),
    };
    list(&call, Kind::CheckoutSession, |s| {
        let t = created_s(s);
        let effective = if s.text("status") == "open" && s.int("expires_at") < now_s {
            "expired"
        } else {
            s.text("status")
        };
        status.as_deref().is_none_or(|x| effective == x)
            && customer.as_deref().is_none_or(|x| s.text("customer") == x)
            && sub.as_deref().is_none_or(|x| s.text("subscription") == x)
            && crid
                .as_deref()
                .is_none_or(|x| s.text("client_reference_id") == x)
            && pi.as_deref().is_none_or(|x| {
                s["payment_intents"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|p| p.as_str() == Some(x)))
            })
            && email.as_deref().is_none_or(|e| {
                email_customers.iter().any(|c| c == s.text("customer"))
                    || s["defaults"]
                        .get("email")
                        .and_then(Value::as_str)
                        .is_some_and(|d| d.eq_ignore_ascii_case(e))
            })
            && since.is_none_or(|since| t >= since)
            && bounds.iter().all(|(b, ord, inclusive)| {
                let c = t.cmp(b);
                c == *ord || (*inclusive && c == std::cmp::Ordering::Equal)
            })
    })
}

async fn list_line_items(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let stores = call.sim.stores.read();
    let store = stores.of(call.ctx.test);
    store.require(Kind::CheckoutSession, &id)?;
    let items = store.line_items.get(&id).cloned().unwrap_or_default();
    Ok(axum::Json(json!({ "line_items": items, "has_more": false })).into_response())
}

use axum::response::IntoResponse;

// ---------------------------------------------------------------------------------------------
// Completion (the buyer's side)

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
        super::billing::start_subscription_from_checkout(store, id, &customer, &pm, &pis[0])?;
    }
    store.emit_stored("checkout_session.completed", Kind::CheckoutSession, id);
    Ok(())
}

/// Write a capture object and its balance transactions. `amounts` = shipping, discount, tax captured.
fn record_capture(
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

/// `POST /__sim/checkout_sessions/{id}/complete {"card": "4242…"}`.
pub(crate) async fn complete_checkout_hook(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let test = crate::control::hook_mode(&sim, &headers)?;
    let card = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        match crate::body::parse_json(&body)? {
            Value::Object(m) => match m.get("card") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    return Err(ApiError::invalid(
                        &["card"],
                        "string_type",
                        "`card` must be a string such as \"4242424242424242\"",
                    ));
                }
            },
            _ => {
                return Err(ApiError::invalid(
                    &["body"],
                    "dict_type",
                    "body must be a JSON object like {\"card\": \"4242424242424242\"}",
                ));
            }
        }
    };
    let mut stores = sim.stores.write();
    let store = stores.of_mut(test);
    complete(
        store,
        &id,
        Some(card.as_deref().unwrap_or("4242424242424242")),
    )?;
    Ok(ok(Kind::CheckoutSession, rendered_session(store, &id)?))
}

// ---------------------------------------------------------------------------------------------
// Capture, cancel, reauth

/// Intents of a session, in cart order.
fn session_intents(store: &Store, session: &Value) -> Vec<Value> {
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
fn allocate(pools: &[(String, i64)], amount: i64) -> Vec<(String, i64)> {
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
fn line_item_amount(
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

struct Extras {
    shipping: i64,
    tax: i64,
    discount: i64,
}

fn extras(b: &Obj<'_>) -> ApiResult<Extras> {
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

fn allocations_body(store: &Store, allocations: &[(String, i64)]) -> Value {
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

async fn capture_allocation(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let map = wrapped_or_empty(&call.body, "checkout_session")?;
    let loc = Loc::root("checkout_session");
    let b = loc.on(&map);
    let stores = call.sim.stores.read();
    let store = stores.of(call.ctx.test);
    let plan = plan_capture(store, &id, &b)?;
    Ok(axum::Json(allocations_body(store, &plan.allocations)).into_response())
}

async fn capture_session(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
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

/// The session as its endpoints answer it (embedded captures, refunds and disputes, nothing
/// expanded). Every state-changing session endpoint replies with this, so it lives in one place.
fn rendered_session(store: &Store, id: &str) -> ApiResult<Value> {
    Ok(render(
        store,
        Kind::CheckoutSession,
        store.require(Kind::CheckoutSession, id)?,
        &[],
    ))
}

async fn cancel_session(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
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

async fn reauth_session(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
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

// ---------------------------------------------------------------------------------------------
// Refunds

const REASONS: [&str; 4] = [
    "duplicate",
    "fraudulent",
    "requested_by_customer",
    "expired_uncaptured_charge",
];

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

async fn refund_session(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
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

async fn refund_allocation(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
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

async fn create_refund(call: Call) -> ApiResult<Response> {
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

async fn list_refunds(call: Call) -> ApiResult<Response> {
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

async fn update_refund(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
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

// ---------------------------------------------------------------------------------------------
// Payment intents and captures

async fn list_payment_intents(call: Call) -> ApiResult<Response> {
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

async fn cancel_payment_intent(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
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

async fn list_captures(call: Call) -> ApiResult<Response> {
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

async fn update_capture(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
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
