//! Products, prices, customers and their payment methods, coupons, promo codes, shipping rates.

use super::prelude::*;

pub(super) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/v1/products", post(create_product).get(list_products))
        .route(
            "/v1/products/{id}",
            get_by_id(Kind::Product).patch(update_product),
        )
        .route("/v1/prices", post(create_price).get(list_prices))
        .route("/v1/prices/{id}", get_by_id(Kind::Price).post(update_price))
        .route("/v1/customers", post(create_customer).get(list_customers))
        .route(
            "/v1/customers/{id}",
            get_by_id(Kind::Customer).patch(update_customer),
        )
        .route(
            "/v1/customers/{id}/payment_methods",
            get(list_payment_methods),
        )
        .route(
            "/v1/customers/{id}/payment_methods/{pm}",
            get(get_payment_method),
        )
        .route("/v1/coupons", post(create_coupon).get(list_coupons))
        .route("/v1/coupons/{id}", get_by_id(Kind::Coupon))
        .route(
            "/v1/promo_codes",
            post(create_promo_code).get(list_promo_codes),
        )
        .route("/v1/promo_codes/{id}", get_by_id(Kind::PromoCode))
        .route(
            "/v1/shipping_rates",
            post(create_shipping_rate).get(list_shipping_rates),
        )
        .route(
            "/v1/shipping_rates/{id}",
            get_by_id(Kind::ShippingRate).put(update_shipping_rate),
        )
}

/// `Some(s)` → string, `None` → null.
pub(crate) fn opt(v: Option<String>) -> Value {
    v.map_or(Value::Null, Value::String)
}

/// The §9 test-mode eligibility rules: `metadata.sim_eligibility` wins; a GTIN or UPC ending in an
/// even digit is on the (simulated) SIGIS list; anything else is not eligible.
pub(crate) fn eligibility(
    gtin: Option<&str>,
    upc: Option<&str>,
    metadata: &Value,
) -> (String, String) {
    if let Some(v) = metadata
        .get("sim_eligibility")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
    {
        return (
            v.to_owned(),
            format!("set by metadata.sim_eligibility={v} (flex-sim)"),
        );
    }
    for (field, code) in [("gtin", gtin), ("upc_code", upc)] {
        if let Some(last) = code.and_then(|c| c.trim().chars().last())
            && let Some(d) = last.to_digit(10)
        {
            if d % 2 == 0 {
                return (
                    "auto_substantiation".into(),
                    format!(
                        "{field} found on the SIGIS Eligible Product List (flex-sim: ends in an even digit)"
                    ),
                );
            }
            return (
                "not_eligible".into(),
                format!("{field} not found on the SIGIS list (flex-sim: odd last digit)"),
            );
        }
    }
    ("not_eligible".into(), "no UPC or GTIN supplied".into())
}

async fn create_product(call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "product")?;
    let loc = Loc::root("product");
    let b = loc.on(&map);
    let name = b.str_req("name")?;
    let description = b.str_opt("description")?;
    let upc = b.str_opt("upc_code")?;
    let gtin = b.str_opt("gtin")?;
    let reference_gtin = b.str_opt("reference_gtin")?;
    let url = b.str_opt("url")?;
    let client_reference_id = b.str_opt("client_reference_id")?;
    let metadata = b.metadata("metadata")?.unwrap_or_else(|| json!({}));
    let image_urls = b.str_list("image_urls")?.unwrap_or_default();
    let categories = b.str_list("categories")?.unwrap_or_default();
    let components = b.str_list("components")?.unwrap_or_default();
    let visit_type = b.str_opt("visit_type")?;
    let (elig, rationale) = eligibility(gtin.as_deref(), upc.as_deref(), &metadata);

    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let (id, now, mut m) = store.base(Kind::Product);
    m.insert("name".into(), Value::String(name));
    m.insert("description".into(), opt(description));
    m.insert("document_description".into(), Value::Null);
    m.insert("receipt_description".into(), Value::Null);
    m.insert("visit_type".into(), opt(visit_type));
    m.insert("active".into(), Value::Bool(true));
    m.insert("upc_code".into(), opt(upc));
    m.insert("gtin".into(), opt(gtin));
    m.insert("reference_gtin".into(), opt(reference_gtin));
    m.insert("hsa_fsa_eligibility".into(), Value::String(elig));
    m.insert("eligibility_rationale".into(), Value::String(rationale));
    m.insert("metadata".into(), metadata);
    m.insert("url".into(), opt(url));
    m.insert("client_reference_id".into(), opt(client_reference_id));
    m.insert("image_urls".into(), json!(image_urls));
    m.insert("categories".into(), json!(categories));
    m.insert("components".into(), json!(components));
    let obj = Value::Object(m);
    store.insert(Kind::Product, id, now, obj.clone());
    Ok(created(Kind::Product, obj))
}

