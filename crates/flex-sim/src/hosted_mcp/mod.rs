//! The hosted Flex MCP server (reference §6): `/api/mcp` takes an API key (the key's prefix
//! fixes the mode) and `/api/mcp/oauth` an OAuth access token (each call picks the mode with
//! `api_test_mode`, §6.3). Streamable HTTP with JSON responses only: every POST carries one
//! JSON-RPC message, notifications get 202, GET and DELETE get 405 (no server stream, no
//! sessions). Tools call the simulator's own `/v1` routes in process, so they see the same data
//! as the REST API.

pub mod tools;

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Map, Value, json};
use tower::ServiceExt;

use crate::edge::{Ctx, MAX_BODY};
use crate::oauth::{self, OAUTH_MCP_PATH};
use crate::state::{Sim, key_is_test};
use tools::Class;

/// Protocol revisions this server speaks (JSON-response Streamable HTTP is the same in all).
pub const PROTOCOL_VERSIONS: [&str; 3] = ["2025-11-25", "2025-06-18", "2025-03-26"];

/// Path of the API-key endpoint.
pub const KEY_MCP_PATH: &str = "/api/mcp";

/// What the tools call: the `/v1` routes, once behind the key check (API-key endpoint: the key's
/// scopes apply) and once without it (OAuth endpoint: the caller is the signed-in user).
#[derive(Clone)]
pub struct Hosted {
    sim: Arc<Sim>,
    keyed: Router,
    direct: Router,
}

impl Hosted {
    /// `keyed` must run the key check itself; `direct` trusts an inserted [`Ctx`].
    pub fn new(sim: Arc<Sim>, keyed: Router, direct: Router) -> Self {
        Self { sim, keyed, direct }
    }
}

/// Who is calling and how the mode is chosen.
#[derive(Debug, Clone)]
enum Caller {
    /// API-key endpoint: the key's mode, always.
    Key { key: String, test: bool },
    /// OAuth endpoint: a dashboard user; the call picks the mode.
    User { email: String },
}

pub fn routes(hosted: Hosted) -> Router {
    Router::new()
        .route(
            KEY_MCP_PATH,
            post(key_endpoint).get(no_stream).delete(no_stream),
        )
        .route(
            OAUTH_MCP_PATH,
            post(oauth_endpoint).get(no_stream).delete(no_stream),
        )
        .with_state(hosted)
}

async fn no_stream() -> Response {
    let mut r = (
        StatusCode::METHOD_NOT_ALLOWED,
        "this server answers POST only (no SSE stream, no sessions)",
    )
        .into_response();
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    r
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn unauthorized(challenge: &str, message: &str) -> Response {
    let mut r = (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": { "code": -32001, "message": message },
        })),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

async fn key_endpoint(State(h): State<Hosted>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(key) = bearer(&headers) else {
        return unauthorized(
            "Bearer realm=\"flex\"",
            "send `Authorization: Bearer fsk_test_…` (or a live fsk_… key)",
        );
    };
    if !h.sim.keys.read().contains_key(key) {
        return unauthorized(
            "Bearer realm=\"flex\", error=\"invalid_token\"",
            "invalid API key provided",
        );
    }
    let caller = Caller::Key {
        key: key.to_owned(),
        test: key_is_test(key),
    };
    serve(&h, &caller, &body).await
}

async fn oauth_endpoint(State(h): State<Hosted>, headers: HeaderMap, body: Bytes) -> Response {
    let metadata = oauth::resource_metadata_url(&h.sim);
    let Some(token) = bearer(&headers) else {
        return unauthorized(
            &format!(
                "Bearer resource_metadata=\"{metadata}\", scope=\"{}\"",
                oauth::SCOPE
            ),
            "sign in with Flex: this endpoint needs an OAuth access token",
        );
    };
    let resource = oauth::resource(&h.sim);
    let user = h.sim.oauth.lock().authenticate(token, &resource);
    let email = match user {
        Ok(email) => email,
        Err(problem) => {
            let description = match problem {
                oauth::grants::TokenProblem::Expired => "the access token expired",
                oauth::grants::TokenProblem::WrongAudience => {
                    "the access token was issued for another resource"
                }
                oauth::grants::TokenProblem::Unknown => "the access token is unknown or revoked",
            };
            return unauthorized(
                &format!(
                    "Bearer resource_metadata=\"{metadata}\", error=\"invalid_token\", error_description=\"{description}\""
                ),
                description,
            );
        }
    };
    serve(&h, &Caller::User { email }, &body).await
}

