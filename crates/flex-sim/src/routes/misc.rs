//! Payment links, setup intents, exports, files, events (with the marked `GET /v1/events`
//! extension) and webhook endpoints (§3.14–3.18).

use axum::extract::{FromRequest, Multipart};
use axum::http::{HeaderValue, header};

use super::catalog::opt;
use super::checkout::{parse_cart, shipping_option};
use super::prelude::*;

pub(super) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route(
            "/v1/payment_links",
            post(create_payment_link).get(list_payment_links),
        )
        .route("/v1/payment_links/{id}", get_by_id(Kind::PaymentLink))
        .route(
            "/v1/setup_intents",
            post(create_setup_intent).get(list_setup_intents),
        )
        .route("/v1/setup_intents/{id}", get_by_id(Kind::SetupIntent))
        .route("/v1/exports", post(create_export).get(list_exports))
        .route("/v1/exports/{id}", get(get_export))
        .route("/v1/exports/{id}/cancel", post(cancel_export))
        .route("/v1/files", post(upload_file).get(list_files))
        .route("/v1/files/{id}", get_by_id(Kind::File))
        .route("/v1/events", get(list_events))
        .route("/v1/events/{id}", get(get_event))
        .route("/v1/events/{id}/retry", post(retry_event))
        .route("/v1/webhooks", post(create_webhook).get(list_webhooks))
        .route(
            "/v1/webhooks/{id}",
            get_by_id(Kind::Webhook).delete(delete_webhook),
        )
}

async fn create_payment_link(call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "payment_link")?;
    let loc = Loc::root("payment_link");
    let b = loc.on(&map);
    let label = b.str_opt("label")?;
    let metadata = b.metadata("metadata")?.unwrap_or_else(|| json!({}));
    let allow_promotion_codes = b.bool_opt("allow_promotion_codes")?.unwrap_or(false);
    let shipping_address_collection = b.bool_opt("shipping_address_collection")?.unwrap_or(false);
    let origin = b.str_opt("origin")?;
    let mode = b
        .enum_opt("mode", &["payment", "subscription", "setup"])?
        .unwrap_or_else(|| "payment".into());
    let setup_future_use = b.enum_opt("setup_future_use", &["on_session", "off_session"])?;
    // Discounts may be IDs or objects ({coupon}); anything else is kept as sent.
    let discounts = b.str_list("discounts").unwrap_or(None);
    let tax_rate = match b.obj_opt("tax_rate")? {
        Some(t) => {
            let l = b.child_loc("tax_rate", None);
            json!({ "amount": l.on(t).int_req("amount", 0)? })
        }
        None => Value::Null,
    };
    let payment_intent_data = match b.obj_opt("payment_intent_data")? {
        Some(p) => {
            let l = b.child_loc("payment_intent_data", None);
            let p = l.on(p);
            json!({
                "capture_method": p.enum_opt("capture_method", &["automatic", "manual"])?.unwrap_or_else(|| "automatic".into()),
                "metadata": p.metadata("metadata")?.unwrap_or_else(|| json!({})),
            })
        }
        None => Value::Null,
    };
    let after_completion = match b.obj_opt("after_completion")? {
        Some(a) => {
            let l = b.child_loc("after_completion", None);
            let a = l.on(a);
            let kind = a
                .enum_opt("type", &["redirect", "hosted_confirmation"])?
                .ok_or_else(|| {
                    a.fail(
                        "type",
                        "missing",
                        "`type` is required: redirect or hosted_confirmation",
                    )
                })?;
            let redirect = match a.obj_opt("redirect")? {
                Some(r) => {
                    let rl = a.child_loc("redirect", None);
                    json!({ "url": rl.on(r).str_req("url")? })
                }
                None if kind == "redirect" => {
                    return Err(a.fail(
                        "redirect",
                        "missing",
                        "`redirect.url` is required when type is redirect",
                    ));
                }
                None => Value::Null,
            };
            let hosted = match a.obj_opt("hosted_confirmation")? {
                Some(h) => {
                    let hl = a.child_loc("hosted_confirmation", None);
                    json!({ "custom_message": hl.on(h).str_opt("custom_message")? })
                }
                None => Value::Null,
            };
            json!({ "type": kind, "redirect": redirect, "hosted_confirmation": hosted })
        }
        None => Value::Null,
    };
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let lines = parse_cart(store, &b, "line_items")?;
    if lines.is_empty() {
        return Err(b.fail(
            "line_items",
            "missing",
            "`line_items` must hold at least one item ({price, quantity})",
        ));
    }
    let shipping = shipping_option(store, &b)?;
    let (id, now, mut m) = store.base(Kind::PaymentLink);
    m.insert("label".into(), opt(label));
    m.insert("active".into(), json!(true));
    m.insert(
        "line_items".into(),
        map.get("line_items").cloned().unwrap_or(json!([])),
    );
    m.insert("allow_promotion_codes".into(), json!(allow_promotion_codes));
    m.insert(
        "shipping_address_collection".into(),
        json!(shipping_address_collection),
    );
    m.insert("shipping_options".into(), shipping.unwrap_or(Value::Null));
    m.insert("metadata".into(), metadata);
    m.insert(
        "url".into(),
        json!(format!("https://checkout.withflex.com/pay/l/{id}")),
    );
    m.insert("payment_intent_data".into(), payment_intent_data);
    m.insert("after_completion".into(), after_completion);
    m.insert("origin".into(), opt(origin));
    m.insert("tax_rate".into(), tax_rate);
    m.insert(
        "discounts".into(),
        discounts.map_or_else(
            || map.get("discounts").cloned().unwrap_or(json!([])),
            |d| json!(d),
        ),
    );
    m.insert("mode".into(), json!(mode));
    m.insert("setup_future_use".into(), opt(setup_future_use));
    let obj = Value::Object(m);
    store.insert(Kind::PaymentLink, id, now, obj.clone());
    Ok(created(Kind::PaymentLink, obj))
}

