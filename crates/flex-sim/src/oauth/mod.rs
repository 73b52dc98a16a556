//! The authorization server in front of the hosted MCP's OAuth endpoint, per the MCP
//! authorization spec: RFC 9728 protected-resource metadata, RFC 8414 server metadata, RFC 7591
//! dynamic registration, the authorize pages, a token endpoint checking PKCE S256 and the RFC 8707
//! `resource`, rotating refresh tokens with reuse detection, RFC 7009 revocation and `iss` in the
//! authorization response (RFC 9207). The reference documents none of the URLs (§2.3, §8.10);
//! every choice is listed in the README.

pub mod grants;
mod pages;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::state::Sim;
use grants::{Client, Pending, TokenFault};

/// Path of the hosted MCP endpoint that takes OAuth access tokens (§6.2).
pub const OAUTH_MCP_PATH: &str = "/api/mcp/oauth";
/// The scope the server grants (the reference names none; one scope = the user's permissions).
pub const SCOPE: &str = "flex";

/// The issuer: the simulator's own base URL (`http://127.0.0.1:PORT`).
pub fn issuer(sim: &Sim) -> String {
    sim.base_url().to_owned()
}

/// The canonical resource URI of the OAuth MCP endpoint (RFC 8707 / RFC 9728 `resource`).
pub fn resource(sim: &Sim) -> String {
    format!("{}{OAUTH_MCP_PATH}", sim.base_url())
}

/// Where a client finds the protected-resource metadata (sent in `WWW-Authenticate`).
pub fn resource_metadata_url(sim: &Sim) -> String {
    format!(
        "{}/.well-known/oauth-protected-resource{OAUTH_MCP_PATH}",
        sim.base_url()
    )
}

pub(crate) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route(
            "/.well-known/oauth-protected-resource/api/mcp/oauth",
            get(protected_resource),
        )
        .route(
            "/.well-known/oauth-protected-resource",
            get(protected_resource),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(server_metadata),
        )
        .route("/oauth/register", post(register))
        .route("/oauth/authorize", get(authorize))
        .route("/oauth/authorize/login", post(login))
        .route("/oauth/authorize/consent", post(consent))
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
}

/// `/__sim/oauth`: the controls and counters, and `/__sim/oauth/users`.
pub(crate) fn control_routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/", get(show_controls).post(set_controls))
        .route("/users", post(add_user))
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, axum::Json(body.clone())).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// An RFC 6749 §5.2 error body.
fn oauth_error(status: StatusCode, code: &str, description: &str) -> Response {
    json_response(
        status,
        &json!({ "error": code, "error_description": description }),
    )
}

async fn protected_resource(State(sim): State<Arc<Sim>>) -> Response {
    json_response(
        StatusCode::OK,
        &json!({
            "resource": resource(&sim),
            "authorization_servers": [issuer(&sim)],
            "bearer_methods_supported": ["header"],
            "scopes_supported": [SCOPE],
            "resource_name": "Flex MCP (simulator)",
        }),
    )
}

async fn server_metadata(State(sim): State<Arc<Sim>>) -> Response {
    let base = issuer(&sim);
    json_response(
        StatusCode::OK,
        &json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/oauth/authorize"),
            "token_endpoint": format!("{base}/oauth/token"),
            "registration_endpoint": format!("{base}/oauth/register"),
            "revocation_endpoint": format!("{base}/oauth/revoke"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "revocation_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": [SCOPE],
            "authorization_response_iss_parameter_supported": true,
        }),
    )
}

/// A redirect URI we accept at registration: loopback http (any port) or https.
fn acceptable_redirect(uri: &str) -> bool {
    let Ok(parsed) = http::Uri::try_from(uri) else {
        return false;
    };
    let host = parsed.host().unwrap_or_default();
    match parsed.scheme_str() {
        Some("https") => !host.is_empty(),
        Some("http") => matches!(host, "127.0.0.1" | "[::1]" | "localhost"),
        _ => false,
    }
}

async fn register(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            "the body must be a JSON object (RFC 7591)",
        );
    };
    let redirect_uris: Vec<String> = req
        .get("redirect_uris")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if redirect_uris.is_empty() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_redirect_uri",
            "redirect_uris must list at least one URI",
        );
    }
    if let Some(bad) = redirect_uris.iter().find(|u| !acceptable_redirect(u)) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_redirect_uri",
            &format!("redirect URI '{bad}' must be https or a loopback http address"),
        );
    }
    if let Some(method) = req
        .get("token_endpoint_auth_method")
        .and_then(Value::as_str)
        && method != "none"
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            "only public clients are supported: token_endpoint_auth_method must be \"none\"",
        );
    }
    let name = req
        .get("client_name")
        .and_then(Value::as_str)
        .unwrap_or("An MCP client")
        .to_owned();
    let client_id = sim.oauth.lock().register(Client {
        name: name.clone(),
        redirect_uris: redirect_uris.clone(),
    });
    json_response(
        StatusCode::CREATED,
        &json!({
            "client_id": client_id,
            "client_id_issued_at": chrono::Utc::now().timestamp(),
            "client_name": name,
            "redirect_uris": redirect_uris,
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "application_type": req.get("application_type").cloned().unwrap_or(json!("native")),
        }),
    )
}

