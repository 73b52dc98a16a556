//! The `/v1` routes (reference §3, without the consumer routes) and the helpers they share.

mod billing;
mod catalog;
mod checkout;
mod ledger;
mod misc;
mod money;

use std::sync::Arc;

use axum::Router;
use axum::body::{Bytes, to_bytes};
use axum::extract::{FromRequest, Path, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use serde_json::{Map, Value};

use crate::edge::{Ctx, MAX_BODY};
use crate::error::{ApiError, ApiResult};
use crate::ids::Kind;
use crate::query::{Page, Query, list_body};
use crate::state::Sim;
use crate::store::{Fields, Store};

/// What a handler gets: the simulator, the caller, the query and the raw body.
pub struct Call {
    /// The simulator.
    pub sim: Arc<Sim>,
    /// The authenticated caller.
    pub ctx: Ctx,
    /// Decoded query string.
    pub query: Query,
    /// Request headers (multipart needs the content type).
    pub headers: HeaderMap,
    /// Raw body.
    pub body: Bytes,
    /// Request extensions (carry the body limit into the multipart reader).
    pub extensions: axum::http::Extensions,
}

impl FromRequest<Arc<Sim>> for Call {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Arc<Sim>) -> Result<Self, ApiError> {
        let ctx = req
            .extensions()
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| ApiError::unauthorized("missing API key"))?;
        let query = Query::parse(req.uri().query())?;
        let (parts, body) = req.into_parts();
        let body = to_bytes(body, MAX_BODY).await.map_err(|_| {
            ApiError::too_large(format!("request body is larger than {MAX_BODY} bytes"))
        })?;
        Ok(Self {
            sim: state.clone(),
            ctx,
            query,
            headers: parts.headers,
            body,
            extensions: parts.extensions,
        })
    }
}

/// `{"<singular>": obj}` with a status.
pub fn one(status: StatusCode, kind: Kind, obj: Value) -> Response {
    let mut m = Map::new();
    m.insert(kind.singular().to_owned(), obj);
    (status, axum::Json(Value::Object(m))).into_response()
}

/// 200 `{"<singular>": obj}`.
pub fn ok(kind: Kind, obj: Value) -> Response {
    one(StatusCode::OK, kind, obj)
}

/// 201 `{"<singular>": obj}`.
pub fn created(kind: Kind, obj: Value) -> Response {
    one(StatusCode::CREATED, kind, obj)
}

/// Replace an ID string field with the object it names, when that object exists.
fn expand_field(store: &Store, obj: &mut Value, field: &str, kind: Kind) {
    if let Some(id) = obj.get(field).and_then(Value::as_str)
        && let Some(full) = store.get(kind, id)
    {
        obj[field] = full.clone();
    }
}

/// The object as returned to a client: computed fields filled in, expansions applied.
pub fn render(store: &Store, kind: Kind, obj: &Value, expand: &[String]) -> Value {
    let mut out = obj.clone();
    let wants = |what: &str| expand.iter().any(|e| e == what);
    match kind {
        Kind::CheckoutSession => {
            let id = obj.text("checkout_session_id");
            let embedded = |k: Kind| -> Value {
                let rows = store.rows(k, |o| o.text("checkout_session") == id);
                Value::Array(rows.into_iter().rev().map(|(_, r)| r.obj.clone()).collect())
            };
            out["captures"] = embedded(Kind::Capture);
            out["refunds"] = embedded(Kind::Refund);
            out["disputes"] = embedded(Kind::Dispute);
            out["status"] = Value::String(checkout::session_status(store, obj).to_owned());
            if wants("customer") {
                expand_field(store, &mut out, "customer", Kind::Customer);
            }
            if wants("payment_intent") || wants("payment_intents") {
                expand_field(store, &mut out, "payment_intent", Kind::PaymentIntent);
                if let Some(Value::Array(items)) = out.get_mut("payment_intents") {
                    for item in items.iter_mut() {
                        if let Some(full) = item
                            .as_str()
                            .and_then(|id| store.get(Kind::PaymentIntent, id))
                        {
                            *item = full.clone();
                        }
                    }
                }
            }
        }
        Kind::PaymentIntent
        | Kind::SetupIntent
        | Kind::Subscription
        | Kind::Invoice
        | Kind::PaymentMethod => {
            if wants("customer") {
                expand_field(store, &mut out, "customer", Kind::Customer);
            }
            if wants("payment_method") {
                expand_field(store, &mut out, "payment_method", Kind::PaymentMethod);
            }
            if wants("payment_intent") {
                expand_field(store, &mut out, "payment_intent", Kind::PaymentIntent);
            }
            if wants("latest_invoice") {
                expand_field(store, &mut out, "latest_invoice", Kind::Invoice);
            }
        }
        Kind::Price if wants("product") => {
            expand_field(store, &mut out, "product", Kind::Product);
        }
        Kind::Capture => {
            if wants("payment_intent")
                && let Some(Value::Array(items)) = out.get_mut("items")
            {
                for item in items.iter_mut() {
                    expand_field(store, item, "payment_intent", Kind::PaymentIntent);
                }
            }
        }
        _ => {}
    }
    out
}

