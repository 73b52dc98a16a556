//! One error type for every call, so callers (the MCP tools above all) can tell a model exactly
//! what Flex said: HTTP status, Flex's code and message, which field was at fault, the request id.
//!
//! Flex documents `{"error":{"code","message"}}`, while its own plugin parses FastAPI-style
//! `{"detail":[{"loc","msg","type"}]}`, and a third-party mock adds `type`/`param`. The parser here
//! reads every variant (and their merge), and falls back to the status line for non-JSON bodies
//! such as a proxy's HTML 502.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

/// Everything that can go wrong talking to Flex.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The key is malformed or not a Flex secret key; detected before any request was sent.
    #[error("invalid Flex API key: {message}")]
    InvalidKey {
        /// What is wrong and how to fix it (never contains the key).
        message: String,
    },
    /// Flex answered with a non-2xx status (after retries where they were allowed).
    #[error(transparent)]
    Api(ApiError),
    /// Flex could not be reached or did not answer: connect failure, reset, timeout.
    #[error("could not reach Flex: {message} (after {attempts} attempt{})", plural(*attempts))]
    Network {
        /// What happened on the last attempt.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// Flex answered 2xx but the body is not the JSON we expect.
    #[error("unexpected response from Flex (HTTP {status}): {message}")]
    Decode {
        /// HTTP status of the response.
        status: u16,
        /// What could not be read.
        message: String,
    },
    /// The request cannot be built (bad base URL, bad path, bad argument).
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// What is wrong and how to fix it.
        message: String,
    },
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl Error {
    /// HTTP status, for API errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Flex's error code (`error.code`, else `detail[0].type`), for API errors.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.code.as_deref(),
            _ => None,
        }
    }

    /// The API error, if Flex answered.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Attempts made before giving up, when a request was sent at all.
    pub fn attempts(&self) -> Option<u32> {
        match self {
            Error::Api(e) => Some(e.attempts),
            Error::Network { attempts, .. } => Some(*attempts),
            _ => None,
        }
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            message: message.into(),
        }
    }
}

/// A non-2xx answer from Flex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `error.code`, or `detail[0].type`.
    pub code: Option<String>,
    /// `error.type` when present (e.g. `invalid_request_error`, `idempotency_error`).
    pub error_type: Option<String>,
    /// `error.message`, the `detail` messages, `message`, or "HTTP 502 Bad Gateway" when the body
    /// is not JSON.
    pub message: String,
    /// `error.param` when present: the field at fault.
    pub param: Option<String>,
    /// Validation details from `{"detail":[{loc,msg,type}]}`.
    pub details: Vec<FieldError>,
    /// `X-Request-Id` / `Request-Id` response header, if any.
    pub request_id: Option<String>,
    /// `Retry-After` of a 429/503, if any.
    pub retry_after: Option<Duration>,
    /// Attempts made (1 when not retried).
    pub attempts: u32,
}

/// One validation failure: where (`loc`, e.g. `["body","refund","amount"]`), what, and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path to the offending field, as Flex gives it.
    pub loc: Vec<String>,
    /// Human message.
    pub msg: String,
    /// Machine type, e.g. `price_not_found`, `missing`.
    pub kind: String,
}

impl FieldError {
    /// The location as a dotted path without the leading `body`/`query`/`path` marker
    /// (`refund.amount`), which is how a person names the field.
    pub fn field(&self) -> String {
        let skip = usize::from(
            matches!(
                self.loc.first().map(String::as_str),
                Some("body" | "query" | "path" | "header")
            ) && self.loc.len() > 1,
        );
        self.loc[skip..].join(".")
    }
}

impl ApiError {
    /// Read an error body (any documented shape, or none) into an `ApiError`.
    pub fn from_body(status: u16, body: &[u8]) -> ApiError {
        let mut err = ApiError {
            status,
            code: None,
            error_type: None,
            message: String::new(),
            param: None,
            details: Vec::new(),
            request_id: None,
            retry_after: None,
            attempts: 1,
        };
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
            {
                if let Some(e) = map.get("error") {
                    match e {
                        Value::Object(e) => {
                            err.code = str_field(e, "code");
                            err.error_type = str_field(e, "type");
                            err.param = str_field(e, "param");
                            if let Some(m) = str_field(e, "message") {
                                err.message = m;
                            }
                        }
                        Value::String(s) => err.message.clone_from(s),
                        _ => {}
                    }
                }
                match map.get("detail") {
                    Some(Value::Array(items)) => {
                        err.details = items.iter().filter_map(field_error).collect();
                    }
                    Some(Value::String(s)) if err.message.is_empty() => err.message.clone_from(s),
                    _ => {}
                }
                if err.code.is_none() {
                    err.code = err
                        .details
                        .first()
                        .map(|d| d.kind.clone())
                        .filter(|k| !k.is_empty());
                }
                if err.message.is_empty() {
                    if let Some(m) = map.get("message").and_then(Value::as_str) {
                        m.clone_into(&mut err.message);
                    } else if !err.details.is_empty() {
                        err.message = err
                            .details
                            .iter()
                            .map(|d| d.msg.as_str())
                            .collect::<Vec<_>>()
                            .join("; ");
                    }
                }
            }
        }
        if err.message.is_empty() {
            err.message = status_line(status);
        }
        err
    }

    /// True when the conflict is about a request with the same key that is still running (not
    /// about a different body): only then does waiting and repeating help. Flex documents no
    /// wording, so this reads the message (a third-party mock and our simulator say "in
    /// progress").
    pub fn is_in_flight_conflict(&self) -> bool {
        let msg = self.message.to_ascii_lowercase();
        self.status == 409
            && self.is_idempotency_conflict()
            && ["in progress", "in flight", "in-flight", "concurrent"]
                .iter()
                .any(|w| msg.contains(w))
    }

    /// True for Flex's idempotency conflicts (409, or 400 with type `idempotency_error`).
    pub fn is_idempotency_conflict(&self) -> bool {
        self.error_type.as_deref() == Some("idempotency_error")
            || self.code.as_deref() == Some("idempotency_error")
            || (self.status == 409 && self.code.as_deref().is_some_and(|c| c.contains("idempot")))
    }
}

