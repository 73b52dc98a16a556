//! The layers every `/v1` request passes, outermost first:
//! 1. `edge`: journal, injected latency and faults (before auth, like a proxy in front of Flex),
//!    a request ID header;
//! 2. `auth`: bearer key → mode and scopes (401 / 403);
//! 3. `idempotency`: replay or 409 for writes that carry `Idempotency-Key` (§5.4).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio_util::sync::CancellationToken;

use crate::error::ApiError;
use crate::state::{FaultAction, Fingerprint, IdemRecord, JournalEntry, Sim, key_is_test};

/// Largest request body accepted (files may be 5 MB; a little more so the 5 MB check can answer 422).
pub const MAX_BODY: usize = 8 * 1024 * 1024;

/// Closes the request's TCP connection when cancelled (inserted per connection by the server).
#[derive(Debug, Clone)]
pub struct ConnKill(pub CancellationToken);

/// Who is calling: set by `auth` for the handlers.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The API key.
    pub key: String,
    /// Test store (`fsk_test_`) or live.
    pub test: bool,
}

fn bearer(req: &Request) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// Journal, latency, faults, request ID.
pub async fn edge(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let seq = sim.next_seq();
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let idempotency_key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mode = bearer(&req).map(|k| if key_is_test(k) { "test" } else { "live" });
    let entry = JournalEntry {
        seq,
        method,
        path: path.clone(),
        query,
        status: 0,
        idempotency_key,
        mode,
    };

    let (delay, action) = {
        let mut faults = sim.faults.lock();
        (faults.latency(&path), faults.next_action(&path))
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let response = match action {
        Some(FaultAction::Drop) => {
            sim.journal_push(entry);
            if let Some(kill) = req.extensions().get::<ConnKill>() {
                kill.0.cancel();
                // The connection task drops the connection; this future is dropped with it.
                std::future::pending::<()>().await;
            }
            // Without a connection handle (in-process service calls) the closest thing is a 502.
            return StatusCode::BAD_GATEWAY.into_response();
        }
        Some(FaultAction::RateLimit(secs)) => ApiError::rate_limited(secs).into_response(),
        Some(FaultAction::ServerError(status)) => ApiError::server(status).into_response(),
        None => next.run(req).await,
    };
    let mut response = json_errors(response).await;
    let status = response.status().as_u16();
    sim.journal_push(JournalEntry { status, ..entry });
    if let Ok(v) = HeaderValue::from_str(&format!("req_sim_{seq:08}")) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

/// Framework rejections (an undecodable path segment, say) come as plain text; clients of Flex
/// expect JSON errors, so they are rewrapped in the usual shape.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let text = to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let message = String::from_utf8_lossy(&text).trim().to_owned();
    let message = if message.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        message
    };
    let mut err = ApiError::bad_request("invalid_request", message);
    err.status = status;
    err.into_response()
}

/// The scope resource a route belongs to, and whether it writes. Documented in the README.
pub fn scope_for(method: &Method, path: &str) -> (String, bool) {
    let rest = path.strip_prefix("/v1/").unwrap_or(path);
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let write = !matches!(*method, Method::GET | Method::HEAD);
    match segs.as_slice() {
        ["checkout", "sessions", _, "refund"] => ("refunds".into(), true),
        ["checkout", "sessions", _, "capture"] => ("captures".into(), true),
        // Previews have no side effects: reading is enough.
        [
            "checkout",
            "sessions",
            _,
            "capture_allocation" | "refund_allocation",
        ] => ("checkout_sessions".into(), false),
        ["checkout", ..] => ("checkout_sessions".into(), write),
        ["customers", _, "payment_methods", ..] => ("payment_methods".into(), write),
        ["subscriptions", _, "refund_preview"] => ("subscriptions".into(), false),
        [first, ..] => ((*first).to_owned(), write),
        [] => (String::new(), write),
    }
}

/// Whether `scopes` grant `resource` (write implies read; `*:read` / `*:write` cover everything).
pub fn scope_allows(scopes: &[String], resource: &str, write: bool) -> bool {
    if scopes.is_empty() {
        return true;
    }
    scopes.iter().any(|s| {
        let Some((res, level)) = s.split_once(':') else {
            return false;
        };
        (res == resource || res == "*") && (level == "write" || (level == "read" && !write))
    })
}