#[allow(clippy::needless_pass_by_value)] // every caller builds the value just for this
fn rpc_result(id: &Value, result: Value) -> Response {
    axum::Json(json!({ "jsonrpc": "2.0", "id": id, "result": result })).into_response()
}

fn rpc_error(status: StatusCode, id: &Value, code: i64, message: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": { "code": code, "message": message },
        })),
    )
        .into_response()
}

async fn serve(h: &Hosted, caller: &Caller, body: &Bytes) -> Response {
    let Ok(message) = serde_json::from_slice::<Value>(body) else {
        return rpc_error(
            StatusCode::BAD_REQUEST,
            &Value::Null,
            -32700,
            "parse error: the body is not JSON",
        );
    };
    let Some(msg) = message.as_object() else {
        return rpc_error(
            StatusCode::BAD_REQUEST,
            &Value::Null,
            -32600,
            "one JSON-RPC message per POST (batches are not supported)",
        );
    };
    let Some(method) = msg.get("method").and_then(Value::as_str) else {
        // A response from the client: nothing to do.
        return StatusCode::ACCEPTED.into_response();
    };
    let Some(id) = msg.get("id").cloned() else {
        // A notification (initialized, cancelled…).
        return StatusCode::ACCEPTED.into_response();
    };
    let params = msg.get("params").cloned().unwrap_or(Value::Null);
    let with_mode = matches!(caller, Caller::User { .. });
    match method {
        "initialize" => {
            let asked = params.get("protocolVersion").and_then(Value::as_str);
            let version = asked
                .filter(|v| PROTOCOL_VERSIONS.contains(v))
                .unwrap_or(PROTOCOL_VERSIONS[0]);
            let instructions = if with_mode {
                "Every tool takes api_test_mode: true for test data, false for live. Reads default to live; writes require it."
            } else {
                "The API key decides test or live mode for every call."
            };
            rpc_result(
                &id,
                json!({
                    "protocolVersion": version,
                    "capabilities": { "tools": { "listChanged": false } },
                    "serverInfo": { "name": "flex-mcp-hosted-sim", "version": env!("CARGO_PKG_VERSION") },
                    "instructions": instructions,
                }),
            )
        }
        "ping" => rpc_result(&id, json!({})),
        "tools/list" => {
            let mut tools: Vec<Value> = tools::TOOLS.iter().map(|t| t.listing(with_mode)).collect();
            if h.sim.oauth.lock().controls.hosted_preview_tool {
                tools.push(tools::PREVIEW.listing(with_mode));
            }
            rpc_result(&id, json!({ "tools": tools }))
        }
        "tools/call" => {
            let Some(name) = params.get("name").and_then(Value::as_str) else {
                return rpc_error(StatusCode::OK, &id, -32602, "tools/call needs params.name");
            };
            let preview = (name == tools::PREVIEW.name
                && h.sim.oauth.lock().controls.hosted_preview_tool)
                .then_some(&tools::PREVIEW);
            let Some(tool) = tools::find(name).or(preview) else {
                return rpc_error(
                    StatusCode::OK,
                    &id,
                    -32602,
                    &format!("unknown tool: {name}"),
                );
            };
            let args = match params.get("arguments") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(m)) => m.clone(),
                Some(_) => {
                    return rpc_error(StatusCode::OK, &id, -32602, "arguments must be an object");
                }
            };
            rpc_result(&id, call_tool(h, caller, tool, args).await)
        }
        other => rpc_error(
            StatusCode::OK,
            &id,
            -32601,
            &format!("method not found: {other}"),
        ),
    }
}

