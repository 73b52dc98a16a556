//! The gateway to Flex's hosted MCP server (issue 9 §3): when the Flex sign-in (OAuth) serves a
//! mode, the hosted server's tools are served here, behind the same gate as the local tools.
//!
//! The hosted server picks test or live per call with `api_test_mode`; here that argument is
//! removed from every schema and set from our mode, so no tool argument can change the mode.
//! This module only speaks to the hosted server (JSON-RPC over HTTP POST, a JSON or an SSE
//! reply); the gate itself stays in `server.rs`. Tokens come from a [`Credentials`] the host
//! provides (one refresher per process): this crate must not depend on the keychain.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use flex_api::Mode;
use rmcp::model::{CallToolResult, Tool};
use serde_json::{Map, Value, json};
use tokio::sync::OnceCell;

use crate::format::{self, Failure};
use crate::server::NotReady;

/// The argument through which the hosted server picks the mode; ours to set, never the model's.
pub const MODE_ARGUMENT: &str = "api_test_mode";

/// The MCP revision we ask the hosted server for.
const PROTOCOL_VERSION: &str = "2025-06-18";

/// How records mark a call that ran through the hosted server (`CallRecord::tool` prefix).
pub const VIA_HOSTED_PREFIX: &str = "hosted:";

/// A boxed future, so [`Credentials`] can be a trait object.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where the gateway gets its access token: the host's single refresher.
pub trait Credentials: Send + Sync + 'static {
    /// A valid access token (refreshed when needed, once for all callers).
    fn bearer(&self) -> BoxFuture<'_, Result<String, NotReady>>;
    /// The hosted server refused `token` (401): the next [`Credentials::bearer`] renews it.
    fn rejected<'a>(&'a self, token: &'a str) -> BoxFuture<'a, ()>;
}

/// What went wrong talking to the hosted server.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GatewayError {
    /// No usable sign-in (signed out, sign-in ended, keychain locked).
    #[error("{0}")]
    NotReady(NotReady),
    /// The hosted server could not be reached or did not answer in time.
    #[error("Flex's hosted MCP server could not be reached: {0}")]
    Network(String),
    /// The hosted server answered with an HTTP error.
    #[error("Flex's hosted MCP server answered HTTP {status}: {message}")]
    Http {
        /// HTTP status.
        status: u16,
        /// What it said (first line of the body, or the JSON-RPC error message).
        message: String,
    },
    /// The hosted server answered with a JSON-RPC error.
    #[error("Flex's hosted MCP server refused the request ({code}): {message}")]
    Rpc {
        /// JSON-RPC error code.
        code: i64,
        /// Its message.
        message: String,
    },
    /// The answer was not what MCP says it should be.
    #[error("Flex's hosted MCP server sent an answer we cannot read: {0}")]
    Protocol(String),
}

impl GatewayError {
    /// The tool error a model reads for this failure of a call to `tool`.
    pub fn failure(&self, tool: &str) -> Failure {
        match self {
            GatewayError::NotReady(e) => format::not_ready(tool, &e.code, &e.message),
            GatewayError::Network(_) => format::hosted_failure(
                tool,
                "hosted_network",
                None,
                &format!(
                    "{self}. The call may not have reached Flex; check the network and try again \
                     in a moment"
                ),
            ),
            GatewayError::Http { status, .. } => format::hosted_failure(
                tool,
                &format!("hosted_http_{status}"),
                Some(*status),
                &format!(
                    "{self}. Try again in a moment; if it keeps failing, check status.withflex.com"
                ),
            ),
            GatewayError::Rpc { .. } => format::hosted_failure(
                tool,
                "hosted_refused",
                None,
                &format!("{self}. Check the tool name and arguments against tools/list"),
            ),
            GatewayError::Protocol(_) => format::hosted_failure(
                tool,
                "hosted_protocol",
                None,
                &format!("{self}. Try again; if it keeps failing, sign in with an API key instead"),
            ),
        }
    }
}