async fn list_payment_links(call: Call) -> ApiResult<Response> {
    let active = call.query.bool("active")?;
    list(&call, Kind::PaymentLink, |l| {
        active.is_none_or(|a| l.get("active").and_then(Value::as_bool) == Some(a))
    })
}

async fn create_setup_intent(call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "setup_intent")?;
    let loc = Loc::root("setup_intent");
    let b = loc.on(&map);
    let partner_id = b.str_opt("partner_id")?;
    let session = b.str_opt("checkout_session")?;
    let customer = b.str_opt("customer")?;
    let description = b.str_opt("description")?;
    let usage = b
        .enum_opt("usage", &["off_session", "on_session"])?
        .unwrap_or_else(|| "off_session".into());
    let metadata = b.metadata("metadata")?.unwrap_or_else(|| json!({}));
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let mut customer = customer.map_or(Value::Null, Value::String);
    if let Some(c) = customer.as_str()
        && store.get(Kind::Customer, c).is_none()
    {
        return Err(b.fail(
            "customer",
            "customer_not_found",
            format!("No such customer: '{c}'"),
        ));
    }
    if let Some(s) = &session {
        let Some(cs) = store.get(Kind::CheckoutSession, s) else {
            return Err(b.fail(
                "checkout_session",
                "checkout_session_not_found",
                format!("No such checkout session: '{s}'"),
            ));
        };
        if customer.is_null() {
            customer = cs["customer"].clone();
        }
    }
    let (id, now, mut m) = store.base(Kind::SetupIntent);
    let secret = store.token(24);
    m.insert(
        "client_secret".into(),
        json!(format!("{id}_secret_{secret}")),
    );
    m.insert("customer".into(), customer);
    m.insert("description".into(), opt(description));
    m.insert("payment_method".into(), Value::Null);
    m.insert(
        "partner_id".into(),
        json!(partner_id.unwrap_or_else(|| "fpartner_sim".into())),
    );
    m.insert("metadata".into(), metadata);
    m.insert("status".into(), json!("requires_payment_method"));
    m.insert("usage".into(), json!(usage));
    m.insert("subscription_id".into(), Value::Null);
    m.insert("checkout_session".into(), opt(session));
    let obj = Value::Object(m);
    store.insert(Kind::SetupIntent, id, now, obj.clone());
    Ok(created(Kind::SetupIntent, obj))
}

async fn list_setup_intents(call: Call) -> ApiResult<Response> {
    let customer = call.query.get("customer").map(str::to_owned);
    list(&call, Kind::SetupIntent, |s| {
        customer.as_deref().is_none_or(|c| s.text("customer") == c)
    })
}

const EXPORT_TYPES: [&str; 10] = [
    "product",
    "products",
    "payment",
    "payments",
    "subscription",
    "subscriptions",
    "customer",
    "customers",
    "checkout_session",
    "checkout_sessions",
];

async fn create_export(call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "export")?;
    let loc = Loc::root("export");
    let b = loc.on(&map);
    let kind = b.enum_opt("type", &EXPORT_TYPES)?.ok_or_else(|| {
        b.fail(
            "type",
            "missing",
            "`type` is required: payments, subscriptions, customers, checkout_sessions or product",
        )
    })?;
    let description = b.str_opt("description")?;
    let filters = b
        .obj_opt("filters")?
        .map_or_else(|| json!({}), |f| Value::Object(f.clone()));
    let metadata = b.metadata("metadata")?.unwrap_or_else(|| json!({}));
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let (id, now, mut m) = store.base(Kind::Export);
    m.insert("description".into(), opt(description));
    m.insert("type".into(), json!(kind));
    m.insert("status".into(), json!("created"));
    m.insert("started_at".into(), Value::Null);
    m.insert("completed_at".into(), Value::Null);
    m.insert("metadata".into(), metadata);
    m.insert("filters".into(), filters);
    let obj = Value::Object(m);
    store.insert(Kind::Export, id, now, obj.clone());
    Ok(created(Kind::Export, obj))
}

