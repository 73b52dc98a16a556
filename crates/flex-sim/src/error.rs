//! The simulator's error responses.
//!
//! Flex documents `{"error":{"code","message"}}` while its own WooCommerce plugin parses FastAPI-style
//! `{"detail":[{"loc","msg","type"}]}` bodies, and a third-party consumer reads `error.type` and
//! `error.param`. Every error here carries all of them (reference §5.3 merged recommendation plus
//! Appendix C), so any of those clients can read it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One failed request: the HTTP status and everything the body says about why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    /// HTTP status code.
    pub status: StatusCode,
    /// Machine-readable code (`error.code`, and `detail[].type` for validation errors).
    pub code: String,
    /// Error class (`error.type`): `invalid_request_error`, `authentication_error`, …
    pub kind: &'static str,
    /// Human-readable explanation that names the field and the fix.
    pub message: String,
    /// Location of the offending field, e.g. `["product", "name"]`.
    pub loc: Vec<String>,
    /// Seconds for the `Retry-After` header (429 only).
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            kind,
            message: message.into(),
            loc: Vec::new(),
            retry_after: None,
        }
    }

    /// 400: the body is not JSON (or not the expected form encoding).
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            code,
            "invalid_request_error",
            message,
        )
    }

    /// 401: missing, malformed or unknown API key.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "authentication_error",
            message,
        )
    }

    /// 403: the key is valid but lacks the scope the route needs.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "permission_error",
            message,
        )
    }

    /// 404: no such object in this key's mode.
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource_missing",
            "invalid_request_error",
            format!("No such {what}: '{id}'"),
        )
    }

    /// 404 for a path that is not a route.
    pub fn no_route(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "invalid_request_error",
            format!("Unrecognized request URL ({method} {path})"),
        )
    }

    /// 405 for a known path with the wrong method.
    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "invalid_request_error",
            format!("{method} is not allowed on {path}"),
        )
    }

    /// 422: a field is missing or invalid. `loc` names the field, `code` the kind of failure.
    pub fn invalid(loc: &[&str], code: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            "invalid_request_error",
            message,
        );
        e.loc = loc.iter().map(|s| (*s).to_owned()).collect();
        e
    }

    /// 422 with an owned location (for array indices and nested fields).
    pub fn invalid_at(loc: Vec<String>, code: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            "invalid_request_error",
            message,
        );
        e.loc = loc;
        e
    }

    /// 422: the request is well formed but the object's state forbids it.
    pub fn state(code: &str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            "invalid_request_error",
            message,
        )
    }

    /// 409: idempotency key reused with another request, or while the first is in flight.
    pub fn idempotency(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "idempotency_error",
            "idempotency_error",
            message,
        )
    }

    /// 429 injected by the fault controls.
    pub fn rate_limited(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "rate_limit_error",
            format!("Too many requests; retry after {retry_after} s"),
        );
        e.retry_after = Some(retry_after);
        e
    }

    /// 5xx injected by the fault controls.
    pub fn server(status: StatusCode) -> Self {
        Self::new(
            status,
            "api_error",
            "api_error",
            "Internal Server Error (injected by flex-sim)",
        )
    }

    /// 413: body larger than the simulator accepts at all.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "invalid_request_error",
            message,
        )
    }

    /// The JSON body, in the merged shape described at the top of this module.
    pub fn body(&self) -> Value {
        let mut error = json!({
            "code": self.code,
            "type": self.kind,
            "message": self.message,
        });
        if !self.loc.is_empty() {
            error["param"] = Value::String(self.loc.join("."));
        }
        let mut body = json!({ "error": error });
        if self.status == StatusCode::UNPROCESSABLE_ENTITY || self.status == StatusCode::BAD_REQUEST
        {
            body["detail"] = json!([{
                "loc": self.loc,
                "msg": format!("{}: {}", self.code, self.message),
                "type": self.code,
            }]);
        }
        body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body();
        let mut resp = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            resp.headers_mut()
                .insert("x-ratelimit-remaining", HeaderValue::from(0u32));
        }
        resp
    }
}

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;
