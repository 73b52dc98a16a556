//! The server end to end, in process: an rmcp client talks to `FlexServer` over an in-memory
//! duplex, and the tools call a real flex-sim on 127.0.0.1. Covers the handshake, tools/list,
//! reads, writes, the live-mode guard, deny policies, approvals, API errors, invalid arguments,
//! mode switches between calls, call records (with redaction), prompts and protocol versions.

#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::sync::{Arc, Mutex};

use flex_api::Mode;
use flex_mcp::approval::{Approval, FixedApprover};
use flex_mcp::groups::{GroupSet, Selection};
use flex_mcp::policy::{Decision, Policy};
use flex_mcp::server::{CallSettings, FlexServer, StaticContext};
use flex_mcp::{CallRecord, Outcome, Recorder};
use rmcp::ServiceExt as _;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig,
    GetPromptRequestParams, Implementation,
};
use rmcp::service::RunningService;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

const TEST_KEY: &str = "fsk_test_server_suite";
const LIVE_KEY: &str = "fsk_live_server_suite";

/// Keeps every record, for assertions.
#[derive(Default, Clone)]
struct Collect(Arc<Mutex<Vec<CallRecord>>>);

impl Recorder for Collect {
    fn record(&self, record: CallRecord) {
        self.0.lock().unwrap().push(record);
    }
}

impl Collect {
    fn all(&self) -> Vec<CallRecord> {
        self.0.lock().unwrap().clone()
    }
    fn last(&self) -> CallRecord {
        self.all().last().cloned().expect("a record was written")
    }
}

struct Harness {
    sim: flex_sim::SimHandle,
    context: Arc<StaticContext>,
    records: Collect,
    client: RunningService<rmcp::RoleClient, ClientConfig>,
}

fn client(base: &str, key: &str) -> flex_api::Client {
    flex_api::Client::new(flex_api::ClientConfig::new(key).with_base_url(base)).unwrap()
}

async fn start(approver: Option<Approval>) -> Harness {
    let sim = flex_sim::start(flex_sim::SimConfig {
        port: 0,
        seed: None,
        keys: vec![(TEST_KEY.into(), vec![]), (LIVE_KEY.into(), vec![])],
    })
    .await
    .unwrap();
    let context = Arc::new(
        StaticContext::new(CallSettings {
            mode: Mode::Test,
            policy: Policy::default(),
            settings_file: Some("/home/u/.config/flex-mcp/settings.json".into()),
        })
        .with_client(client(&sim.base_url(), TEST_KEY))
        .with_client(client(&sim.base_url(), LIVE_KEY)),
    );
    let records = Collect::default();
    let mut server = FlexServer::new(context.clone()).recorder(Arc::new(records.clone()));
    if let Some(a) = approver {
        server = server.approver(Arc::new(FixedApprover(a)));
    }
    let client = connect(server).await;
    Harness {
        sim,
        context,
        records,
        client,
    }
}

async fn connect(server: FlexServer) -> RunningService<rmcp::RoleClient, ClientConfig> {
    let (client_io, server_io) = tokio::io::duplex(1 << 16);
    let (sr, sw) = tokio::io::split(server_io);
    tokio::spawn(async move {
        let _ = flex_mcp::stdio::serve_on(server, sr, sw).await;
    });
    let (cr, cw) = tokio::io::split(client_io);
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("server-suite", "9.9.9"),
    )
    .serve((cr, cw))
    .await
    .unwrap()
}

fn args(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("arguments must be an object"),
    }
}

async fn call(h: &Harness, name: &str, a: Value) -> CallToolResult {
    h.client
        .call_tool(CallToolRequestParams::new(name.to_string()).with_arguments(args(a)))
        .await
        .unwrap()
}