/// Exports run "asynchronously": the first poll after creation finds them completed.
async fn get_export(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let now = Store::iso(store.now_us());
    let e = store.require_mut(Kind::Export, &id)?;
    if e.text("status") == "created" {
        e["status"] = json!("completed");
        e["started_at"] = json!(now);
        e["completed_at"] = json!(now);
    }
    Ok(ok(Kind::Export, e.clone()))
}

async fn list_exports(call: Call) -> ApiResult<Response> {
    list(&call, Kind::Export, |_| true)
}

async fn cancel_export(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let mut stores = call.sim.stores.write();
    let e = stores
        .of_mut(call.ctx.test)
        .require_mut(Kind::Export, &id)?;
    if e.text("status") != "created" {
        return Err(ApiError::state(
            "export_not_cancelable",
            format!("the export is already '{}'", e.text("status")),
        ));
    }
    e["status"] = json!("canceled");
    Ok(ok(Kind::Export, e.clone()))
}

/// File purposes (§4.18).
const PURPOSES: [&str; 19] = [
    "account_requirement",
    "additional_verification",
    "business_icon",
    "business_logo",
    "customer_signature",
    "dispute_evidence",
    "document_provider_identity_document",
    "finance_report_run",
    "financial_account_statement",
    "identity_document",
    "identity_document_downloadable",
    "issuing_regulatory_reporting",
    "pci_document",
    "platform_terms_of_service",
    "selfie",
    "sigma_scheduled_query",
    "tax_document_user_upload",
    "terminal_android_apk",
    "terminal_reader_splashscreen",
];

/// Largest accepted upload (§3.18).
const MAX_FILE: usize = 5 * 1024 * 1024;

async fn upload_file(call: Call) -> ApiResult<Response> {
    let ct = call
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if !ct.starts_with("multipart/form-data") {
        return Err(ApiError::bad_request(
            "invalid_content_type",
            "file uploads use Content-Type multipart/form-data with the fields `purpose` and `file`",
        ));
    }
    let mut req = axum::http::Request::builder()
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&ct).map_err(|_| {
                ApiError::bad_request("invalid_content_type", "unreadable Content-Type")
            })?,
        )
        .body(axum::body::Body::from(call.body.clone()))
        .map_err(|e| ApiError::bad_request("invalid_multipart", e.to_string()))?;
    // The router's body limit (above 5 MB) travels in the extensions; without it the reader caps at 2 MB.
    *req.extensions_mut() = call.extensions.clone();
    let mut form = Multipart::from_request(req, &()).await.map_err(|e| {
        ApiError::bad_request(
            "invalid_multipart",
            format!("could not read the multipart body: {e}"),
        )
    })?;
    let mut purpose = None;
    let mut file: Option<(String, bytes::Bytes)> = None;
    loop {
        let field = form.next_field().await.map_err(|e| {
            ApiError::bad_request(
                "invalid_multipart",
                format!("could not read the multipart body: {e}"),
            )
        })?;
        let Some(field) = field else { break };
        match field.name() {
            Some("purpose") => {
                purpose = Some(field.text().await.map_err(|e| {
                    ApiError::invalid(
                        &["purpose"],
                        "string_type",
                        format!("`purpose` must be text: {e}"),
                    )
                })?);
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_owned();
                let data = field.bytes().await.map_err(|e| {
                    ApiError::invalid(
                        &["file"],
                        "file_unreadable",
                        format!("could not read `file`: {e}"),
                    )
                })?;
                file = Some((name, data));
            }
            _ => {}
        }
    }
    let purpose = purpose.filter(|p| !p.is_empty()).ok_or_else(|| {
        ApiError::invalid(
            &["purpose"],
            "missing",
            "the form field `purpose` is required (e.g. dispute_evidence)",
        )
    })?;
    if !PURPOSES.contains(&purpose.as_str()) {
        return Err(ApiError::invalid(
            &["purpose"],
            "enum",
            format!("`purpose` '{purpose}' is not valid; use e.g. dispute_evidence"),
        ));
    }
    let (filename, data) = file.ok_or_else(|| {
        ApiError::invalid(&["file"], "missing", "the form field `file` is required")
    })?;
    if data.is_empty() {
        return Err(ApiError::invalid(
            &["file"],
            "file_empty",
            "`file` is empty",
        ));
    }
    if data.len() > MAX_FILE {
        return Err(ApiError::invalid(
            &["file"],
            "file_too_large",
            format!(
                "`file` is {} bytes; the limit is 5 MB ({MAX_FILE} bytes)",
                data.len()
            ),
        ));
    }
    let kind = if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "jpg"
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        "png"
    } else if data.starts_with(b"%PDF-") {
        "pdf"
    } else {
        return Err(ApiError::invalid(
            &["file"],
            "file_type",
            "`file` must be a JPEG, PNG or PDF",
        ));
    };
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let (id, now, mut m) = store.base(Kind::File);
    m.insert("purpose".into(), json!(purpose));
    m.insert("filename".into(), json!(filename));
    m.insert("size".into(), json!(data.len()));
    m.insert("type".into(), json!(kind));
    m.insert(
        "expires_at".into(),
        json!(Store::iso(now + 365 * 86_400_000_000)),
    );
    let obj = Value::Object(m);
    store.insert(Kind::File, id, now, obj.clone());
    Ok(created(Kind::File, obj))
}

