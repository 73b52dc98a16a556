//! The `/__sim` control API (see /work/notes/sim-contract.md): keys, faults, the request journal,
//! reset, and the test-only hooks that stand in for a buyer (checkout completion) and a card network
//! (disputes). Not part of Flex; no auth except where a hook needs to pick the store. The hooks call
//! the routes' domain functions (`routes::complete_checkout`, `routes::open_dispute`), never their
//! handlers, so the routes know nothing of this module.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::body::{Loc, parse_json};
use crate::error::{ApiError, ApiResult};
use crate::ids::Kind;
use crate::routes;
use crate::state::{Armed, Sim, key_is_test};

pub(crate) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/keys", post(add_key))
        .route(
            "/faults",
            post(arm_faults).delete(clear_faults).get(show_faults),
        )
        .route("/requests", get(journal).delete(clear_journal))
        .route("/reset", post(reset))
        .route("/checkout_sessions/{id}/complete", post(complete_checkout))
        .route("/disputes", post(create_dispute))
        .nest("/oauth", crate::oauth::control_routes())
}

fn object(bytes: &Bytes) -> ApiResult<serde_json::Map<String, Value>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match parse_json(bytes)? {
        Value::Object(m) => Ok(m),
        _ => Err(ApiError::invalid(
            &["body"],
            "dict_type",
            "body must be a JSON object",
        )),
    }
}

async fn add_key(State(sim): State<Arc<Sim>>, body: Bytes) -> ApiResult<Response> {
    let map = object(&body)?;
    let loc = Loc(Vec::new());
    let b = loc.on(&map);
    let key = b.str_req("key")?;
    if !key.starts_with("fsk_") {
        return Err(b.fail(
            "key",
            "value_error",
            "`key` must start with fsk_test_ (test) or fsk_ (live)",
        ));
    }
    let scopes = b.str_list("scopes")?.unwrap_or_default();
    for (i, s) in scopes.iter().enumerate() {
        let valid = s
            .split_once(':')
            .is_some_and(|(r, l)| !r.is_empty() && (l == "read" || l == "write"));
        if !valid {
            return Err(ApiError::invalid_at(
                vec!["scopes".into(), i.to_string()],
                "value_error",
                format!("scope '{s}' must look like resource:read or resource:write"),
            ));
        }
    }
    sim.add_key(&key, scopes.clone());
    let mode = if key_is_test(&key) { "test" } else { "live" };
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({ "key": key, "scopes": scopes, "mode": mode })),
    )
        .into_response())
}

async fn arm_faults(State(sim): State<Arc<Sim>>, body: Bytes) -> ApiResult<Response> {
    let map = object(&body)?;
    let loc = Loc(Vec::new());
    let b = loc.on(&map);
    let prefix = b.str_opt("path_prefix")?;
    let mut faults = sim.faults.lock();
    if let Some(r) = b.obj_opt("rate_limit")? {
        let l = b.child_loc("rate_limit", None);
        let r = l.on(r);
        let count = u32::try_from(r.int_req("count", 0)?).unwrap_or(u32::MAX);
        let secs = u64::try_from(r.int_opt("retry_after", 0)?.unwrap_or(1)).unwrap_or(1);
        faults.rate_limit = Armed {
            count,
            param: secs,
            path_prefix: prefix.clone(),
        };
    }
    if let Some(r) = b.obj_opt("server_errors")? {
        let l = b.child_loc("server_errors", None);
        let r = l.on(r);
        let count = u32::try_from(r.int_req("count", 0)?).unwrap_or(u32::MAX);
        let status = r.int_opt("status", 500)?.unwrap_or(503);
        if !(500..=599).contains(&status) {
            return Err(r.fail(
                "status",
                "value_error",
                format!("`status` must be a 5xx code, got {status}"),
            ));
        }
        let status = u16::try_from(status).unwrap_or(503);
        faults.server_errors = Armed {
            count,
            param: status,
            path_prefix: prefix.clone(),
        };
    }
    if let Some(r) = b.obj_opt("drop_connections")? {
        let l = b.child_loc("drop_connections", None);
        let count = u32::try_from(l.on(r).int_req("count", 0)?).unwrap_or(u32::MAX);
        faults.drop_connections = Armed {
            count,
            param: (),
            path_prefix: prefix.clone(),
        };
    }
    if let Some(ms) = b.int_opt("latency_ms", 0)? {
        faults.latency_ms = u64::try_from(ms).unwrap_or(0);
        faults.latency_prefix = prefix;
    }
    let body = faults_json(&faults);
    Ok((StatusCode::OK, axum::Json(body)).into_response())
}