async fn list_products(call: Call) -> ApiResult<Response> {
    let active = call.query.bool("active")?;
    let crid = call.query.get("client_reference_id").map(str::to_owned);
    let meta: Vec<(String, String)> = call
        .query
        .metadata_filters()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    list(&call, Kind::Product, |p| {
        active.is_none_or(|a| p.get("active").and_then(Value::as_bool) == Some(a))
            && crid
                .as_deref()
                .is_none_or(|c| p.text("client_reference_id") == c)
            && meta
                .iter()
                .all(|(k, v)| p["metadata"].get(k).and_then(Value::as_str) == Some(v))
    })
}

async fn update_product(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "product")?;
    let loc = Loc::root("product");
    let b = loc.on(&map);
    let mut changes = Map::new();
    for f in [
        "description",
        "upc_code",
        "gtin",
        "reference_gtin",
        "url",
        "client_reference_id",
    ] {
        if b.has(f) {
            changes.insert(f.into(), opt(b.str_opt(f)?));
        }
    }
    if let Some(a) = b.bool_opt("active")? {
        changes.insert("active".into(), Value::Bool(a));
    }
    if let Some(m) = b.metadata("metadata")? {
        changes.insert("metadata".into(), m);
    }
    for f in ["categories", "image_urls", "components"] {
        if let Some(v) = b.str_list(f)? {
            changes.insert(f.into(), json!(v));
        }
    }
    let name = b.str_opt("name")?;

    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let product = store.require_mut(Kind::Product, &id)?;
    if let Some(name) = name
        && name != product.text("name")
    {
        return Err(b.fail(
            "name",
            "immutable_field",
            "a product's name cannot be changed: create a new product and set active=false on this one",
        ));
    }
    let recheck = ["upc_code", "gtin", "metadata"]
        .iter()
        .any(|f| changes.contains_key(*f));
    for (k, v) in changes {
        product[k.as_str()] = v;
    }
    if recheck {
        let (elig, why) = eligibility(
            product.opt_text("gtin"),
            product.opt_text("upc_code"),
            &product["metadata"],
        );
        product["hsa_fsa_eligibility"] = Value::String(elig);
        product["eligibility_rationale"] = Value::String(why);
    }
    Ok(ok(Kind::Product, product.clone()))
}

/// Recurring intervals: the documented `daily` style and the `day` style one consumer uses
/// (Appendix C); echoed back as given.
pub(crate) const INTERVALS: [&str; 8] = [
    "daily", "weekly", "monthly", "yearly", "day", "week", "month", "year",
];

/// Validate a `recurring` object; returns it normalised (interval_count ≥ 1, trial days ≥ 0).
pub(crate) fn recurring(b: &Obj<'_>, field: &str) -> ApiResult<Option<Value>> {
    let Some(r) = b.obj_opt(field)? else {
        return Ok(None);
    };
    let loc = b.child_loc(field, None);
    let r = loc.on(r);
    let interval = r.enum_opt("interval", &INTERVALS)?.ok_or_else(|| {
        r.fail(
            "interval",
            "missing",
            "`interval` is required (daily, weekly, monthly or yearly)",
        )
    })?;
    let count = r.int_opt("interval_count", 1)?.unwrap_or(1);
    if count > 365 {
        return Err(r.fail(
            "interval_count",
            "less_than_equal",
            format!("`interval_count` must be at most 365, got {count}"),
        ));
    }
    let trial = r.int_opt("trial_period_days", 0)?;
    if trial.is_some_and(|t| t > 730) {
        return Err(r.fail(
            "trial_period_days",
            "less_than_equal",
            "`trial_period_days` must be at most 730",
        ));
    }
    Ok(Some(
        json!({ "interval": interval, "interval_count": count, "trial_period_days": trial.unwrap_or(0) }),
    ))
}

