//! Streamable HTTP on 127.0.0.1, for clients that speak HTTP instead of spawning a process.
//!
//! A local HTTP port is reachable by every web page the user opens, so before rmcp sees a request
//! it must pass three checks, cheapest first:
//! 1. `Host` is a loopback name (DNS rebinding: a hostile page resolving its own name to
//!    127.0.0.1 still sends its own `Host`) → otherwise 403;
//! 2. `Origin`, when present, is a loopback origin (a browser page cannot forge it) → otherwise
//!    403;
//! 3. `Authorization: Bearer <token>` matches the token the host generated and stored with
//!    user-only permissions → otherwise 401.
//!
//! The service is stateless (no sessions, JSON responses), so it offers no server-to-client
//! stream: `GET /mcp` answers 405, as the spec allows. Stateless also means nothing to clean up
//! when a client disappears.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use crate::server::FlexServer;

/// Path the MCP endpoint is mounted at.
pub const MCP_PATH: &str = "/mcp";

/// The router: `/mcp` behind the Host, Origin and token checks.
pub fn router(server: FlexServer, token: &str, cancel: CancellationToken) -> axum::Router {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_cancellation_token(cancel)
        .with_allowed_hosts(["localhost", "127.0.0.1", "::1", "[::1]"]);
    let service: StreamableHttpService<FlexServer, NeverSessionManager> =
        StreamableHttpService::new(
            move || Ok(server.session()),
            Arc::new(NeverSessionManager::default()),
            config,
        );
    let guard = Arc::new(Guard {
        token: token.to_string(),
    });
    axum::Router::new()
        .nest_service(MCP_PATH, service)
        .layer(axum::middleware::from_fn_with_state(guard, check_request))
}

/// Serve until `cancel` fires. `listener` must be bound to a loopback address (the caller binds
/// it so it can report the port, e.g. for `--http 0`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    server: FlexServer,
    token: &str,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("refusing to serve MCP on {addr}: only 127.0.0.1 / ::1 are allowed"),
        ));
    }
    let app = router(server, token, cancel.child_token());
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { cancel.cancelled().await })
    .await
}

struct Guard {
    token: String,
}

async fn check_request(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    if let Some(response) = check_headers(request.headers(), &guard.token) {
        return response;
    }
    next.run(request).await
}

/// The three checks, in order. `Some` is the refusal to send.
fn check_headers(headers: &HeaderMap, token: &str) -> Option<Response> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !is_loopback_authority(host) {
        return Some(refuse(
            StatusCode::FORBIDDEN,
            "Host must be localhost, 127.0.0.1 or [::1]: this server only serves this machine",
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin.to_str().ok().is_some_and(is_loopback_origin);
        if !ok {
            return Some(refuse(
                StatusCode::FORBIDDEN,
                "Origin not allowed: only pages served from this machine may call this server",
            ));
        }
    }
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    match presented {
        Some(p) if constant_time_eq(p.as_bytes(), token.as_bytes()) => None,
        _ => {
            let mut response = refuse(
                StatusCode::UNAUTHORIZED,
                "missing or wrong bearer token: send `Authorization: Bearer <token>` with the \
                 token from the http-token file (see `flex-mcp serve --help`)",
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"flex-mcp\""),
            );
            Some(response)
        }
    }
}

fn refuse(status: StatusCode, message: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

/// `localhost`, `127.0.0.1` (any 127/8), `[::1]`, each with an optional port.
fn is_loopback_authority(authority: &str) -> bool {
    let host = if let Some(rest) = authority.strip_prefix('[') {
        match rest.split_once(']') {
            Some((h, tail)) if tail.is_empty() || tail.starts_with(':') => h,
            _ => return false,
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            Some(_) => return false,
            None => authority,
        }
    };
    is_loopback_host(host)
}

fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// `http(s)://` + a loopback authority, nothing after it.
fn is_loopback_origin(origin: &str) -> bool {
    let rest = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    rest.is_some_and(|authority| !authority.contains('/') && is_loopback_authority(authority))
}

/// Compare without leaking, through timing, how much of the token matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), v.parse().unwrap());
        }
        h
    }

    #[test]
    fn loopback_names_pass_and_others_fail() {
        for ok in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:1",
            "127.8.9.1",
            "[::1]:9",
            "[::1]",
        ] {
            assert!(is_loopback_authority(ok), "{ok}");
        }
        for bad in [
            "evil.com",
            "evil.com:80",
            "localhost.evil.com",
            "10.0.0.1:80",
            "",
            "[::2]:1",
        ] {
            assert!(!is_loopback_authority(bad), "{bad}");
        }
        assert!(is_loopback_origin("http://localhost:5173"));
        assert!(!is_loopback_origin("null"));
        assert!(!is_loopback_origin("https://evil.com"));
        assert!(!is_loopback_origin("http://localhost.evil.com"));
    }

    #[test]
    fn checks_run_host_then_origin_then_token() {
        let t = "secret-token";
        let good = [
            (header::HOST, "127.0.0.1:1234"),
            (header::AUTHORIZATION, "Bearer secret-token"),
        ];
        assert!(check_headers(&headers(&good), t).is_none());
        let status = |pairs: &[(header::HeaderName, &str)]| {
            check_headers(&headers(pairs), t).unwrap().status()
        };
        assert_eq!(
            status(&[(header::HOST, "127.0.0.1")]),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status(&[
                (header::HOST, "127.0.0.1"),
                (header::AUTHORIZATION, "Bearer nope")
            ]),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status(&[
                (header::HOST, "127.0.0.1"),
                (header::ORIGIN, "https://evil.example"),
                (header::AUTHORIZATION, "Bearer secret-token"),
            ]),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            status(&[
                (header::HOST, "evil.example"),
                (header::AUTHORIZATION, "Bearer secret-token")
            ]),
            StatusCode::FORBIDDEN
        );
    }
}