fn faults_json(f: &crate::state::Faults) -> Value {
    json!({
        "rate_limit": { "count": f.rate_limit.count, "retry_after": f.rate_limit.param, "path_prefix": f.rate_limit.path_prefix },
        "server_errors": { "count": f.server_errors.count, "status": f.server_errors.param, "path_prefix": f.server_errors.path_prefix },
        "drop_connections": { "count": f.drop_connections.count, "path_prefix": f.drop_connections.path_prefix },
        "latency_ms": f.latency_ms,
    })
}

async fn show_faults(State(sim): State<Arc<Sim>>) -> Response {
    axum::Json(faults_json(&sim.faults.lock())).into_response()
}

async fn clear_faults(State(sim): State<Arc<Sim>>) -> Response {
    *sim.faults.lock() = crate::state::Faults::default();
    axum::Json(faults_json(&sim.faults.lock())).into_response()
}

async fn journal(State(sim): State<Arc<Sim>>) -> Response {
    let entries = sim.journal.lock().clone();
    axum::Json(json!({ "requests": entries })).into_response()
}

async fn clear_journal(State(sim): State<Arc<Sim>>) -> Response {
    sim.journal.lock().clear();
    axum::Json(json!({ "requests": [] })).into_response()
}

async fn reset(State(sim): State<Arc<Sim>>) -> Response {
    {
        let mut stores = sim.stores.write();
        stores.test.clear();
        stores.live.clear();
    }
    sim.idempotency.lock().clear();
    axum::Json(json!({ "reset": true })).into_response()
}

/// The store a hook acts on, from its `Authorization: Bearer` header (the key must be registered).
pub(crate) fn hook_mode(sim: &Sim, headers: &HeaderMap) -> ApiResult<bool> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::unauthorized("hooks need `Authorization: Bearer <key>` to pick the store")
        })?;
    if !sim.keys.read().contains_key(key) {
        return Err(ApiError::unauthorized("invalid API key provided"));
    }
    Ok(key_is_test(key))
}

/// `POST /__sim/checkout_sessions/{id}/complete {"card": "4242…"}`.
async fn complete_checkout(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let test = hook_mode(&sim, &headers)?;
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
    routes::complete_checkout(
        store,
        &id,
        Some(card.as_deref().unwrap_or("4242424242424242")),
    )?;
    Ok(routes::ok(
        Kind::CheckoutSession,
        routes::rendered_session(store, &id)?,
    ))
}

/// `POST /__sim/disputes {"payment_intent_id", "amount", "reason"}`.
async fn create_dispute(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let test = hook_mode(&sim, &headers)?;
    let Value::Object(map) = crate::body::parse_json(&body)? else {
        return Err(ApiError::invalid(
            &["body"],
            "dict_type",
            "body must be {\"payment_intent_id\": \"fpi_…\", \"amount\": 1234, \"reason\": \"fraudulent\"}",
        ));
    };
    let loc = Loc(Vec::new());
    let b = loc.on(&map);
    let pi = b.str_req("payment_intent_id")?;
    let amount = b.int_opt("amount", 1)?;
    let reason = b
        .enum_opt("reason", &routes::DISPUTE_REASONS)?
        .unwrap_or_else(|| "general".into());
    let mut stores = sim.stores.write();
    let dispute = routes::open_dispute(stores.of_mut(test), &pi, amount, &reason)?;
    Ok(routes::created(Kind::Dispute, dispute))
}