/// GET one object by ID in the caller's mode.
pub fn get_one(kind: Kind, id: &str, call: &Call) -> ApiResult<Response> {
    let expand = call.query.expansions()?;
    let stores = call.sim.stores.read();
    let store = stores.of(call.ctx.test);
    let obj = store.require(kind, id)?;
    Ok(ok(kind, render(store, kind, obj, &expand)))
}

/// A list endpoint: filter, order newest first, paginate, render.
pub fn list(call: &Call, kind: Kind, keep: impl Fn(&Value) -> bool) -> ApiResult<Response> {
    let page = Page::from_query(&call.query, kind)?;
    let expand = call.query.expansions()?;
    let stores = call.sim.stores.read();
    let store = stores.of(call.ctx.test);
    let rows = store.rows(kind, keep);
    let (items, has_more) = page.apply(store, kind, &rows)?;
    let items = items
        .into_iter()
        .map(|o| render(store, kind, o, &expand))
        .collect();
    Ok(axum::Json(list_body(kind, items, has_more)).into_response())
}

/// A route that fetches one object of `kind` by its path ID.
pub(crate) fn get_by_id(kind: Kind) -> MethodRouter<Arc<Sim>> {
    get(move |Path(id): Path<String>, call: Call| async move { get_one(kind, &id, &call) })
}

/// Every `/v1` route with the JSON fallbacks, before any layer (`crate::app` adds the layers).
pub(crate) fn v1_routes() -> Router<Arc<Sim>> {
    Router::new()
        .merge(catalog::routes())
        .merge(checkout::routes())
        .merge(billing::routes())
        .merge(money::routes())
        .merge(misc::routes())
        .fallback(
            |method: axum::http::Method, uri: axum::http::Uri| async move {
                ApiError::no_route(method.as_str(), uri.path())
            },
        )
        .method_not_allowed_fallback(
            |method: axum::http::Method, uri: axum::http::Uri| async move {
                ApiError::method_not_allowed(method.as_str(), uri.path())
            },
        )
}

/// Shared by route modules.
pub(crate) mod prelude {
    pub(crate) use super::{Call, created, get_by_id, list, ok, render};
    pub(crate) use crate::body::{Loc, Obj, wrapped, wrapped_or_empty};
    pub(crate) use crate::error::{ApiError, ApiResult};
    pub(crate) use crate::ids::Kind;
    pub(crate) use crate::state::Sim;
    pub(crate) use crate::store::{Fields, Store};
    pub(crate) use axum::Router;
    pub(crate) use axum::extract::Path;
    pub(crate) use axum::response::Response;
    pub(crate) use axum::routing::{get, post};
    pub(crate) use serde_json::{Map, Value, json};
    pub(crate) use std::sync::Arc;
}

// The domain functions the `/__sim` hooks call (crate::control).
pub(crate) use checkout::{complete as complete_checkout, rendered_session};
pub(crate) use money::{REASONS as DISPUTE_REASONS, open_dispute};
