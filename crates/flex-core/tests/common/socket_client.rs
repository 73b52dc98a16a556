//! An MCP client on the host's socket, for the host and gateway suites (one copy of it).

use rmcp::ServiceExt as _;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
};
use rmcp::service::RunningService;
use serde_json::Value;

/// A session on `paths`' socket, introducing itself as `name`/`version` (its `clientInfo`).
pub(crate) async fn connect(
    paths: &flex_core::Paths,
    name: &str,
    version: &str,
) -> RunningService<rmcp::RoleClient, ClientConfig> {
    let stream = tokio::net::UnixStream::connect(paths.socket_path())
        .await
        .unwrap();
    let (r, w) = stream.into_split();
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new(name, version),
    )
    .serve((r, w))
    .await
    .unwrap()
}

/// Call `tool` with the object `args`.
pub(crate) async fn call(
    c: &RunningService<rmcp::RoleClient, ClientConfig>,
    tool: &str,
    args: Value,
) -> CallToolResult {
    let Value::Object(args) = args else { panic!() };
    c.call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(args))
        .await
        .unwrap()
}

/// The text content of a result.
pub(crate) fn text(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect()
}
