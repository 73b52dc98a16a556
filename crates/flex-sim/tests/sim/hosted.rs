//! The hosted MCP endpoints and the authorization server over real HTTP: discovery from a 401,
//! registration, the sign-in and consent forms, PKCE, rotation with reuse detection, revocation,
//! and tool calls in both modes over the same data as the REST API.

#![allow(clippy::unwrap_used)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::{LIVE_KEY, TEST_KEY, TestSim, start};

const EMAIL: &str = "owner@clinic.test";
const PASSWORD: &str = "correct horse";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client builds")
}

fn query_of(location: &str) -> std::collections::HashMap<String, String> {
    let q = location.split_once('?').map_or("", |(_, q)| q);
    serde_urlencoded::from_str(q).expect("a query string")
}

fn hidden_request(html: &str) -> String {
    let marker = "name=\"request\" value=\"";
    let start = html.find(marker).expect("a request field") + marker.len();
    html[start..]
        .split('"')
        .next()
        .expect("closing quote")
        .to_owned()
}

struct Signed {
    client_id: String,
    access: String,
    refresh: String,
}

/// Discovery → registration → authorize → sign-in → consent → token, as a browser and a client would.
async fn sign_in(sim: &TestSim, verifier_ok: bool) -> Result<Signed, (u16, Value)> {
    let http = no_redirects();
    let mcp = sim.handle.oauth_mcp_url();
    let unauth = http.post(&mcp).json(&json!({})).send().await.unwrap();
    assert_eq!(unauth.status(), 401);
    let challenge = unauth.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    let prm_url = challenge
        .split("resource_metadata=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("resource_metadata in the challenge")
        .to_owned();
    let prm: Value = http
        .get(&prm_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(prm["resource"], json!(mcp));
    let issuer = prm["authorization_servers"][0].as_str().unwrap().to_owned();
    let meta: Value = http
        .get(format!("{issuer}/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(meta["issuer"], json!(issuer));
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
    let reg: Value = http
        .post(meta["registration_endpoint"].as_str().unwrap())
        .json(&json!({"redirect_uris": ["http://127.0.0.1/callback"], "client_name": "Test <app>", "token_endpoint_auth_method": "none"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_id = reg["client_id"].as_str().unwrap().to_owned();
    let verifier = "a-verifier-that-is-long-enough-for-pkce-0123456789";
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let redirect_uri = "http://127.0.0.1:45678/callback";
    let page = http
        .get(meta["authorization_endpoint"].as_str().unwrap())
        .query(&[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", redirect_uri),
            ("state", "st-1"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("resource", &mcp),
            ("scope", "flex"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Test &lt;app&gt;"),
        "the client name is escaped: {html}"
    );
    let request = hidden_request(&html);
    let wrong = http
        .post(sim.url("/oauth/authorize/login"))
        .form(&[
            ("request", request.as_str()),
            ("email", EMAIL),
            ("password", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let consent = http
        .post(sim.url("/oauth/authorize/login"))
        .form(&[
            ("request", request.as_str()),
            ("email", EMAIL),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(consent.contains("decision"), "{consent}");
    let back = http
        .post(sim.url("/oauth/authorize/consent"))
        .form(&[("request", request.as_str()), ("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 303);
    let location = back.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(redirect_uri), "{location}");
    let q = query_of(&location);
    assert_eq!(q["state"], "st-1");
    assert_eq!(q["iss"], issuer);
    let used_verifier = if verifier_ok {
        verifier
    } else {
        "another-verifier-entirely-0123456789-abcdefgh"
    };
    let resp = http
        .post(meta["token_endpoint"].as_str().unwrap())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &q["code"]),
            ("redirect_uri", redirect_uri),
            ("client_id", &client_id),
            ("code_verifier", used_verifier),
            ("resource", &mcp),
        ])
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap();
    if status != 200 {
        return Err((status, body));
    }
    Ok(Signed {
        client_id,
        access: body["access_token"].as_str().unwrap().to_owned(),
        refresh: body["refresh_token"].as_str().unwrap().to_owned(),
    })
}

async fn rpc(sim: &TestSim, url: &str, token: &str, method: &str, params: Value) -> (u16, Value) {
    let resp = sim
        .http
        .post(url)
        .bearer_auth(token)
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn refresh(sim: &TestSim, client_id: &str, token: &str) -> (u16, Value) {
    let resp = sim
        .http
        .post(sim.url("/oauth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
            ("client_id", client_id),
        ])
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn the_oauth_endpoint_serves_both_modes_after_a_browser_style_sign_in() {
    let sim = start().await;
    sim.handle.add_oauth_user(EMAIL, PASSWORD);
    let s = sign_in(&sim, true).await.expect("the sign-in succeeds");
    let mcp = sim.handle.oauth_mcp_url();

    let (_, init) = rpc(&sim, &mcp, &s.access, "initialize", json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}})).await;
    assert_eq!(init["result"]["protocolVersion"], "2025-06-18");
    let (_, list) = rpc(&sim, &mcp, &s.access, "tools/list", json!({})).await;
    let tools = list["result"]["tools"].as_array().unwrap();
    assert!(tools.iter().all(|t| {
        t["inputSchema"]["properties"]
            .get("api_test_mode")
            .is_some()
    }));

    // A write without the mode is refused; with it, it lands in the chosen store.
    let (_, refused) = rpc(
        &sim,
        &mcp,
        &s.access,
        "tools/call",
        json!({"name": "create_product", "arguments": {"name": "Mask"}}),
    )
    .await;
    assert_eq!(refused["result"]["isError"], true);
    let (_, made) = rpc(&sim, &mcp, &s.access, "tools/call", json!({"name": "create_product", "arguments": {"name": "Test mask", "api_test_mode": true}})).await;
    assert_eq!(made["result"]["isError"], false, "{made}");
    let id = made["result"]["structuredContent"]["product"]["product_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, rest) = sim
        .send(
            reqwest::Method::GET,
            Some(TEST_KEY),
            &format!("/v1/products/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "the REST API sees the same test data: {rest}");
    let (status, _) = sim
        .send(
            reqwest::Method::GET,
            Some(LIVE_KEY),
            &format!("/v1/products/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 404);

    // A read without the mode reads live data.
    let (_, live) = rpc(
        &sim,
        &mcp,
        &s.access,
        "tools/call",
        json!({"name": "get_product", "arguments": {"product_id": id}}),
    )
    .await;
    assert_eq!(
        live["result"]["isError"], true,
        "live store has no such product: {live}"
    );
    let (_, test) = rpc(
        &sim,
        &mcp,
        &s.access,
        "tools/call",
        json!({"name": "get_product", "arguments": {"product_id": id, "api_test_mode": true}}),
    )
    .await;
    assert_eq!(test["result"]["isError"], false);

    // GET has no stream.
    let get = sim
        .http
        .get(&mcp)
        .bearer_auth(&s.access)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 405);
}

#[tokio::test]
async fn refresh_rotates_and_a_replayed_refresh_token_revokes_the_family() {
    let sim = start().await;
    sim.handle.add_oauth_user(EMAIL, PASSWORD);
    let s = sign_in(&sim, true).await.unwrap();
    let mcp = sim.handle.oauth_mcp_url();
    let (status, next) = refresh(&sim, &s.client_id, &s.refresh).await;
    assert_eq!(status, 200);
    let new_access = next["access_token"].as_str().unwrap();
    assert_ne!(
        next["refresh_token"],
        json!(s.refresh),
        "refresh tokens rotate"
    );
    let (status, _) = rpc(&sim, &mcp, new_access, "ping", json!({})).await;
    assert_eq!(status, 200);
    let (status, replay) = refresh(&sim, &s.client_id, &s.refresh).await;
    assert_eq!(
        (status, replay["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _) = rpc(&sim, &mcp, new_access, "ping", json!({})).await;
    assert_eq!(status, 401, "the whole family is revoked");
    let counters: Value = sim
        .http
        .get(sim.url("/__sim/oauth"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counters["refresh_count"], 1);
    assert_eq!(counters["reuse_detected"], 1);
}

#[tokio::test]
async fn pkce_is_checked_and_revocation_ends_the_sign_in() {
    let sim = start().await;
    sim.handle.add_oauth_user(EMAIL, PASSWORD);
    let (status, body) = sign_in(&sim, false)
        .await
        .err()
        .expect("a wrong verifier is refused");
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let s = sign_in(&sim, true).await.unwrap();
    let revoked = sim
        .http
        .post(sim.url("/oauth/revoke"))
        .form(&[
            ("token", s.refresh.as_str()),
            ("client_id", s.client_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let (status, _) = rpc(
        &sim,
        &sim.handle.oauth_mcp_url(),
        &s.access,
        "ping",
        json!({}),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = refresh(&sim, &s.client_id, &s.refresh).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_key_endpoint_takes_the_mode_from_the_key() {
    let sim = start().await;
    let url = sim.url("/api/mcp");
    let (status, _) = rpc(&sim, &url, "fsk_test_unknown", "tools/list", json!({})).await;
    assert_eq!(status, 401);
    let (_, list) = rpc(&sim, &url, TEST_KEY, "tools/list", json!({})).await;
    let tools = list["result"]["tools"].as_array().unwrap();
    assert!(tools.iter().all(|t| {
        t["inputSchema"]["properties"]
            .get("api_test_mode")
            .is_none()
    }));
    let (_, made) = rpc(
        &sim,
        &url,
        TEST_KEY,
        "tools/call",
        json!({"name": "create_customer", "arguments": {"email": "a@b.test"}}),
    )
    .await;
    assert_eq!(made["result"]["isError"], false, "{made}");
    let (_, clash) = rpc(
        &sim,
        &url,
        TEST_KEY,
        "tools/call",
        json!({"name": "list_customers", "arguments": {"api_test_mode": false}}),
    )
    .await;
    assert_eq!(clash["result"]["isError"], true);
    let (_, listed) = rpc(
        &sim,
        &url,
        LIVE_KEY,
        "tools/call",
        json!({"name": "list_customers", "arguments": {}}),
    )
    .await;
    assert_eq!(
        listed["result"]["structuredContent"]["customers"],
        json!([])
    );
}
