//! Gateway overhead per call (issue 9): one `get_product` sent straight to flex-sim's hosted MCP
//! (`/api/mcp/oauth`, JSON-RPC over HTTP POST with a keep-alive reqwest client and a bearer
//! token), interleaved with the same call through the host: an rmcp client on the host's Unix
//! socket → the gate (policy, record) → the gateway → the hosted MCP. Overhead = difference of
//! the medians (and of the p99s). The sign-in is made through the flex-auth API with the
//! simulator's forms, as in the tests. Prints a Markdown table; writes every sample as JSON to
//! the path given as the first argument (if any).
//!
//! `cargo run -p flex-core --example gateway_bench -- bench/results/gateway.json [CALLS]`
#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

#[path = "../../flex-auth/tests/common/sign_in.rs"]
mod sign_in;

use std::sync::Arc;
use std::time::Instant;

use flex_api::Mode;
use flex_auth::oauth::Refresher;
use flex_core::host::HostOptions;
use flex_core::{Paths, Settings};
use rmcp::ServiceExt as _;
use rmcp::model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation};
use serde_json::{Value, json};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let out = std::env::args().nth(1);
    let calls: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(500);
    let sim = sign_in::sim().await;
    let store = Arc::new(flex_auth::MemoryStore::new());
    sign_in::sign_in(&sim, &store).await;
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::under(dir.path(), dir.path());
    Settings {
        api_base: Some(sim.base_url()),
        mcp_url: Some(sim.oauth_mcp_url()),
        ..Settings::default()
    }
    .save(&paths)
    .unwrap();

    // A product to read, made through the direct endpoint.
    let http = reqwest::Client::new();
    let token = Refresher::new(store.clone())
        .unwrap()
        .bearer()
        .await
        .unwrap()
        .token
        .expose()
        .clone();
    let direct = |id: u64, params: Value| {
        let http = http.clone();
        let token = token.clone();
        let url = sim.oauth_mcp_url();
        async move {
            let reply: Value = http
                .post(url)
                .bearer_auth(token)
                .json(
                    &json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params}),
                )
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(reply["result"]["isError"], false, "{reply}");
            reply
        }
    };
    let made = direct(
        0,
        json!({"name": "create_product", "arguments": {"name": "Bench tea", "api_test_mode": true}}),
    )
    .await;
    let content = &made["result"]["structuredContent"];
    let id = content["product_id"]
        .as_str()
        .or_else(|| content["product"]["product_id"].as_str())
        .unwrap_or_else(|| panic!("{made}"))
        .to_owned();

    let host = flex_core::host::start(HostOptions {
        paths: paths.clone(),
        lookup: Arc::new(|_: &Paths, _: Mode| Ok(None)),
        desktop_approvals: false,
        oauth_store: Some(store),
        guardian_program: None,
        demo: None,
    })
    .unwrap();
    let stream = tokio::net::UnixStream::connect(paths.socket_path())
        .await
        .unwrap();
    let client = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("gateway-bench", "1"),
    )
    .serve(stream.into_split())
    .await
    .unwrap();
    let args = json!({"product_id": id});
    let Value::Object(map) = args.clone() else {
        unreachable!()
    };
    let via_host = || {
        let request = CallToolRequestParams::new("get_product").with_arguments(map.clone());
        let client = &client;
        async move {
            let r = client.call_tool(request).await.unwrap();
            assert_ne!(r.is_error, Some(true), "{r:?}");
        }
    };

    // Warm-up: connections, the hosted tool list, the first record.
    for i in 0..20 {
        via_host().await;
        direct(
            i,
            json!({"name": "get_product", "arguments": {"product_id": id, "api_test_mode": true}}),
        )
        .await;
    }
    let mut d = Vec::with_capacity(calls);
    let mut g = Vec::with_capacity(calls);
    for i in 0..calls as u64 {
        let t = Instant::now();
        direct(
            i,
            json!({"name": "get_product", "arguments": {"product_id": id, "api_test_mode": true}}),
        )
        .await;
        d.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        via_host().await;
        g.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut ds = d.clone();
    let mut gs = g.clone();
    ds.sort_by(f64::total_cmp);
    gs.sort_by(f64::total_cmp);
    let row = |name: &str, s: &[f64]| {
        println!(
            "| {name} | {:.3} | {:.3}–{:.3} | {:.3} | {:.3}–{:.3} |",
            percentile(s, 0.5),
            percentile(s, 0.1),
            percentile(s, 0.9),
            percentile(s, 0.99),
            s[0],
            s[s.len() - 1]
        );
    };
    println!("{calls} calls each, interleaved (ms)\n");
    println!("| path | p50 | p10–p90 | p99 | min–max |\n|---|---|---|---|---|");
    row("hosted MCP directly (HTTP POST)", &ds);
    row("through the host + gateway (rmcp on the socket)", &gs);
    println!(
        "\noverhead: p50 {:+.3} ms, p99 {:+.3} ms",
        percentile(&gs, 0.5) - percentile(&ds, 0.5),
        percentile(&gs, 0.99) - percentile(&ds, 0.99)
    );
    if let Some(path) = out {
        let json = json!({"calls": calls, "direct_ms": d, "gateway_ms": g});
        std::fs::write(path, serde_json::to_string(&json).unwrap()).unwrap();
    }
    drop(client);
    host.shutdown();
    sim.shutdown().await;
}