fn tool_error(text: &str) -> Value {
    json!({ "content": [{ "type": "text", "text": text }], "isError": true })
}

/// The mode of a call, or the sentence refusing it (§6.3).
fn choose_mode(caller: &Caller, tool: &tools::Tool, asked: Option<&Value>) -> Result<bool, String> {
    let asked = match asked {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            return Err("api_test_mode must be true (test data) or false (live data)".into());
        }
    };
    match caller {
        Caller::Key { test, .. } => match asked {
            Some(a) if a != *test => Err(format!(
                "api_test_mode: {a} contradicts this API key, which is a {} key; drop the argument or use the other key",
                if *test { "test" } else { "live" }
            )),
            _ => Ok(*test),
        },
        Caller::User { .. } => match (asked, tool.class) {
            (Some(a), _) => Ok(a),
            (None, Class::Read) => Ok(false),
            (None, _) => Err(format!(
                "api_test_mode is required for write tools: call {} again with api_test_mode true (test data) or false (live data)",
                tool.name
            )),
        },
    }
}

async fn call_tool(
    h: &Hosted,
    caller: &Caller,
    tool: &tools::Tool,
    mut args: Map<String, Value>,
) -> Value {
    let test = match choose_mode(caller, tool, args.remove("api_test_mode").as_ref()) {
        Ok(t) => t,
        Err(text) => return tool_error(&text),
    };
    let api = match tool.request(args) {
        Ok(a) => a,
        Err(text) => return tool_error(&text),
    };
    let method = Method::from_bytes(api.method.as_bytes()).unwrap_or(Method::GET);
    let mut builder = Request::builder().method(method).uri(api.uri.as_str());
    if api.body.is_some() {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    let router = match caller {
        Caller::Key { key, .. } => {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {key}"));
            h.keyed.clone()
        }
        Caller::User { email } => {
            let mode = if test { "test" } else { "live" };
            builder = builder.extension(Ctx {
                key: format!("oauth:{email}:{mode}"),
                test,
            });
            h.direct.clone()
        }
    };
    let body = api
        .body
        .map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let Ok(request) = builder.body(body) else {
        return tool_error("the arguments do not form a valid request");
    };
    let Ok(response) = router.oneshot(request).await;
    let status = response.status();
    let bytes = to_bytes(response.into_body(), MAX_BODY)
        .await
        .unwrap_or_default();
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status.is_success() {
        let mut result = json!({
            "content": [{ "type": "text", "text": value.to_string() }],
            "isError": false,
        });
        if value.is_object() {
            result["structuredContent"] = value;
        }
        result
    } else {
        let code = value["error"]["code"].as_str().unwrap_or("error");
        let message = value["error"]["message"]
            .as_str()
            .unwrap_or("the request failed");
        tool_error(&format!(
            "Flex API error (HTTP {}, {code}): {message}",
            status.as_u16()
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn oauth_reads_default_to_live_and_writes_need_the_mode() {
        let user = Caller::User {
            email: "a@b".into(),
        };
        let read = tools::find("list_products").unwrap();
        let write = tools::find("create_product").unwrap();
        assert_eq!(choose_mode(&user, read, None), Ok(false));
        assert!(
            choose_mode(&user, write, None)
                .unwrap_err()
                .contains("required")
        );
        assert_eq!(choose_mode(&user, write, Some(&json!(true))), Ok(true));
        let key = Caller::Key {
            key: "fsk_test_x".into(),
            test: true,
        };
        assert_eq!(choose_mode(&key, write, None), Ok(true));
        assert!(choose_mode(&key, read, Some(&json!(false))).is_err());
        assert!(choose_mode(&user, read, Some(&json!("yes"))).is_err());
    }
}