/// Bearer key → [`Ctx`]; 401 for a missing/unknown key, 403 outside the key's scopes.
pub async fn auth(State(sim): State<Arc<Sim>>, mut req: Request, next: Next) -> Response {
    let Some(key) = bearer(&req) else {
        return ApiError::unauthorized(
            "missing API key: send the header `Authorization: Bearer fsk_test_…` (or a live fsk_… key)",
        )
        .into_response();
    };
    if !key.starts_with("fsk_") {
        return ApiError::unauthorized(
            "malformed API key: Flex keys start with fsk_test_ (test) or fsk_ (live)",
        )
        .into_response();
    }
    let scopes = match sim.keys.read().get(key) {
        Some(info) => info.scopes.clone(),
        None => return ApiError::unauthorized("invalid API key provided").into_response(),
    };
    let (resource, write) = scope_for(req.method(), req.uri().path());
    if !scope_allows(&scopes, &resource, write) {
        let needed = format!("{resource}:{}", if write { "write" } else { "read" });
        return ApiError::forbidden(format!(
            "this API key lacks the scope `{needed}` (it has: {})",
            scopes.join(", ")
        ))
        .into_response();
    }
    let ctx = Ctx {
        key: key.to_owned(),
        test: key_is_test(key),
    };
    req.extensions_mut().insert(ctx);
    next.run(req).await
}

const IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 3600);

/// Replay or refuse repeated writes that carry the same `Idempotency-Key` (scoped per API key).
pub async fn idempotency(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let is_write = matches!(
        *req.method(),
        Method::POST | Method::PATCH | Method::PUT | Method::DELETE
    );
    let idem = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (Some(idem), true) = (idem, is_write) else {
        return next.run(req).await;
    };
    let Some(ctx) = req.extensions().get::<Ctx>().cloned() else {
        return next.run(req).await;
    };

    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return ApiError::too_large(format!("request body is larger than {MAX_BODY} bytes"))
            .into_response();
    };
    let what = format!(
        "{} {}?{}",
        parts.method,
        parts.uri.path(),
        parts.uri.query().unwrap_or("")
    );
    let fingerprint = if let Ok(v) = serde_json::from_slice(&bytes) {
        Fingerprint::Json(what, v)
    } else {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        bytes.hash(&mut h);
        Fingerprint::Raw(what, h.finish())
    };
    let slot = (ctx.key.clone(), idem.clone());
    {
        let mut records = sim.idempotency.lock();
        match records.get(&slot) {
            Some(IdemRecord::Done { at, .. }) if at.elapsed() > IDEMPOTENCY_TTL => {
                records.remove(&slot);
            }
            Some(IdemRecord::Done {
                fingerprint: first,
                status,
                body,
                ..
            }) => {
                if *first != fingerprint {
                    return ApiError::idempotency(format!(
                        "Idempotency-Key '{idem}' was already used with a different request; use a new key"
                    ))
                    .into_response();
                }
                let mut resp = (*status, body.clone()).into_response();
                resp.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                resp.headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
                return resp;
            }
            Some(IdemRecord::InFlight(_)) => {
                return ApiError::idempotency(format!(
                    "a request with Idempotency-Key '{idem}' is still in progress; retry later"
                ))
                .into_response();
            }
            None => {}
        }
        records.insert(slot.clone(), IdemRecord::InFlight(fingerprint.clone()));
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = response.status();
    // Server errors are not remembered, so a retry with the same key can still succeed.
    if status.is_server_error() {
        sim.idempotency.lock().remove(&slot);
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(body) = to_bytes(body, usize::MAX).await else {
        sim.idempotency.lock().remove(&slot);
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    sim.idempotency.lock().insert(
        slot,
        IdemRecord::Done {
            fingerprint,
            status,
            body: body.clone(),
            at: Instant::now(),
        },
    );
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_map_routes_to_resources() {
        assert_eq!(
            scope_for(&Method::GET, "/v1/products/fprod_1"),
            ("products".into(), false)
        );
        assert_eq!(
            scope_for(&Method::POST, "/v1/checkout/sessions"),
            ("checkout_sessions".into(), true)
        );
        assert_eq!(
            scope_for(&Method::POST, "/v1/checkout/sessions/x/refund"),
            ("refunds".into(), true)
        );
        assert_eq!(
            scope_for(&Method::POST, "/v1/checkout/sessions/x/refund_allocation"),
            ("checkout_sessions".into(), false)
        );
    }

    #[test]
    fn write_scope_implies_read_and_empty_means_all() {
        let s = vec!["products:write".to_owned()];
        assert!(scope_allows(&s, "products", false));
        assert!(scope_allows(&s, "products", true));
        assert!(!scope_allows(&s, "prices", false));
        assert!(scope_allows(&[], "refunds", true));
        let r = vec!["*:read".to_owned()];
        assert!(scope_allows(&r, "refunds", false) && !scope_allows(&r, "refunds", true));
    }
}