/// The client's redirect URI with the answer's parameters (and `iss`, RFC 9207) appended.
fn redirect_back(
    redirect_uri: &str,
    iss: &str,
    state: Option<&str>,
    params: &[(&str, &str)],
) -> Response {
    let mut query: Vec<(&str, &str)> = params.to_vec();
    if let Some(s) = state {
        query.push(("state", s));
    }
    query.push(("iss", iss));
    let encoded = serde_urlencoded::to_string(&query).unwrap_or_default();
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{redirect_uri}{sep}{encoded}")).into_response()
}

async fn authorize(
    State(sim): State<Arc<Sim>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let mut server = sim.oauth.lock();
    server.sweep();
    // Until client and redirect URI are known good, errors stay in the browser (RFC 6749 §4.1.2.1).
    let Some(client_id) = get("client_id") else {
        return pages::error(StatusCode::BAD_REQUEST, "The link is missing client_id.");
    };
    let Some(client) = server.clients.get(client_id).cloned() else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "This app is not registered with Flex (unknown client_id). Start the sign-in again from the app.",
        );
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return pages::error(StatusCode::BAD_REQUEST, "The link is missing redirect_uri.");
    };
    if !client.allows_redirect(redirect_uri) {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "The link's redirect_uri is not registered for this app.",
        );
    }
    let iss = issuer(&sim);
    let state = get("state");
    let fail = |code: &str, description: &str| {
        redirect_back(
            redirect_uri,
            &iss,
            state,
            &[("error", code), ("error_description", description)],
        )
    };
    if get("response_type") != Some("code") {
        return fail("unsupported_response_type", "response_type must be code");
    }
    let Some(challenge) = get("code_challenge") else {
        return fail("invalid_request", "code_challenge is required (PKCE)");
    };
    if get("code_challenge_method") != Some("S256") {
        return fail("invalid_request", "code_challenge_method must be S256");
    }
    let expected = resource(&sim);
    match get("resource") {
        Some(r) if r == expected => {}
        Some(_) => return fail("invalid_target", "resource names another server"),
        None => return fail("invalid_target", "resource (RFC 8707) is required"),
    }
    if let Some(scope) = get("scope")
        && scope.split(' ').any(|s| !s.is_empty() && s != SCOPE)
    {
        return fail("invalid_scope", "the only scope is flex");
    }
    let request_id = grants::random_token("freq_");
    server.pending.insert(
        request_id.clone(),
        Pending {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            state: state.map(str::to_owned),
            code_challenge: challenge.to_owned(),
            resource: expected,
            scope: SCOPE.to_owned(),
            user: None,
            started: Instant::now(),
        },
    );
    pages::sign_in(&request_id, &client.name, None)
}

fn form(body: &Bytes) -> HashMap<String, String> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

const EXPIRED: &str =
    "This sign-in page has expired or was already used. Start the sign-in again from the app.";

async fn login(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let f = form(&body);
    let field = |k: &str| f.get(k).map_or("", String::as_str);
    let mut server = sim.oauth.lock();
    let request_id = field("request").to_owned();
    let Some(pending) = server.pending.get(&request_id).cloned() else {
        return pages::error(StatusCode::BAD_REQUEST, EXPIRED);
    };
    let client_name = server
        .clients
        .get(&pending.client_id)
        .map_or_else(String::new, |c| c.name.clone());
    let Some(user) = server.sign_in(field("email"), field("password")) else {
        return pages::sign_in(
            &request_id,
            &client_name,
            Some("That email and password do not match a Flex Dashboard login."),
        );
    };
    if let Some(p) = server.pending.get_mut(&request_id) {
        p.user = Some(user.clone());
    }
    pages::consent(&request_id, &client_name, &user, &pending.redirect_uri)
}

async fn consent(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let f = form(&body);
    let field = |k: &str| f.get(k).map_or("", String::as_str);
    let mut server = sim.oauth.lock();
    // Single use: whatever the decision, this request is finished.
    let Some(pending) = server.pending.remove(field("request")) else {
        return pages::error(StatusCode::BAD_REQUEST, EXPIRED);
    };
    let Some(user) = pending.user.clone() else {
        return pages::error(StatusCode::BAD_REQUEST, EXPIRED);
    };
    let iss = issuer(&sim);
    let (redirect_uri, state) = (pending.redirect_uri.clone(), pending.state.clone());
    match field("decision") {
        "approve" => {
            let code = server.issue_code(pending, user);
            redirect_back(&redirect_uri, &iss, state.as_deref(), &[("code", &code)])
        }
        _ => redirect_back(
            &redirect_uri,
            &iss,
            state.as_deref(),
            &[
                ("error", "access_denied"),
                ("error_description", "the user denied access"),
            ],
        ),
    }
}

