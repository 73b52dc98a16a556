//! The client: one pooled HTTPS connection pool per `Client`, the retry loop, and the checks
//! that happen before anything is sent (key format, base URL).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use serde_json::Value;

use crate::config::ClientConfig;
use crate::error::{ApiError, Error};
use crate::mode::Mode;
use crate::request::{Body, Request};
use crate::retry::{self, Failure};

/// A Flex API client. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    mode: Mode,
    /// `Bearer <key>`, marked sensitive so that reqwest/hyper never log it.
    auth: HeaderValue,
    timeout: Duration,
    max_attempts: u32,
    max_total: Duration,
    max_retry_after: Duration,
}

/// A successful answer, with what the retry loop saw.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// HTTP status (2xx).
    pub status: u16,
    /// The full JSON body (envelope included); `Value::Null` for 204 or an empty body.
    pub body: Value,
    /// `X-Request-Id` / `Request-Id` header, if any.
    pub request_id: Option<String>,
    /// Attempts made (1 when not retried).
    pub attempts: u32,
    /// The `Idempotency-Key` sent (writes only).
    pub idempotency_key: Option<String>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("mode", &self.inner.mode)
            .field("api_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Check the key and base URL and build the connection pool. No request is sent.
    #[allow(clippy::needless_pass_by_value)] // by value per the contract: the config is consumed conceptually
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        let mode = check_key(&config.api_key)?;
        let base_url = normalize_base_url(&config.base_url)?;
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", config.api_key)).map_err(|_| {
                Error::InvalidKey {
                    message: BAD_CHARS.to_owned(),
                }
            })?;
        auth.set_sensitive(true);
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| Error::invalid_request(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                mode,
                auth,
                timeout: config.timeout,
                max_attempts: config.max_attempts.max(1),
                max_total: config.max_total,
                max_retry_after: config.max_retry_after,
            }),
        })
    }

    /// Test or live, from the key's prefix.
    pub fn mode(&self) -> Mode {
        self.inner.mode
    }

    /// The normalized base URL (no trailing slash, no `/v1`).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Send a request and return the full JSON body of the 2xx answer.
    pub async fn send(&self, req: Request) -> Result<Value, Error> {
        self.send_raw(req).await.map(|r| r.body)
    }

    /// Send a request, retrying where safe, and return the 2xx answer with its metadata.
    /// Non-2xx answers become [`Error::Api`].
    pub async fn send_raw(&self, req: Request) -> Result<Response, Error> {
        let inner = &*self.inner;
        let url = self.url_for(&req)?;
        let idempotency_key = req.resolve_idempotency_key();
        let safe_to_repeat = !req.method().is_write() || idempotency_key.is_some();
        let form_body = match req.body() {
            Body::Multipart(m) => Some(m),
            _ => None,
        };
        let json_body =
            match req.body() {
                Body::Json(v) => Some(serde_json::to_vec(v).map_err(|e| {
                    Error::invalid_request(format!("body is not serializable: {e}"))
                })?),
                _ => None,
            };

        let deadline = Instant::now() + inner.max_total;
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let remaining = deadline.saturating_duration_since(Instant::now());
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, inner.auth.clone());
            headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
            if let Some(key) = &idempotency_key {
                let value = HeaderValue::from_str(key).map_err(|_| {
                    Error::invalid_request(
                        "idempotency_key must be visible ASCII without line breaks (e.g. a UUID)",
                    )
                })?;
                headers.insert("Idempotency-Key", value);
            }
            let mut builder = inner
                .http
                .request(req.method().to_reqwest(), url.clone())
                .headers(headers)
                .timeout(inner.timeout.min(remaining.max(Duration::from_millis(1))));
            if let Some(bytes) = &json_body {
                builder = builder
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes.clone());
            }
            if let Some(form) = form_body {
                let form = form.to_form().map_err(|e| {
                    Error::invalid_request(format!("file content_type is not a MIME type: {e}"))
                })?;
                builder = builder.multipart(form);
            }

            let (failure, error) = match builder.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let request_id = header_str(resp.headers(), "x-request-id")
                        .or_else(|| header_str(resp.headers(), "request-id"));
                    let retry_after = header_str(resp.headers(), RETRY_AFTER.as_str())
                        .and_then(|v| retry::parse_retry_after(&v));
                    match resp.bytes().await {
                        Ok(bytes) if (200..300).contains(&status) => {
                            let body = parse_success_body(status, &bytes)?;
                            return Ok(Response {
                                status,
                                body,
                                request_id,
                                attempts,
                                idempotency_key,
                            });
                        }
                        Ok(bytes) => {
                            let mut api = ApiError::from_body(status, &bytes);
                            api.request_id = request_id;
                            api.retry_after = retry_after;
                            api.attempts = attempts;
                            let failure = match status {
                                429 => Failure::RateLimited(retry_after),
                                500..=599 => Failure::Server(status, retry_after),
                                409 if api.is_in_flight_conflict() => Failure::InFlight,
                                _ => Failure::Client,
                            };
                            (failure, Error::Api(api))
                        }
                        Err(e) => (
                            Failure::Transport,
                            Error::Network {
                                message: describe(&e, inner),
                                attempts,
                            },
                        ),
                    }
                }
                Err(e) => {
                    let failure = if e.is_connect() {
                        Failure::Connect
                    } else {
                        Failure::Transport
                    };
                    (
                        failure,
                        Error::Network {
                            message: describe(&e, inner),
                            attempts,
                        },
                    )
                }
            };

            let delay = retry::delay_before_retry(
                failure,
                safe_to_repeat,
                attempts,
                inner.max_retry_after,
                rand::random::<f64>(),
            );
            match delay {
                Some(wait) if attempts < inner.max_attempts && Instant::now() + wait < deadline => {
                    tokio::time::sleep(wait).await;
                }
                _ => return Err(error),
            }
        }
    }

    fn url_for(&self, req: &Request) -> Result<reqwest::Url, Error> {
        let path = req.path();
        if !path.starts_with('/') {
            return Err(Error::invalid_request(format!(
                "path `{path}` must start with `/` (e.g. `/v1/products`)"
            )));
        }
        let mut url =
            reqwest::Url::parse(&format!("{}{}", self.inner.base_url, path)).map_err(|e| {
                Error::invalid_request(format!("path `{path}` does not form a URL: {e}"))
            })?;
        if !req.query_params().is_empty() {
            url.query_pairs_mut().extend_pairs(req.query_params());
        }
        Ok(url)
    }
}