/// The fields of a new price row, from `POST /v1/prices` or an inline cart `price_data`.
pub(crate) struct NewPrice {
    pub product: String,
    pub description: Option<String>,
    pub unit_amount: i64,
    pub trial_period_days: Option<i64>,
    pub recurring: Option<Value>,
    pub active: bool,
    pub metadata: Value,
    pub hsa_fsa_eligibility: Value,
}

/// Store a new price and return its id and object. Prices are written both here and by inline
/// cart prices (checkout); one writer keeps their fields, order and `type` rule the same.
pub(crate) fn insert_price(store: &mut Store, p: NewPrice) -> (String, Value) {
    let (id, now, mut m) = store.base(Kind::Price);
    m.insert("description".into(), opt(p.description));
    m.insert("unit_amount".into(), json!(p.unit_amount));
    m.insert("trial_period_days".into(), json!(p.trial_period_days));
    m.insert(
        "type".into(),
        json!(if p.recurring.is_some() {
            "recurring"
        } else {
            "one_time"
        }),
    );
    m.insert("recurring".into(), p.recurring.unwrap_or(Value::Null));
    m.insert("active".into(), Value::Bool(p.active));
    m.insert("product".into(), Value::String(p.product));
    m.insert("metadata".into(), p.metadata);
    m.insert("hsa_fsa_eligibility".into(), p.hsa_fsa_eligibility);
    let obj = Value::Object(m);
    store.insert(Kind::Price, id.clone(), now, obj.clone());
    (id, obj)
}

async fn create_price(call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "price")?;
    let loc = Loc::root("price");
    let b = loc.on(&map);
    let product = b.str_req("product")?;
    let unit_amount = b.int_req("unit_amount", 0)?;
    let description = b.str_opt("description")?;
    let recurring = recurring(&b, "recurring")?;
    let trial = b.int_opt("trial_period_days", 0)?;
    if trial.is_some_and(|t| t > 730) {
        return Err(b.fail(
            "trial_period_days",
            "less_than_equal",
            "`trial_period_days` must be at most 730",
        ));
    }
    let metadata = b.metadata("metadata")?.unwrap_or_else(|| json!({}));
    let active = b.bool_opt("active")?.unwrap_or(true);

    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let Some(prod) = store.get(Kind::Product, &product) else {
        return Err(b.fail(
            "product",
            "product_not_found",
            format!("No such product: '{product}'"),
        ));
    };
    let elig = prod["hsa_fsa_eligibility"].clone();
    let trial = trial.or_else(|| {
        recurring
            .as_ref()
            .and_then(|r| r["trial_period_days"].as_i64())
            .filter(|d| *d > 0)
    });
    let (_, obj) = insert_price(
        store,
        NewPrice {
            product,
            description,
            unit_amount,
            trial_period_days: trial,
            recurring,
            active,
            metadata,
            hsa_fsa_eligibility: elig,
        },
    );
    Ok(created(Kind::Price, obj))
}

async fn list_prices(call: Call) -> ApiResult<Response> {
    let active = call.query.bool("active")?;
    let product = call.query.get("product").map(str::to_owned);
    list(&call, Kind::Price, |p| {
        active.is_none_or(|a| p.get("active").and_then(Value::as_bool) == Some(a))
            && product.as_deref().is_none_or(|x| p.text("product") == x)
    })
}

