//! Tool groups end to end: the real `flex-mcp stdio --standalone` binary, a real `flex-sim`, and
//! rmcp's client naming itself as an assistant would in `initialize`. Covers the per-assistant
//! choice from settings, read-only, a group turned on through discovery followed by
//! `notifications/tools/list_changed`, and a settings change reaching a connected session.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use flex_e2e::{Isolated, Sim, TEST_KEY, binary};
use rmcp::model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// A client that names itself and reports every `notifications/tools/list_changed`.
struct Assistant {
    config: ClientConfig,
    changed: mpsc::UnboundedSender<()>,
}

impl ClientHandler for Assistant {
    fn get_info(&self) -> ClientConfig {
        self.config.clone()
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        let _ = self.changed.send(());
    }
}

struct Session {
    client: RunningService<RoleClient, Assistant>,
    changed: mpsc::UnboundedReceiver<()>,
}

fn write_settings(iso: &Isolated, tools: &Value) -> Result<()> {
    let dir = iso.flex_home().join("config");
    std::fs::create_dir_all(&dir)?;
    let text = serde_json::to_string_pretty(&json!({ "tools": tools }))?;
    // Replace by rename, as the app and the CLI do.
    let tmp = dir.join("settings.json.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, dir.join("settings.json"))?;
    Ok(())
}

async fn connect(iso: &Isolated, sim: &Sim, client_name: &str) -> Result<Session> {
    let exe = binary("flex-mcp")?;
    let env = iso.server_env(TEST_KEY, sim.base_url());
    let transport = TokioChildProcess::new(tokio::process::Command::new(exe).configure(|c| {
        c.args(["stdio", "--standalone"]).env_clear().envs(env);
    }))
    .context("spawning flex-mcp stdio --standalone")?;
    let (tx, changed) = mpsc::unbounded_channel();
    let assistant = Assistant {
        config: ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new(client_name, "1.0.0"),
        ),
        changed: tx,
    };
    let client = assistant
        .serve(transport)
        .await
        .context("MCP initialize with flex-mcp")?;
    Ok(Session { client, changed })
}

async fn names(s: &Session) -> Result<Vec<String>> {
    Ok(s.client
        .list_all_tools()
        .await?
        .into_iter()
        .map(|t| t.name.to_string())
        .collect())
}

async fn call(s: &Session, name: &str, args: Value) -> Result<rmcp::model::CallToolResult> {
    let Value::Object(args) = args else {
        anyhow::bail!("arguments must be an object")
    };
    Ok(s.client
        .call_tool(CallToolRequestParams::new(name.to_owned()).with_arguments(args))
        .await?)
}

async fn next_change(s: &mut Session) -> Result<()> {
    tokio::time::timeout(Duration::from_secs(30), s.changed.recv())
        .await
        .context("no notifications/tools/list_changed arrived")?
        .context("client closed")
}