const BAD_CHARS: &str = "the key contains spaces, line breaks or non-ASCII characters; copy it \
                         again from dashboard.withflex.com/apikeys without surrounding whitespace";

/// The key decides the mode; anything that is not a Flex secret key is refused here, before it
/// could be sent anywhere. Messages never include the key itself.
fn check_key(key: &str) -> Result<Mode, Error> {
    let invalid = |message: &str| Error::InvalidKey {
        message: message.to_owned(),
    };
    if key.is_empty() {
        return Err(invalid(
            "no key given: use the secret key from dashboard.withflex.com/apikeys \
             (it starts with `fsk_test_` for test mode or `fsk_` for live mode)",
        ));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(BAD_CHARS));
    }
    let Some(mode) = Mode::of_key(key) else {
        let hint = if key.starts_with("sk_") || key.starts_with("pk_") || key.starts_with("rk_") {
            " (this looks like a Stripe key, not a Flex key)"
        } else if key.to_ascii_lowercase().starts_with("fsk_") {
            " (the prefix is case-sensitive: use lowercase `fsk_`)"
        } else {
            ""
        };
        return Err(Error::InvalidKey {
            message: format!(
                "a Flex secret key starts with `fsk_test_` (test mode) or `fsk_` (live mode); \
                 this one does not{hint}"
            ),
        });
    };
    if key == "fsk_" || key == "fsk_test_" {
        return Err(invalid(
            "the key has nothing after its `fsk_`/`fsk_test_` prefix; copy the whole key",
        ));
    }
    Ok(mode)
}

/// `https://api.withflex.com/`, `…/v1` and `…/v1/` all mean the same host; keep the canonical
/// form so request paths (`/v1/…`) can be appended verbatim.
fn normalize_base_url(raw: &str) -> Result<String, Error> {
    let mut s = raw.trim().trim_end_matches('/');
    if let Some(stripped) = s.strip_suffix("/v1") {
        s = stripped.trim_end_matches('/');
    }
    let bad = |why: &str| {
        Error::invalid_request(format!(
            "base_url `{raw}` {why}; use e.g. `https://api.withflex.com` or `http://127.0.0.1:8080`"
        ))
    };
    let url = reqwest::Url::parse(s).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query or fragment"));
    }
    Ok(s.to_owned())
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_owned)
}

fn parse_success_body(status: u16, bytes: &[u8]) -> Result<Value, Error> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes).map_err(|e| Error::Decode {
        status,
        message: format!("body is not JSON ({e}); starts with {:?}", snippet(bytes)),
    })
}

fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(80)]);
    text.into_owned()
}

/// A one-line cause for a transport failure: kind, target and the innermost reason.
fn describe(e: &reqwest::Error, inner: &Inner) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "response was cut off"
    } else {
        "request failed"
    };
    let mut root: &dyn std::error::Error = e;
    while let Some(next) = root.source() {
        root = next;
    }
    format!("{kind} ({}): {root}", inner.base_url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_decide_mode_or_are_refused() {
        assert_eq!(check_key("fsk_test_abc").unwrap(), Mode::Test);
        assert_eq!(check_key("fsk_abc").unwrap(), Mode::Live);
        for bad in [
            "",
            "sk_test_abc",
            "FSK_abc",
            "fsk_",
            "fsk_test_",
            "fsk_test_ab c",
            "fsk_abc\n",
        ] {
            let err = check_key(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidKey { .. }), "{bad:?} accepted");
        }
        let msg = check_key("sk_test_SECRET123").unwrap_err().to_string();
        assert!(!msg.contains("SECRET123"), "key echoed: {msg}");
        assert!(msg.contains("Stripe"), "{msg}");
    }

    #[test]
    fn base_url_forms() {
        for ok in [
            "https://api.withflex.com",
            "https://api.withflex.com/",
            "https://api.withflex.com/v1",
            "https://api.withflex.com/v1/",
            " https://api.withflex.com// ",
        ] {
            assert_eq!(
                normalize_base_url(ok).unwrap(),
                "https://api.withflex.com",
                "{ok}"
            );
        }
        assert_eq!(
            normalize_base_url("http://127.0.0.1:9/proxy/").unwrap(),
            "http://127.0.0.1:9/proxy"
        );
        for bad in ["", "api.withflex.com", "ftp://x", "https://x?y=1"] {
            assert!(
                matches!(normalize_base_url(bad), Err(Error::InvalidRequest { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn client_debug_hides_the_key() {
        let c = Client::new(ClientConfig::new("fsk_test_TOPSECRET")).unwrap();
        assert!(!format!("{c:?}").contains("TOPSECRET"));
        assert_eq!(c.mode(), Mode::Test);
        assert_eq!(c.base_url(), "https://api.withflex.com");
    }

    #[test]
    fn empty_and_non_json_success_bodies() {
        assert_eq!(parse_success_body(204, b"").unwrap(), Value::Null);
        assert!(matches!(
            parse_success_body(200, b"<html>"),
            Err(Error::Decode { status: 200, .. })
        ));
    }
}