fn str_field(map: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn field_error(item: &Value) -> Option<FieldError> {
    let obj = item.as_object()?;
    let loc = match obj.get("loc") {
        Some(Value::Array(parts)) => parts
            .iter()
            .map(|p| match p {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    Some(FieldError {
        loc,
        msg: str_field(obj, "msg").unwrap_or_default(),
        kind: str_field(obj, "type").unwrap_or_default(),
    })
}

fn status_line(status: u16) -> String {
    match reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("HTTP {status} {reason}"),
        None => format!("HTTP {status}"),
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Flex API error {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(param) = &self.param {
            write!(f, " [field `{param}`]")?;
        }
        for d in &self.details {
            // The summary message is often the detail message itself; don't repeat it.
            if self.details.len() == 1 && self.message == d.msg {
                write!(f, " [field `{}`]", d.field())?;
            } else {
                write!(f, "; field `{}`: {}", d.field(), d.msg)?;
            }
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_error_shape() {
        let e = ApiError::from_body(
            400,
            br#"{"error":{"code":"invalid_request","message":"Missing required parameter: price"}}"#,
        );
        assert_eq!(e.code.as_deref(), Some("invalid_request"));
        assert_eq!(e.message, "Missing required parameter: price");
        assert!(e.details.is_empty());
    }

    #[test]
    fn fastapi_detail_shape_names_the_field() {
        let e = ApiError::from_body(
            422,
            br#"{"detail":[{"loc":["body","checkout_session","line_items",0,"price"],"msg":"price_not_found: One or more prices are not valid","type":"price_not_found"}]}"#,
        );
        assert_eq!(e.code.as_deref(), Some("price_not_found"));
        assert_eq!(e.details.len(), 1);
        assert_eq!(e.details[0].field(), "checkout_session.line_items.0.price");
        let shown = e.to_string();
        assert!(
            shown.contains("checkout_session.line_items.0.price"),
            "{shown}"
        );
        assert!(shown.contains("422"), "{shown}");
    }

    #[test]
    fn merged_shape_keeps_both() {
        let e = ApiError::from_body(
            422,
            br#"{"error":{"code":"amount_too_large","message":"too much","type":"invalid_request_error","param":"refund.amount"},"detail":[{"loc":["body","refund","amount"],"msg":"amount_too_large: too much","type":"amount_too_large"}]}"#,
        );
        assert_eq!(e.code.as_deref(), Some("amount_too_large"));
        assert_eq!(e.error_type.as_deref(), Some("invalid_request_error"));
        assert_eq!(e.param.as_deref(), Some("refund.amount"));
        assert_eq!(e.message, "too much");
        assert_eq!(e.details[0].field(), "refund.amount");
    }

    #[test]
    fn html_502_becomes_status_line() {
        let e = ApiError::from_body(502, b"<html><body>Bad gateway</body></html>");
        assert_eq!(e.message, "HTTP 502 Bad Gateway");
        assert_eq!(e.code, None);
    }

    #[test]
    fn bare_message_and_empty_body() {
        assert_eq!(
            ApiError::from_body(500, br#"{"message":"Internal Server Error"}"#).message,
            "Internal Server Error"
        );
        assert_eq!(ApiError::from_body(404, b"").message, "HTTP 404 Not Found");
    }

    #[test]
    fn idempotency_conflict_detected_by_type() {
        let e = ApiError::from_body(
            400,
            br#"{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters"}}"#,
        );
        assert!(e.is_idempotency_conflict());
        assert!(
            !e.is_in_flight_conflict(),
            "a different body is not worth retrying"
        );
        let busy = ApiError::from_body(
            409,
            br#"{"error":{"code":"idempotency_error","type":"idempotency_error","message":"a request with Idempotency-Key 'k' is still in progress; retry later"}}"#,
        );
        assert!(busy.is_in_flight_conflict());
    }
}
