//! The real `flex-mcp stdio --standalone` binary driven by rmcp's client over a child process,
//! against a real `flex-sim` process: the same shape as Claude Desktop or Cursor spawning us.

use anyhow::{Context, Result};
use flex_e2e::{Isolated, Sim, TEST_KEY, binary};
use rmcp::{
    ServiceExt,
    model::CallToolRequestParams,
    transport::{ConfigureCommandExt, TokioChildProcess},
};
use serde_json::{Value, json};

async fn connect(
    iso: &Isolated,
    sim: &Sim,
    key: &str,
) -> Result<rmcp::service::RunningService<rmcp::RoleClient, ()>> {
    let exe = binary("flex-mcp")?;
    let env = iso.server_env(key, sim.base_url());
    let transport = TokioChildProcess::new(tokio::process::Command::new(exe).configure(|c| {
        c.args(["stdio", "--standalone"]).env_clear().envs(env);
    }))
    .context("spawning flex-mcp stdio --standalone")?;
    ().serve(transport)
        .await
        .context("MCP initialize with flex-mcp")
}

fn args(v: Value) -> serde_json::Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("tool arguments must be an object, got {other}"),
    }
}

#[tokio::test]
async fn rmcp_client_lists_tools_and_creates_a_product_through_the_real_binary() -> Result<()> {
    let iso = Isolated::new()?;
    let sim = Sim::start(&[TEST_KEY])?;
    let client = connect(&iso, &sim, TEST_KEY).await?;

    let info = client
        .peer_info()
        .context("server sent no initialize result")?;
    let server = info
        .server_info
        .as_ref()
        .context("initialize result has no serverInfo")?;
    assert_eq!(
        server.name, "flex-mcp",
        "serverInfo names the product, not the SDK"
    );

    let tools = client.list_all_tools().await?;
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for documented in ["create_product", "list_payment_intents", "refund_capture"] {
        assert!(
            names.contains(&documented),
            "documented tool {documented} missing from {names:?}"
        );
    }

    let name = "E2E rmcp tongue depressors";
    let created = client
        .call_tool(
            CallToolRequestParams::new("create_product")
                .with_arguments(args(json!({ "name": name }))),
        )
        .await?;
    assert_ne!(
        created.is_error,
        Some(true),
        "create_product failed: {created:?}"
    );
    let structured = created
        .structured_content
        .clone()
        .context("create_product has no structured content")?;
    let id = structured["product_id"]
        .as_str()
        .context("structured content has no product_id")?
        .to_owned();
    assert!(
        id.starts_with("fprod_"),
        "product ids carry the fprod_ prefix, got {id}"
    );

    let fetched = client
        .call_tool(
            CallToolRequestParams::new("get_product")
                .with_arguments(args(json!({ "product_id": id }))),
        )
        .await?;
    assert_ne!(
        fetched.is_error,
        Some(true),
        "get_product failed: {fetched:?}"
    );
    let fetched = fetched
        .structured_content
        .context("get_product has no structured content")?;
    assert_eq!(
        fetched["name"], name,
        "the product read back is the one we created"
    );

    let journal = sim.requests().await?;
    assert!(
        journal
            .iter()
            .any(|r| r["method"] == "POST" && r["path"] == "/v1/products" && r["mode"] == "test"),
        "the sim saw the create in test mode: {journal:?}"
    );

    client.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn unknown_tool_is_a_protocol_error_not_a_result() -> Result<()> {
    let iso = Isolated::new()?;
    let sim = Sim::start(&[TEST_KEY])?;
    let client = connect(&iso, &sim, TEST_KEY).await?;
    let res = client
        .call_tool(CallToolRequestParams::new("transfer_all_the_money"))
        .await;
    assert!(
        res.is_err(),
        "an unknown tool is a protocol fault, got a result: {res:?}"
    );
    assert!(
        sim.requests().await?.is_empty(),
        "nothing reached Flex for an unknown tool"
    );
    client.cancel().await?;
    Ok(())
}