async fn update_price(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "price")?;
    let loc = Loc::root("price");
    let b = loc.on(&map);
    let description = b
        .has("description")
        .then(|| b.str_opt("description"))
        .transpose()?;
    let active = b.bool_opt("active")?;
    let metadata = b.metadata("metadata")?;
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let price = store.require_mut(Kind::Price, &id)?;
    if let Some(d) = description {
        price["description"] = opt(d);
    }
    if let Some(a) = active {
        price["active"] = Value::Bool(a);
    }
    if let Some(m) = metadata {
        price["metadata"] = m;
    }
    let obj = price.clone();
    Ok(ok(Kind::Price, obj))
}

/// A shipping address from the request (without `shipping_address_id`).
fn address(store: &mut Store, b: &Obj<'_>, field: &str) -> ApiResult<Option<Value>> {
    let Some(a) = b.obj_opt(field)? else {
        return Ok(None);
    };
    let loc = b.child_loc(field, None);
    let a = loc.on(a);
    let mut out = Map::new();
    out.insert(
        "shipping_address_id".into(),
        Value::String(store.mint_id(Kind::ShippingAddress)),
    );
    for f in ["line1", "line2", "city", "state", "postal_code", "country"] {
        out.insert(f.into(), opt(a.str_opt(f)?));
    }
    Ok(Some(Value::Object(out)))
}

fn check_email(b: &Obj<'_>) -> ApiResult<Option<String>> {
    let email = b.str_opt("email")?;
    if let Some(e) = &email
        && !(e.contains('@') && e.rsplit('@').next().is_some_and(|d| d.contains('.')))
    {
        return Err(b.fail(
            "email",
            "value_error",
            format!("`email` is not a valid email address: '{e}'"),
        ));
    }
    Ok(email)
}

async fn create_customer(call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "customer")?;
    let loc = Loc::root("customer");
    let b = loc.on(&map);
    let email = check_email(&b)?;
    let mut fields = Map::new();
    for f in [
        "first_name",
        "last_name",
        "phone",
        "employer",
        "checkout_session_id",
    ] {
        fields.insert(f.into(), opt(b.str_opt(f)?));
    }
    let metadata = b.metadata("metadata")?.unwrap_or_else(|| json!({}));
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let shipping = address(store, &b, "shipping")?;
    let (id, now, mut m) = store.base(Kind::Customer);
    m.insert(
        "first_name".into(),
        fields.remove("first_name").unwrap_or(Value::Null),
    );
    m.insert(
        "last_name".into(),
        fields.remove("last_name").unwrap_or(Value::Null),
    );
    m.insert("email".into(), opt(email));
    m.extend(fields);
    m.insert("shipping".into(), shipping.unwrap_or(Value::Null));
    m.insert("metadata".into(), metadata);
    let obj = Value::Object(m);
    store.insert(Kind::Customer, id.clone(), now, obj.clone());
    store.emit("customer.created", Kind::Customer, &obj);
    Ok(created(Kind::Customer, obj))
}

async fn list_customers(call: Call) -> ApiResult<Response> {
    let email = call.query.get("email").map(str::to_owned);
    list(&call, Kind::Customer, |c| {
        email.as_deref().is_none_or(|e| c.text("email") == e)
    })
}

async fn update_customer(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "customer")?;
    let loc = Loc::root("customer");
    let b = loc.on(&map);
    let email = check_email(&b)?;
    let mut changes = Map::new();
    if b.has("email") {
        changes.insert("email".into(), opt(email));
    }
    for f in ["first_name", "last_name", "phone", "employer"] {
        if b.has(f) {
            changes.insert(f.into(), opt(b.str_opt(f)?));
        }
    }
    if let Some(m) = b.metadata("metadata")? {
        changes.insert("metadata".into(), m);
    }
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    store.require(Kind::Customer, &id)?;
    if let Some(a) = address(store, &b, "shipping")? {
        changes.insert("shipping".into(), a);
    }
    let customer = store.require_mut(Kind::Customer, &id)?;
    for (k, v) in changes {
        customer[k.as_str()] = v;
    }
    let obj = customer.clone();
    store.emit("customer.updated", Kind::Customer, &obj);
    Ok(ok(Kind::Customer, obj))
}