/// A connection to the hosted MCP server: one pooled HTTP client, the tool list fetched once.
pub struct Gateway {
    endpoint: String,
    http: reqwest::Client,
    credentials: Arc<dyn Credentials>,
    session: OnceCell<Option<String>>,
    tools: OnceCell<Arc<Vec<Tool>>>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// A gateway to the hosted MCP at `endpoint` (e.g. `https://mcp.withflex.com/api/mcp/oauth`).
    ///
    /// # Errors
    /// When the HTTP client cannot be built (no TLS backend).
    pub fn new(
        endpoint: impl Into<String>,
        credentials: Arc<dyn Credentials>,
    ) -> Result<Gateway, GatewayError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(80))
            .build()
            .map_err(|e| GatewayError::Network(e.to_string()))?;
        Ok(Gateway {
            endpoint: endpoint.into(),
            http,
            credentials,
            session: OnceCell::new(),
            tools: OnceCell::new(),
        })
    }

    /// The hosted server's tools, `api_test_mode` removed from every schema; fetched once.
    ///
    /// # Errors
    /// When the hosted server cannot be reached or answers garbage (not cached: the next call
    /// tries again).
    pub async fn tools(&self) -> Result<Arc<Vec<Tool>>, GatewayError> {
        self.tools
            .get_or_try_init(|| async {
                let mut tools = Vec::new();
                let mut cursor: Option<String> = None;
                loop {
                    let params = cursor.as_ref().map_or(json!({}), |c| json!({"cursor": c}));
                    let page = self.request("tools/list", params).await?;
                    let listed = page
                        .get("tools")
                        .and_then(Value::as_array)
                        .ok_or_else(|| GatewayError::Protocol("tools/list has no tools".into()))?;
                    for raw in listed {
                        let mut tool: Tool = serde_json::from_value(raw.clone())
                            .map_err(|e| GatewayError::Protocol(format!("a listed tool: {e}")))?;
                        strip_mode(&mut tool);
                        tools.push(tool);
                    }
                    cursor = page
                        .get("nextCursor")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    if cursor.is_none() {
                        break;
                    }
                }
                Ok(Arc::new(tools))
            })
            .await
            .cloned()
    }

    /// The hosted tool called `name`, if the hosted server lists one.
    ///
    /// # Errors
    /// As [`Gateway::tools`].
    pub async fn tool(&self, name: &str) -> Result<Option<Tool>, GatewayError> {
        Ok(self.tools().await?.iter().find(|t| t.name == name).cloned())
    }

    /// Forward one call with `api_test_mode` set from `mode`. The caller has refused a
    /// model-sent `api_test_mode` already (see [`refuse_mode_argument`]).
    ///
    /// # Errors
    /// When the hosted server cannot be reached, refuses the request, or answers garbage. A tool
    /// that ran and failed is `Ok` with `is_error` set, as MCP has it.
    pub async fn call(
        &self,
        name: &str,
        mut arguments: Map<String, Value>,
        mode: Mode,
    ) -> Result<CallToolResult, GatewayError> {
        arguments.insert(MODE_ARGUMENT.into(), Value::Bool(mode == Mode::Test));
        let result = self
            .request("tools/call", json!({"name": name, "arguments": arguments}))
            .await?;
        serde_json::from_value(result)
            .map_err(|e| GatewayError::Protocol(format!("a tools/call result: {e}")))
    }

    /// The session id, after one `initialize` (and `notifications/initialized`) per gateway.
    async fn session(&self) -> Result<Option<String>, GatewayError> {
        self.session
            .get_or_try_init(|| async {
                let init = json!({
                    "protocolVersion": PROTOCOL_VERSION,
                    "capabilities": {},
                    "clientInfo": {"name": crate::server::SERVER_NAME, "version": env!("CARGO_PKG_VERSION")},
                });
                let (_, session) = self.post("initialize", Some(init), None).await?;
                self.post("notifications/initialized", None, session.as_deref())
                    .await?;
                Ok(session)
            })
            .await
            .cloned()
    }

    async fn request(&self, method: &str, params: Value) -> Result<Value, GatewayError> {
        let session = self.session().await?;
        let (reply, _) = self.post(method, Some(params), session.as_deref()).await?;
        reply.ok_or_else(|| GatewayError::Protocol(format!("no reply to {method}")))
    }

    /// POST one message (a request when `params` is `Some`, else a notification). A 401 renews the
    /// token once. Returns the result (requests) and the session id the server gave.
    async fn post(
        &self,
        method: &str,
        params: Option<Value>,
        session: Option<&str>,
    ) -> Result<(Option<Value>, Option<String>), GatewayError> {
        let id = ulid::Ulid::new().to_string();
        let message = match &params {
            Some(p) => json!({"jsonrpc": "2.0", "id": id, "method": method, "params": p}),
            None => json!({"jsonrpc": "2.0", "method": method}),
        };
        let body = message.to_string();
        let mut renewed = false;
        loop {
            let token = self
                .credentials
                .bearer()
                .await
                .map_err(GatewayError::NotReady)?;
            let mut req = self
                .http
                .post(&self.endpoint)
                .bearer_auth(&token)
                .header(http::header::CONTENT_TYPE, "application/json")
                .header(http::header::ACCEPT, "application/json, text/event-stream")
                .header("MCP-Protocol-Version", PROTOCOL_VERSION)
                .body(body.clone());
            if let Some(s) = session {
                req = req.header("Mcp-Session-Id", s);
            }
            let response = req
                .send()
                .await
                .map_err(|e| GatewayError::Network(without_url(&e)))?;
            let status = response.status();
            if status == reqwest::StatusCode::UNAUTHORIZED && !renewed {
                self.credentials.rejected(&token).await;
                renewed = true;
                continue;
            }
            let new_session = response
                .headers()
                .get("mcp-session-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .or_else(|| session.map(str::to_owned));
            let is_sse = response
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/event-stream"));
            let text = response
                .text()
                .await
                .map_err(|e| GatewayError::Network(without_url(&e)))?;
            if params.is_none() {
                return if status.is_success() {
                    Ok((None, new_session))
                } else {
                    Err(http_error(status.as_u16(), &text))
                };
            }
            let reply = if is_sse {
                sse_reply(&text, &id)
            } else {
                serde_json::from_str::<Value>(&text).ok()
            };
            let Some(reply) = reply else {
                if !status.is_success() {
                    return Err(http_error(status.as_u16(), &text));
                }
                return Err(GatewayError::Protocol(format!(
                    "the reply to {method} is not JSON-RPC"
                )));
            };
            if let Some(err) = reply.get("error") {
                let message = err
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("no message")
                    .to_owned();
                if !status.is_success() {
                    return Err(GatewayError::Http {
                        status: status.as_u16(),
                        message,
                    });
                }
                let code = err.get("code").and_then(Value::as_i64).unwrap_or(0);
                return Err(GatewayError::Rpc { code, message });
            }
            if !status.is_success() {
                return Err(http_error(status.as_u16(), &text));
            }
            let result = reply.get("result").cloned().ok_or_else(|| {
                GatewayError::Protocol(format!("the reply to {method} has no result"))
            })?;
            return Ok((Some(result), new_session));
        }
    }
}