fn text(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_error(r: &CallToolResult) -> bool {
    r.is_error == Some(true)
}

#[tokio::test]
async fn initialize_names_the_server_and_records_the_client() {
    let h = start(None).await;
    let info = h.client.peer_info().unwrap();
    let server_info = info.server_info.clone().unwrap();
    assert_eq!(server_info.name, "flex-mcp");
    assert_eq!(server_info.version, env!("CARGO_PKG_VERSION"));
    assert!(info.capabilities.tools.is_some() && info.capabilities.prompts.is_some());
    let instructions = info.instructions.clone().unwrap();
    assert!(instructions.contains("cents") && instructions.contains("live"));

    let r = call(&h, "list_products", json!({"limit": 5})).await;
    assert!(!is_error(&r), "{}", text(&r));
    let rec = h.records.last();
    assert_eq!(rec.client_name.as_deref(), Some("server-suite"));
    assert_eq!(rec.client_version.as_deref(), Some("9.9.9"));
    assert_eq!(rec.tool, "list_products");
    assert_eq!(rec.access, Some(flex_mcp::Access::Read));
    assert_eq!(rec.mode, Mode::Test);
    assert_eq!(rec.outcome, Outcome::Ok);
    h.sim.shutdown().await;
}

#[tokio::test]
async fn tools_list_is_the_catalogue_with_annotations() {
    let h = start(None).await;
    h.context.set_selection(Selection {
        groups: GroupSet::all(),
        ..Selection::default()
    });
    let tools = h.client.list_all_tools().await.unwrap();
    let tools: Vec<_> = tools
        .into_iter()
        .filter(|t| !flex_mcp::discovery::is_discovery_tool(&t.name))
        .collect();
    assert_eq!(tools.len(), flex_mcp::tools::catalogue().len());
    for name in ["create_product", "list_payment_intents", "refund_capture"] {
        assert!(
            tools.iter().any(|t| t.name == name),
            "documented tool {name} listed"
        );
    }
    for t in &tools {
        let a = t.annotations.as_ref().expect("every tool is annotated");
        assert!(
            a.read_only_hint.is_some() && a.destructive_hint.is_some(),
            "{}",
            t.name
        );
        let props = t.input_schema.get("properties").and_then(Value::as_object);
        for banned in ["api_test_mode", "mode", "api_key", "base_url"] {
            assert!(
                props.is_none_or(|p| !p.contains_key(banned)),
                "{} must not take `{banned}`: the model cannot switch mode or credentials",
                t.name
            );
        }
    }
    h.sim.shutdown().await;
}

#[tokio::test]
async fn a_read_and_a_write_run_in_test_mode() {
    let h = start(None).await;
    let created = call(&h, "create_product", json!({"name": "Massage gun"})).await;
    assert!(!is_error(&created), "{}", text(&created));
    let sc = created.structured_content.clone().unwrap();
    let id = sc.to_string();
    assert!(
        id.contains("fprod_"),
        "the result carries the new product id: {sc}"
    );
    let rec = h.records.last();
    assert_eq!(rec.outcome, Outcome::Ok);
    assert_eq!(rec.access, Some(flex_mcp::Access::Write));
    assert!(
        rec.object_ids.iter().any(|i| i.starts_with("fprod_")),
        "{rec:?}"
    );

    let listed = call(&h, "list_products", json!({"limit": 10})).await;
    assert!(!is_error(&listed), "{}", text(&listed));
    assert!(text(&listed).contains("Massage gun"), "{}", text(&listed));
    h.sim.shutdown().await;
}

#[tokio::test]
async fn destructive_call_in_live_mode_is_refused_with_how_to_allow() {
    let h = start(None).await;
    h.context.set_mode(Mode::Live);
    let r = call(
        &h,
        "create_refund",
        json!({"payment_intent_id": "fpi_01HW5KTQQAAQ66WV19MFW4DTT4", "amount": 500}),
    )
    .await;
    assert!(is_error(&r));
    let t = text(&r);
    for needle in [
        "\"live\": {\"destructive\": \"allow\"}",
        "/home/u/.config/flex-mcp/settings.json",
        "flex-mcp mode test",
        "Nothing was sent to Flex",
    ] {
        assert!(t.contains(needle), "missing {needle:?} in: {t}");
    }
    let sc = r.structured_content.unwrap();
    assert_eq!(sc["error"]["code"], "approval_required");
    let rec = h.records.last();
    assert_eq!(rec.outcome, Outcome::Refused);
    assert_eq!(rec.mode, Mode::Live);
    assert_eq!(rec.error_code.as_deref(), Some("approval_required"));
    assert_eq!(rec.amounts_cents, [500]);
    assert_eq!(rec.object_ids, ["fpi_01HW5KTQQAAQ66WV19MFW4DTT4"]);
    h.sim.shutdown().await;
}

#[tokio::test]
async fn an_approved_ask_runs_and_a_declined_one_does_not() {
    let h = start(Some(Approval::Approved)).await;
    h.context.set_mode(Mode::Live);
    let r = call(&h, "create_product", json!({"name": "Approved thing"})).await;
    assert!(!is_error(&r), "approved write runs: {}", text(&r));
    assert_eq!(h.records.last().outcome, Outcome::Ok);
    h.sim.shutdown().await;

    let h = start(Some(Approval::Declined {
        reason: Some("not today".into()),
    }))
    .await;
    h.context.set_mode(Mode::Live);
    let r = call(&h, "create_product", json!({"name": "Declined thing"})).await;
    assert!(is_error(&r));
    assert!(text(&r).contains("declined") && text(&r).contains("not today"));
    assert_eq!(
        h.records.last().error_code.as_deref(),
        Some("approval_declined")
    );
    h.sim.shutdown().await;
}

#[tokio::test]
async fn deny_policy_refuses_even_reads() {
    let h = start(None).await;
    let mut policy = Policy::default();
    policy.test.read = Decision::Deny;
    h.context.set_policy(policy);
    let r = call(&h, "list_products", json!({})).await;
    assert!(is_error(&r));
    let t = text(&r);
    assert!(
        t.contains("denied") && t.contains("\"test\": {\"read\": \"allow\"}"),
        "{t}"
    );
    assert_eq!(
        h.records.last().error_code.as_deref(),
        Some("policy_denied")
    );
    h.sim.shutdown().await;
}

#[tokio::test]
async fn flex_errors_come_back_as_error_results_with_status_and_code() {
    let h = start(None).await;
    let r = call(
        &h,
        "get_payment_intent",
        json!({"payment_intent_id": "fpi_01JZZZZZZZZZZZZZZZZZZZZZZZ"}),
    )
    .await;
    assert!(is_error(&r), "a 404 is never a success");
    let t = text(&r);
    assert!(t.contains("HTTP 404"), "{t}");
    assert!(
        t.contains("prefix") && t.contains("test mode"),
        "says what to do next: {t}"
    );
    let sc = r.structured_content.unwrap();
    assert_eq!(sc["error"]["http_status"], 404);
    let rec = h.records.last();
    assert_eq!(rec.outcome, Outcome::ApiError);
    assert_eq!(rec.http_status, Some(404));
    assert!(rec.error_code.is_some());
    h.sim.shutdown().await;
}

#[tokio::test]
async fn invalid_arguments_name_the_field_and_secrets_are_redacted_in_records() {
    let h = start(None).await;
    let r = call(&h, "create_product", json!({"name": "  "})).await;
    assert!(is_error(&r));
    assert!(text(&r).contains("`name`"), "{}", text(&r));
    assert_eq!(h.records.last().outcome, Outcome::InvalidArguments);

    let r = call(
        &h,
        "list_products",
        json!({"limit": 1, "api_test_mode": false, "api_key": "fsk_live_leak", "note": "fsk_test_leak2"}),
    )
    .await;
    assert!(
        is_error(&r),
        "unknown arguments (a mode switch) are refused"
    );
    let rec = h.records.last();
    assert_eq!(rec.outcome, Outcome::InvalidArguments);
    let stored = rec.arguments.to_string();
    assert!(
        !stored.contains("leak"),
        "secrets never reach records: {stored}"
    );
    assert_eq!(rec.arguments["api_key"], "[redacted]");
    assert_eq!(rec.arguments["note"], "[redacted]");
    assert_eq!(rec.arguments["limit"], 1);
    h.sim.shutdown().await;
}

#[tokio::test]
async fn unknown_tools_are_protocol_errors_and_still_recorded() {
    let h = start(None).await;
    let err = h
        .client
        .call_tool(CallToolRequestParams::new("drop_tables".to_string()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("unknown tool"), "{err}");
    let rec = h.records.last();
    assert_eq!(rec.tool, "drop_tables");
    assert_eq!(rec.access, None);
    assert_eq!(rec.error_code.as_deref(), Some("unknown_tool"));
    h.sim.shutdown().await;
}

#[tokio::test]
async fn a_mode_switch_applies_from_the_next_call() {
    let h = start(None).await;
    let r = call(&h, "create_product", json!({"name": "In test"})).await;
    assert!(!is_error(&r), "{}", text(&r));
    h.context.set_mode(Mode::Live);
    let r = call(&h, "create_product", json!({"name": "In live"})).await;
    assert!(
        is_error(&r),
        "live writes ask by default, and no one can approve here"
    );
    h.context.set_mode(Mode::Test);
    let r = call(&h, "list_products", json!({})).await;
    assert!(text(&r).contains("In test") && !text(&r).contains("In live"));
    let modes: Vec<Mode> = h.records.all().iter().map(|r| r.mode).collect();
    assert_eq!(modes, [Mode::Test, Mode::Live, Mode::Test]);
    h.sim.shutdown().await;
}

#[tokio::test]
async fn without_a_key_the_server_lists_tools_and_calls_say_how_to_sign_in() {
    let context = Arc::new(StaticContext::new(CallSettings::default()));
    let client = connect(FlexServer::new(context)).await;
    assert!(!client.list_all_tools().await.unwrap().is_empty());
    let r = client
        .call_tool(CallToolRequestParams::new("list_products".to_string()))
        .await
        .unwrap();
    assert!(is_error(&r));
    assert!(
        text(&r).contains("flex-mcp login --api-key"),
        "{}",
        text(&r)
    );
}

#[tokio::test]
async fn prompts_are_listed_rendered_and_name_real_tools() {
    let h = start(None).await;
    h.context.set_selection(Selection {
        groups: GroupSet::all(),
        ..Selection::default()
    });
    let prompts = h.client.list_all_prompts().await.unwrap();
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    for expected in [
        "look_up_payment",
        "double_charge_check",
        "daily_reconciliation",
        "refund_after_support_chat",
        "subscription_ops",
        "weekly_report",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    for p in flex_mcp::prompts::PROMPTS {
        for tool in p.tools {
            assert!(
                flex_mcp::tools::find(tool).is_some(),
                "prompt {} names {tool}, which is not in the catalogue",
                p.name
            );
        }
    }
    let got = h
        .client
        .get_prompt(
            GetPromptRequestParams::new("look_up_payment").with_arguments(args(
                json!({"payment_intent_id": "fpi_01HW5KTQQAAQ66WV19MFW4DTT4"}),
            )),
        )
        .await
        .unwrap();
    let body = serde_json::to_string(&got.messages).unwrap();
    assert!(body.contains("fpi_01HW5KTQQAAQ66WV19MFW4DTT4") && body.contains("get_payment_intent"));
    let err = h
        .client
        .get_prompt(GetPromptRequestParams::new("look_up_payment"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("payment_intent_id"), "{err}");
    h.sim.shutdown().await;
}

/// Raw JSON-RPC lines against the server, for protocol-version negotiation.
struct Raw {
    reader: BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>,
    writer: tokio::io::WriteHalf<tokio::io::DuplexStream>,
}

impl Raw {
    fn start(server: FlexServer) -> Raw {
        let (client_io, server_io) = tokio::io::duplex(1 << 16);
        let (sr, sw) = tokio::io::split(server_io);
        tokio::spawn(async move {
            let _ = flex_mcp::stdio::serve_on(server, sr, sw).await;
        });
        let (cr, cw) = tokio::io::split(client_io);
        Raw {
            reader: BufReader::new(cr),
            writer: cw,
        }
    }

    async fn send(&mut self, v: Value) {
        let mut line = v.to_string();
        line.push('\n');
        self.writer.write_all(line.as_bytes()).await.unwrap();
    }

    async fn recv(&mut self) -> Value {
        let mut line = String::new();
        self.reader.read_line(&mut line).await.unwrap();
        serde_json::from_str(&line).unwrap()
    }
}

#[tokio::test]
async fn every_known_protocol_version_negotiates() {
    let records = Collect::default();
    let server = FlexServer::new(Arc::new(StaticContext::new(CallSettings::default())))
        .recorder(Arc::new(records.clone()));
    for version in rmcp::model::ProtocolVersion::KNOWN_VERSIONS {
        let mut raw = Raw::start(server.clone());
        if version.has_initialize() {
            raw.send(
                json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": version.as_str(),
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "1"}}}),
            )
            .await;
            let init = raw.recv().await;
            assert_eq!(
                init["result"]["protocolVersion"],
                version.as_str(),
                "initialize with {version} is answered with {version}"
            );
            assert_eq!(init["result"]["serverInfo"]["name"], "flex-mcp");
            raw.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
                .await;
            raw.send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
                .await;
        } else {
            // 2026-07-28 and later: no handshake; every request carries its own context.
            raw.send(
                json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {
                "_meta": {
                    "io.modelcontextprotocol/protocolVersion": version.as_str(),
                    "io.modelcontextprotocol/clientCapabilities": {},
                    "io.modelcontextprotocol/clientInfo": {"name": "inline", "version": "2"}}}}),
            )
            .await;
        }
        let list = raw.recv().await;
        let n = list["result"]["tools"].as_array().map_or(0, Vec::len);
        let default = flex_mcp::groups::tool_list(Selection::default())
            .tools
            .len();
        assert_eq!(n, default, "{version}: {list}");
        if !version.has_initialize() {
            raw.send(
                json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
                "name": "list_products", "arguments": {},
                "_meta": {
                    "io.modelcontextprotocol/protocolVersion": version.as_str(),
                    "io.modelcontextprotocol/clientCapabilities": {},
                    "io.modelcontextprotocol/clientInfo": {"name": "inline", "version": "2"}}}}),
            )
            .await;
            let called = raw.recv().await;
            assert_eq!(
                called["result"]["isError"], true,
                "no key configured: {called}"
            );
            assert_eq!(
                records.last().client_name.as_deref(),
                Some("inline"),
                "clientInfo from per-request _meta is recorded"
            );
        }
    }
}