fn issued_body(issued: &grants::Issued) -> Value {
    json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "refresh_token": issued.refresh_token,
        "scope": issued.scope,
    })
}

async fn token(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let f = form(&body);
    let field = |k: &str| f.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let mut server = sim.oauth.lock();
    match server.take_token_fault() {
        Some(TokenFault::ServerError) => {
            return oauth_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "the token service is down (simulated)",
            );
        }
        Some(TokenFault::Garbage) => {
            return (StatusCode::OK, "<html>upstream proxy error</html>").into_response();
        }
        None => {}
    }
    let Some(client_id) = field("client_id") else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client_id is required",
        );
    };
    if !server.clients.contains_key(client_id) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client_id; register again",
        );
    }
    let result = match field("grant_type") {
        Some("authorization_code") => {
            let (Some(code), Some(redirect_uri), Some(verifier)) =
                (field("code"), field("redirect_uri"), field("code_verifier"))
            else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "code, redirect_uri and code_verifier are required",
                );
            };
            server.exchange_code(code, client_id, redirect_uri, verifier, field("resource"))
        }
        Some("refresh_token") => {
            let Some(refresh) = field("refresh_token") else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "refresh_token is required",
                );
            };
            server.refresh(refresh, client_id, field("resource"))
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            );
        }
    };
    match result {
        Ok(issued) => json_response(StatusCode::OK, &issued_body(&issued)),
        Err(e) => oauth_error(StatusCode::BAD_REQUEST, e.code, &e.description),
    }
}

async fn revoke(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let f = form(&body);
    let Some(token) = f.get("token").filter(|t| !t.is_empty()) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required",
        );
    };
    // RFC 7009 §2.2: unknown tokens are answered 200 as well.
    sim.oauth.lock().revoke(token);
    StatusCode::OK.into_response()
}

fn controls_json(sim: &Sim) -> Value {
    let server = sim.oauth.lock();
    let mut v = serde_json::to_value(&server.controls).unwrap_or_else(|_| json!({}));
    v["users"] = json!(server.users.len());
    v["clients"] = json!(server.clients.len());
    v["live_access_tokens"] = json!(server.access.len());
    v["revoked_families"] = json!(server.revoked_families.len());
    v
}

async fn show_controls(State(sim): State<Arc<Sim>>) -> Response {
    axum::Json(controls_json(&sim)).into_response()
}

/// `POST /__sim/oauth` `{access_token_ttl_secs?, fail_next_refresh?, hosted_preview_tool?, expire_access_tokens?,
/// token_fault?: {kind: "server_error"|"garbage", count}, forget_clients?}`.
async fn set_controls(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "body must be a JSON object",
        );
    };
    {
        let mut server = sim.oauth.lock();
        if let Some(ttl) = m.get("access_token_ttl_secs").and_then(Value::as_u64) {
            server.controls.access_token_ttl_secs = ttl;
        }
        if let Some(fail) = m.get("fail_next_refresh").and_then(Value::as_bool) {
            server.controls.fail_next_refresh = fail;
        }
        if let Some(on) = m.get("hosted_preview_tool").and_then(Value::as_bool) {
            server.controls.hosted_preview_tool = on;
        }
        if m.get("expire_access_tokens").and_then(Value::as_bool) == Some(true) {
            server.expire_access_tokens();
        }
        if m.get("forget_clients").and_then(Value::as_bool) == Some(true) {
            server.clients.clear();
        }
        if let Some(fault) = m.get("token_fault") {
            let kind = match fault.get("kind").and_then(Value::as_str) {
                Some("server_error") => Some(TokenFault::ServerError),
                Some("garbage") => Some(TokenFault::Garbage),
                _ => None,
            };
            let count = fault.get("count").and_then(Value::as_u64).unwrap_or(1);
            server.controls.token_fault = kind;
            server.controls.token_fault_count = if kind.is_some() {
                u32::try_from(count).unwrap_or(u32::MAX)
            } else {
                0
            };
        }
    }
    axum::Json(controls_json(&sim)).into_response()
}

async fn add_user(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or_default();
    let (Some(email), Some(password)) = (
        v.get("email").and_then(Value::as_str),
        v.get("password").and_then(Value::as_str),
    ) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send {\"email\": …, \"password\": …}",
        );
    };
    sim.oauth.lock().add_user(email, password);
    (
        StatusCode::CREATED,
        axum::Json(json!({ "email": email.to_ascii_lowercase() })),
    )
        .into_response()
}