async fn list_payment_methods(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    call.sim
        .stores
        .read()
        .of(call.ctx.test)
        .require(Kind::Customer, &id)?;
    list(&call, Kind::PaymentMethod, |pm| pm.text("customer") == id)
}

async fn get_payment_method(
    Path((id, pm)): Path<(String, String)>,
    call: Call,
) -> ApiResult<Response> {
    let expand = call.query.expansions()?;
    let stores = call.sim.stores.read();
    let store = stores.of(call.ctx.test);
    store.require(Kind::Customer, &id)?;
    let obj = store.require(Kind::PaymentMethod, &pm)?;
    if obj.text("customer") != id {
        return Err(ApiError::not_found(
            &format!("payment method of customer {id}"),
            &pm,
        ));
    }
    Ok(ok(
        Kind::PaymentMethod,
        render(store, Kind::PaymentMethod, obj, &expand),
    ))
}

async fn create_coupon(call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "coupon")?;
    let loc = Loc::root("coupon");
    let b = loc.on(&map);
    let name = b.str_opt("name")?;
    let amount_off = b.int_opt("amount_off", 1)?;
    let percent_off = b.num_opt("percent_off")?;
    match (amount_off, percent_off) {
        (None, None) => {
            return Err(b.fail(
                "amount_off",
                "missing",
                "send either `amount_off` (cents) or `percent_off` (0–100)",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(b.fail(
                "percent_off",
                "value_error",
                "send only one of `amount_off` and `percent_off`",
            ));
        }
        (None, Some(p)) if !(p > 0.0 && p <= 100.0) => {
            return Err(b.fail(
                "percent_off",
                "value_error",
                format!("`percent_off` must be > 0 and ≤ 100, got {p}"),
            ));
        }
        _ => {}
    }
    let duration = b
        .enum_opt("duration", &["once", "repeating", "forever"])?
        .unwrap_or_else(|| "once".into());
    let months = b.int_opt("duration_in_months", 1)?;
    if duration == "repeating" && months.is_none() {
        return Err(b.fail(
            "duration_in_months",
            "missing",
            "`duration_in_months` is required when duration is repeating",
        ));
    }
    if duration != "repeating" && months.is_some() {
        return Err(b.fail(
            "duration_in_months",
            "value_error",
            "`duration_in_months` is only allowed when duration is repeating",
        ));
    }
    let max_redemptions = b.int_opt("max_redemptions", 1)?;
    let metadata = b.metadata("metadata")?.unwrap_or_else(|| json!({}));
    let applies_to = match b.obj_opt("applies_to")? {
        None => Value::Null,
        Some(a) => {
            let l = b.child_loc("applies_to", None);
            json!({ "products": l.on(a).str_list("products")?.unwrap_or_default() })
        }
    };
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    if let Some(products) = applies_to.get("products").and_then(Value::as_array) {
        for (i, p) in products.iter().enumerate() {
            let pid = p.as_str().unwrap_or_default();
            if store.get(Kind::Product, pid).is_none() {
                return Err(ApiError::invalid_at(
                    vec![
                        "coupon".into(),
                        "applies_to".into(),
                        "products".into(),
                        i.to_string(),
                    ],
                    "product_not_found",
                    format!("No such product: '{pid}'"),
                ));
            }
        }
    }
    let (id, now, mut m) = store.base(Kind::Coupon);
    m.insert("name".into(), opt(name));
    m.insert("amount_off".into(), json!(amount_off));
    m.insert("percent_off".into(), json!(percent_off));
    m.insert("duration".into(), Value::String(duration));
    m.insert("duration_in_months".into(), json!(months));
    m.insert("applies_to".into(), applies_to);
    m.insert("max_redemptions".into(), json!(max_redemptions));
    m.insert("times_redeemed".into(), json!(0));
    m.insert("valid".into(), Value::Bool(true));
    m.insert("metadata".into(), metadata);
    let obj = Value::Object(m);
    store.insert(Kind::Coupon, id, now, obj.clone());
    Ok(created(Kind::Coupon, obj))
}

async fn list_coupons(call: Call) -> ApiResult<Response> {
    list(&call, Kind::Coupon, |_| true)
}

async fn create_promo_code(call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "promo_code")?;
    let loc = Loc::root("promo_code");
    let b = loc.on(&map);
    let coupon_id = b.str_req("coupon_id")?;
    let code = b.str_req("code")?;
    let max_redemptions = b.int_opt("max_redemptions", 1)?;
    let customer = b.str_opt("customer")?;
    let metadata = b.metadata("metadata")?.unwrap_or_else(|| json!({}));
    let active = b.bool_opt("active")?.unwrap_or(true);
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let Some(coupon) = store.get(Kind::Coupon, &coupon_id).cloned() else {
        return Err(b.fail(
            "coupon_id",
            "coupon_not_found",
            format!("No such coupon: '{coupon_id}'"),
        ));
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
    let taken = !store
        .rows(Kind::PromoCode, |p| {
            p.text("code").eq_ignore_ascii_case(&code) && p["active"] == Value::Bool(true)
        })
        .is_empty();
    if taken {
        return Err(b.fail(
            "code",
            "duplicate_code",
            format!("an active promo code '{code}' already exists"),
        ));
    }
    let (id, now, mut m) = store.base(Kind::PromoCode);
    m.insert("code".into(), Value::String(code));
    m.insert("coupon".into(), coupon);
    m.insert("max_redemptions".into(), json!(max_redemptions));
    m.insert("times_redeemed".into(), json!(0));
    m.insert("customer".into(), opt(customer));
    m.insert("active".into(), Value::Bool(active));
    m.insert("metadata".into(), metadata);
    let obj = Value::Object(m);
    store.insert(Kind::PromoCode, id, now, obj.clone());
    Ok(created(Kind::PromoCode, obj))
}

async fn list_promo_codes(call: Call) -> ApiResult<Response> {
    let active = call.query.bool("active")?;
    let code = call.query.get("code").map(str::to_owned);
    list(&call, Kind::PromoCode, |p| {
        active.is_none_or(|a| p.get("active").and_then(Value::as_bool) == Some(a))
            && code.as_deref().is_none_or(|c| p.text("code") == c)
    })
}

async fn create_shipping_rate(call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "shipping_rate")?;
    let loc = Loc::root("shipping_rate");
    let b = loc.on(&map);
    let display_name = b.str_req("display_name")?;
    let amount = b.int_req("amount", 0)?;
    let metadata = b.metadata("metadata")?.unwrap_or_else(|| json!({}));
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let (id, now, mut m) = store.base(Kind::ShippingRate);
    m.insert("active".into(), Value::Bool(true));
    m.insert("display_name".into(), Value::String(display_name));
    m.insert("amount".into(), json!(amount));
    m.insert("metadata".into(), metadata);
    let obj = Value::Object(m);
    store.insert(Kind::ShippingRate, id, now, obj.clone());
    Ok(created(Kind::ShippingRate, obj))
}

async fn list_shipping_rates(call: Call) -> ApiResult<Response> {
    let active = call.query.bool("active")?;
    list(&call, Kind::ShippingRate, |r| {
        active.is_none_or(|a| r.get("active").and_then(Value::as_bool) == Some(a))
    })
}

async fn update_shipping_rate(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "shipping_rate")?;
    let loc = Loc::root("shipping_rate");
    let b = loc.on(&map);
    let active = b.bool_opt("active")?;
    let metadata = b.metadata("metadata")?;
    let mut stores = call.sim.stores.write();
    let rate = stores
        .of_mut(call.ctx.test)
        .require_mut(Kind::ShippingRate, &id)?;
    if let Some(a) = active {
        rate["active"] = Value::Bool(a);
    }
    if let Some(m) = metadata {
        rate["metadata"] = m;
    }
    Ok(ok(Kind::ShippingRate, rate.clone()))
}