#[tokio::test]
async fn each_assistant_gets_its_own_groups_by_client_name() -> Result<()> {
    let iso = Isolated::new()?;
    let sim = Sim::start(&[TEST_KEY])?;
    write_settings(
        &iso,
        &json!({"assistants": {"Cursor": {"groups": ["subscriptions"]}}}),
    )?;

    let cursor = connect(&iso, &sim, "cursor").await?;
    let listed = names(&cursor).await?;
    ensure!(
        listed.contains(&"list_subscriptions".to_owned()),
        "{listed:?}"
    );
    ensure!(
        !listed.contains(&"create_product".to_owned()),
        "Cursor chose only subscriptions: {listed:?}"
    );
    let refused = call(&cursor, "create_product", json!({"name": "x"})).await;
    let message = format!("{:#}", refused.err().context("refused as unknown")?);
    ensure!(message.contains("unknown tool"), "{message}");
    let subs = call(&cursor, "list_subscriptions", json!({})).await?;
    ensure!(subs.is_error != Some(true), "{subs:?}");

    let other = connect(&iso, &sim, "claude-ai").await?;
    let listed = names(&other).await?;
    for documented in ["create_product", "list_payment_intents", "refund_capture"] {
        ensure!(listed.contains(&documented.to_owned()), "{listed:?}");
    }
    ensure!(
        !listed.contains(&"list_subscriptions".to_owned()),
        "{listed:?}"
    );
    cursor.client.cancel().await?;
    other.client.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn read_only_leaves_no_write_or_destructive_tool_even_with_every_group() -> Result<()> {
    let iso = Isolated::new()?;
    let sim = Sim::start(&[TEST_KEY])?;
    write_settings(
        &iso,
        &json!({"groups": ["all"], "read_only": true,
                "assistants": {"cursor": {"groups": ["all"], "read_only": false}}}),
    )?;
    let mut s = connect(&iso, &sim, "cursor").await?;
    let tools = s.client.list_all_tools().await?;
    ensure!(tools.len() > 30, "every group's reads are listed");
    for t in &tools {
        let a = t.annotations.as_ref().context("annotated")?;
        ensure!(
            a.read_only_hint == Some(true),
            "{} is not read-only",
            t.name
        );
    }
    // Discovery cannot bring writes back either.
    let enabled = call(&s, "enable_tool_group", json!({"group": "checkout"})).await?;
    ensure!(enabled.is_error != Some(true), "{enabled:?}");
    let refused = call(&s, "create_product", json!({"name": "x"})).await;
    ensure!(refused.is_err(), "a write is refused like an unknown tool");
    let _ = s.changed.try_recv();
    s.client.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn a_group_turned_on_through_discovery_is_announced_and_callable() -> Result<()> {
    let iso = Isolated::new()?;
    let sim = Sim::start(&[TEST_KEY])?;
    let mut s = connect(&iso, &sim, "zed").await?;
    let before = names(&s).await?;
    ensure!(
        !before.contains(&"list_subscriptions".to_owned()),
        "{before:?}"
    );
    let groups = call(&s, "list_tool_groups", json!({})).await?;
    let listed = groups.structured_content.context("structured")?;
    let subscriptions = listed["groups"]
        .as_array()
        .context("groups")?
        .iter()
        .find(|g| g["group"] == "subscriptions")
        .context("subscriptions listed")?
        .clone();
    ensure!(subscriptions["enabled"] == false, "{subscriptions}");

    let enabled = call(&s, "enable_tool_group", json!({"group": "subscriptions"})).await?;
    ensure!(enabled.is_error != Some(true), "{enabled:?}");
    next_change(&mut s).await?;
    let after = names(&s).await?;
    ensure!(
        after.contains(&"list_subscriptions".to_owned()),
        "{after:?}"
    );
    let subs = call(&s, "list_subscriptions", json!({})).await?;
    ensure!(subs.is_error != Some(true), "{subs:?}");

    let bad = call(&s, "enable_tool_group", json!({"group": "payments"})).await?;
    ensure!(bad.is_error == Some(true), "{bad:?}");
    let text = serde_json::to_string(&bad.content)?;
    ensure!(
        text.contains("payments") && text.contains("support"),
        "{text}"
    );
    s.client.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn a_settings_change_reaches_a_connected_session_as_list_changed() -> Result<()> {
    let iso = Isolated::new()?;
    let sim = Sim::start(&[TEST_KEY])?;
    write_settings(&iso, &json!({}))?;
    let mut s = connect(&iso, &sim, "cursor").await?;
    ensure!(names(&s).await?.contains(&"create_product".to_owned()));
    // Let the session's watcher take its first look before the file changes.
    tokio::time::sleep(Duration::from_millis(200)).await;
    write_settings(&iso, &json!({"read_only": true}))?;
    next_change(&mut s).await?;
    let after = names(&s).await?;
    ensure!(!after.contains(&"create_product".to_owned()), "{after:?}");
    ensure!(after.contains(&"list_products".to_owned()), "{after:?}");
    s.client.cancel().await?;
    Ok(())
}