/// The refusal of a model-sent `api_test_mode`: the same unknown-argument answer the local tools
/// give, since the argument is not in the schema we list.
pub fn refuse_mode_argument(tool: &str, arguments: &Map<String, Value>) -> Option<Failure> {
    arguments.contains_key(MODE_ARGUMENT).then(|| {
        format::invalid_arguments(
            tool,
            Some(MODE_ARGUMENT),
            "unknown field `api_test_mode`: the mode (test or live) is chosen by the person in \
             the Flex MCP app, not by a tool argument; call again without it",
        )
    })
}

/// Remove `api_test_mode` from a tool's input schema (properties and required).
fn strip_mode(tool: &mut Tool) {
    let mut schema = (*tool.input_schema).clone();
    if let Some(Value::Object(props)) = schema.get_mut("properties") {
        props.remove(MODE_ARGUMENT);
    }
    if let Some(Value::Array(required)) = schema.get_mut("required") {
        required.retain(|v| v.as_str() != Some(MODE_ARGUMENT));
    }
    tool.input_schema = Arc::new(schema);
}

/// The JSON-RPC response with id `id` in an SSE body (each event's `data:` lines joined).
fn sse_reply(body: &str, id: &str) -> Option<Value> {
    let mut data = String::new();
    let mut found = None;
    let mut take = |data: &mut String| {
        if !data.is_empty() {
            if let Ok(v) = serde_json::from_str::<Value>(data)
                && v.get("id").and_then(Value::as_str) == Some(id)
            {
                found = Some(v);
            }
            data.clear();
        }
    };
    for line in body.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            take(&mut data);
        } else if let Some(rest) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        }
    }
    take(&mut data);
    found
}

fn http_error(status: u16, body: &str) -> GatewayError {
    let message = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| {
            body.lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(200)
                .collect()
        });
    GatewayError::Http { status, message }
}

/// What went wrong, without the URL (ours, and it keeps messages short) or reqwest's chain.
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "it did not answer in time"
    } else if e.is_connect() {
        "the connection failed"
    } else {
        "the request failed"
    };
    kind.to_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sse_reply_finds_the_response_among_other_events() {
        let body = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n\
                    id: 7\ndata: {\"jsonrpc\":\"2.0\",\ndata: \"id\":\"abc\",\"result\":{\"x\":1}}\n\n";
        let v = sse_reply(body, "abc").unwrap();
        assert_eq!(v["result"]["x"], 1);
        assert!(sse_reply(body, "other").is_none());
    }

    #[test]
    fn strip_mode_removes_the_property_and_the_requirement() {
        let mut tool: Tool = serde_json::from_value(json!({
            "name": "create_product",
            "inputSchema": {"type": "object", "properties": {"name": {"type": "string"},
                "api_test_mode": {"type": "boolean"}}, "required": ["name", "api_test_mode"]},
        }))
        .unwrap();
        strip_mode(&mut tool);
        let schema = Value::Object((*tool.input_schema).clone());
        assert!(schema["properties"].get("api_test_mode").is_none());
        assert_eq!(schema["properties"]["name"]["type"], "string");
        assert_eq!(schema["required"], json!(["name"]));
    }

    #[test]
    fn a_model_sent_mode_is_refused_as_an_unknown_argument() {
        let mut args = Map::new();
        assert!(refuse_mode_argument("list_products", &args).is_none());
        args.insert("api_test_mode".into(), Value::Bool(false));
        let f = refuse_mode_argument("list_products", &args).unwrap();
        assert_eq!(f.code, "invalid_arguments");
        assert!(
            f.text.contains("unknown field `api_test_mode`"),
            "{}",
            f.text
        );
    }
}