async fn list_files(call: Call) -> ApiResult<Response> {
    let purpose = call.query.get("purpose").map(str::to_owned);
    list(&call, Kind::File, |f| {
        purpose.as_deref().is_none_or(|p| f.text("purpose") == p)
    })
}

/// Marks the non-documented event endpoints (§7.4).
fn extension(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert("x-flex-sim-extension", HeaderValue::from_static("events"));
    resp
}

async fn list_events(call: Call) -> ApiResult<Response> {
    let kind = call
        .query
        .get_any(&["event_type", "type"])
        // The older docs spell it `checkout.session.*`; the log uses `checkout_session.*`.
        .map(|(_, v)| v.replace("checkout.session.", "checkout_session."));
    let prefix = kind
        .as_deref()
        .and_then(|k| k.strip_suffix(".*"))
        .map(str::to_owned);
    list(&call, Kind::Event, |e| {
        kind.as_deref().is_none_or(|k| match &prefix {
            Some(p) => e.text("event_type").starts_with(p.as_str()),
            None => e.text("event_type") == k,
        })
    })
    .map(extension)
}

async fn get_event(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    super::get_one(Kind::Event, &id, &call).map(extension)
}

async fn retry_event(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "event")?;
    let loc = Loc::root("event");
    let b = loc.on(&map);
    let webhook = b.str_req("webhook_id")?;
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    store.require(Kind::Event, &id)?;
    if store.get(Kind::Webhook, &webhook).is_none() {
        return Err(b.fail(
            "webhook_id",
            "webhook_not_found",
            format!("No such webhook: '{webhook}'"),
        ));
    }
    let now = Store::iso(store.now_us());
    let e = store.require_mut(Kind::Event, &id)?;
    let attempts = e.int("delivery_attempts") + 1;
    e["delivery_attempts"] = json!(attempts);
    e["last_retry"] = json!({ "webhook_id": webhook, "requested_at": now });
    Ok(ok(Kind::Event, e.clone()))
}

async fn create_webhook(call: Call) -> ApiResult<Response> {
    let map = wrapped(&call.body, "webhook")?;
    let loc = Loc::root("webhook");
    let b = loc.on(&map);
    let url = b.str_req("url")?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(b.fail("url", "url_parsing", "`url` must be an http(s) URL"));
    }
    let events = b.str_list("events")?.unwrap_or_else(|| vec!["*".into()]);
    let description = b.str_opt("description")?;
    let metadata = b.metadata("metadata")?.unwrap_or_else(|| json!({}));
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    let (id, now, mut m) = store.base(Kind::Webhook);
    let secret = store.token(32);
    m.insert("url".into(), json!(url));
    m.insert("events".into(), json!(events));
    m.insert("description".into(), opt(description));
    m.insert("status".into(), json!("enabled"));
    m.insert("secret".into(), json!(format!("fwhsec_{secret}")));
    m.insert("metadata".into(), metadata);
    let obj = Value::Object(m);
    store.insert(Kind::Webhook, id, now, obj.clone());
    Ok(created(Kind::Webhook, obj))
}

async fn list_webhooks(call: Call) -> ApiResult<Response> {
    list(&call, Kind::Webhook, |_| true)
}

async fn delete_webhook(Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let mut stores = call.sim.stores.write();
    let store = stores.of_mut(call.ctx.test);
    store.require(Kind::Webhook, &id)?;
    let mut obj = store.remove(Kind::Webhook, &id).unwrap_or(Value::Null);
    obj["deleted"] = json!(true);
    Ok(ok(Kind::Webhook, obj))
}
