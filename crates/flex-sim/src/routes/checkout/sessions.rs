//! Checkout sessions and their carts: line items, shipping, discounts, creating and listing
//! sessions (§3.4).

use axum::response::IntoResponse;

use super::completion::complete;
use crate::query::parse_time;
use crate::routes::catalog::{self, opt};
use crate::routes::prelude::*;

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
            let recurring = catalog::recurring(&p, "recurring")?;
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
            let (id, _) = catalog::insert_price(
                store,
                catalog::NewPrice {
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

pub(super) async fn create_session(call: Call) -> ApiResult<Response> {
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

pub(super) fn created_iso_us(v: &Value) -> i64 {
    v.get("created_at")
        .and_then(Value::as_str)
        .and_then(parse_time)
        .unwrap_or(0)
}

pub(super) async fn list_sessions(call: Call) -> ApiResult<Response> {
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

pub(super) async fn list_line_items(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let stores = call.sim.stores.read();
    let store = stores.of(call.ctx.test);
    store.require(Kind::CheckoutSession, &id)?;
    let items = store.line_items.get(&id).cloned().unwrap_or_default();
    Ok(axum::Json(json!({ "line_items": items, "has_more": false })).into_response())
}

/// The session as its endpoints answer it (embedded captures, refunds and disputes, nothing
/// expanded). Every state-changing session endpoint replies with this, so it lives in one place.
pub(crate) fn rendered_session(store: &Store, id: &str) -> ApiResult<Value> {
    Ok(render(
        store,
        Kind::CheckoutSession,
        store.require(Kind::CheckoutSession, id)?,
        &[],
    ))
}
