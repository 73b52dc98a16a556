//! The bridge's session logic over in-memory pipes: a first upstream that answers `initialize`
//! and then dies mid-call, and a real in-process `FlexServer` as the next one. Shows the in-flight
//! error, the replayed handshake (its reply swallowed) and the next call served.

#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::sync::Arc;

use flex_mcp::server::{CallSettings, FlexServer, StaticContext};
use flex_mcp::stdio::{HOST_CLOSED_CODE, StdioError, Upstream, bridge_on, in_process};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bridge-suite","version":"1"}}}"#;

#[tokio::test]
async fn a_dying_host_fails_the_call_in_flight_and_the_next_upstream_gets_the_handshake() {
    // The first "host": answers initialize by hand, then closes when a tools/call arrives.
    let (bridge_side, host_side) = tokio::io::duplex(1 << 16);
    let (br, bw) = tokio::io::split(bridge_side);
    let host = tokio::spawn(async move {
        let (hr, mut hw) = tokio::io::split(host_side);
        let mut lines = BufReader::new(hr).lines();
        while let Some(line) = lines.next_line().await.unwrap() {
            let msg: Value = serde_json::from_str(&line).unwrap();
            match msg["method"].as_str() {
                Some("initialize") => {
                    let reply = json!({"jsonrpc": "2.0", "id": msg["id"], "result": {
                        "protocolVersion": "2025-06-18", "capabilities": {},
                        "serverInfo": {"name": "first", "version": "0"}}});
                    hw.write_all(format!("{reply}\n").as_bytes()).await.unwrap();
                }
                Some("tools/call") => return,
                _ => {}
            }
        }
    });
    let first = Upstream {
        reader: Box::new(br),
        writer: Box::new(bw),
    };
    let server = FlexServer::new(Arc::new(StaticContext::new(CallSettings::default())));
    let reconnect = move || -> flex_mcp::tools::BoxFuture<Result<Upstream, StdioError>> {
        let server = server.clone();
        Box::pin(async move { Ok(in_process(server)) })
    };

    let (client_side, bridge_io) = tokio::io::duplex(1 << 16);
    let (bridge_in, bridge_out) = tokio::io::split(bridge_io);
    let bridge = tokio::spawn(bridge_on(first, reconnect, bridge_in, bridge_out));
    let (cr, mut cw) = tokio::io::split(client_side);
    let mut from_bridge = BufReader::new(cr).lines();
    let mut send = async |line: &str| {
        cw.write_all(format!("{line}\n").as_bytes()).await.unwrap();
    };

    send(INIT).await;
    let init: Value =
        serde_json::from_str(&from_bridge.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(init["result"]["serverInfo"]["name"], "first");
    send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).await;
    send(r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_products","arguments":{}}}"#).await;
    let failed: Value =
        serde_json::from_str(&from_bridge.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(failed["id"], 2);
    assert_eq!(failed["error"]["code"], HOST_CLOSED_CODE);
    assert!(
        failed["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Flex MCP app was closed")
    );
    host.await.unwrap();

    // The next request goes to the in-process server, which got the replayed handshake: the
    // client sees no second initialize reply, only the answer to its request.
    send(r#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#).await;
    let listed: Value =
        serde_json::from_str(&from_bridge.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(listed["id"], 3, "{listed}");
    assert!(!listed["result"]["tools"].as_array().unwrap().is_empty());
    // The client closes its side (a split half must be shut down; dropping it is not EOF).
    cw.shutdown().await.unwrap();
    bridge.await.unwrap().unwrap();
}

/// An upstream that reads what it is sent and closes, answering nothing, once it sees a
/// `tools/list`: a host that dies while the bridge reconnects to it.
fn dying_upstream() -> Upstream {
    let (bridge_side, host_side) = tokio::io::duplex(1 << 16);
    let (br, bw) = tokio::io::split(bridge_side);
    tokio::spawn(async move {
        let (hr, _hw) = tokio::io::split(host_side);
        let mut lines = BufReader::new(hr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("tools/list") {
                return;
            }
        }
    });
    Upstream {
        reader: Box::new(br),
        writer: Box::new(bw),
    }
}

#[tokio::test]
async fn a_request_sent_to_a_host_that_died_before_the_replayed_handshake_is_sent_again() {
    let server = FlexServer::new(Arc::new(StaticContext::new(CallSettings::default())));
    let attempts = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let reconnect = {
        let attempts = attempts.clone();
        move || -> flex_mcp::tools::BoxFuture<Result<Upstream, StdioError>> {
            let server = server.clone();
            let n = attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Box::pin(async move {
                Ok(if n == 0 {
                    dying_upstream()
                } else {
                    in_process(server)
                })
            })
        }
    };
    // The first upstream answers initialize, then dies on the first request.
    let first = {
        let (bridge_side, host_side) = tokio::io::duplex(1 << 16);
        let (br, bw) = tokio::io::split(bridge_side);
        tokio::spawn(async move {
            let (hr, mut hw) = tokio::io::split(host_side);
            let mut lines = BufReader::new(hr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let msg: Value = serde_json::from_str(&line).unwrap();
                match msg["method"].as_str() {
                    Some("initialize") => {
                        let reply = json!({"jsonrpc": "2.0", "id": msg["id"], "result": {
                            "protocolVersion": "2025-06-18", "capabilities": {},
                            "serverInfo": {"name": "first", "version": "0"}}});
                        hw.write_all(format!("{reply}\n").as_bytes()).await.unwrap();
                    }
                    Some("tools/call") => return,
                    _ => {}
                }
            }
        });
        Upstream {
            reader: Box::new(br),
            writer: Box::new(bw),
        }
    };
    let (client_side, bridge_io) = tokio::io::duplex(1 << 16);
    let (bridge_in, bridge_out) = tokio::io::split(bridge_io);
    let bridge = tokio::spawn(bridge_on(first, reconnect, bridge_in, bridge_out));
    let (cr, mut cw) = tokio::io::split(client_side);
    let mut from_bridge = BufReader::new(cr).lines();
    let mut send = async |line: &str| {
        cw.write_all(format!("{line}\n").as_bytes()).await.unwrap();
    };
    send(INIT).await;
    from_bridge.next_line().await.unwrap().unwrap();
    send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).await;
    send(r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_products","arguments":{}}}"#).await;
    let failed: Value =
        serde_json::from_str(&from_bridge.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(failed["error"]["code"], HOST_CLOSED_CODE, "{failed}");

    // Sent to the dying upstream, which never answers: it must reach the working one.
    send(r#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#).await;
    let listed: Value =
        serde_json::from_str(&from_bridge.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(listed["id"], 3, "{listed}");
    assert!(listed.get("error").is_none(), "{listed}");
    assert!(!listed["result"]["tools"].as_array().unwrap().is_empty());
    assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 2);
    cw.shutdown().await.unwrap();
    bridge.await.unwrap().unwrap();
}
