//! The gateway to Flex's hosted MCP, end to end in one process: a real flex-sim with its hosted
//! MCP and authorization server on 127.0.0.1, a Flex sign-in made through the flex-auth API
//! (forms posted as a person would), the host on a real Unix socket with no API key, and rmcp
//! clients on that socket. The host serves the hosted tools behind its own gate.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

#[path = "../../flex-auth/tests/common/sign_in.rs"]
mod sign_in;

#[path = "common/socket_client.rs"]
mod socket_client;
use socket_client::{call, text};

use std::sync::Arc;

use flex_api::Mode;
use flex_auth::MemoryStore;
use flex_core::host::{HostHandle, HostOptions};
use flex_core::{Paths, Settings};
use rmcp::model::{CallToolResult, ClientConfig};
use rmcp::service::RunningService;
use serde_json::{Value, json};

struct Harness {
    _dir: tempfile::TempDir,
    paths: Paths,
    sim: flex_sim::SimHandle,
    host: HostHandle,
}

/// A signed-in host (no API key stored) over a fresh simulator. `ttl` is the lifetime of the
/// access token issued at sign-in.
async fn start(settings: Settings, ttl: u64) -> Harness {
    start_with(settings, ttl, Arc::new(|_: &Paths, _: Mode| Ok(None))).await
}

/// [`start`] with stored API keys from `lookup` beside the Flex sign-in.
async fn start_with(settings: Settings, ttl: u64, lookup: flex_core::serve::KeyLookup) -> Harness {
    let sim = sign_in::sim().await;
    let store = Arc::new(MemoryStore::new());
    sign_in::controls(&sim, json!({"access_token_ttl_secs": ttl})).await;
    sign_in::sign_in(&sim, &store).await;
    sign_in::controls(&sim, json!({"access_token_ttl_secs": 3600})).await;
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::under(dir.path(), dir.path());
    Settings {
        api_base: Some(sim.base_url()),
        mcp_url: Some(sim.oauth_mcp_url()),
        ..settings
    }
    .save(&paths)
    .unwrap();
    let host = flex_core::host::start(HostOptions {
        paths: paths.clone(),
        lookup,
        desktop_approvals: false,
        oauth_store: Some(store),
        guardian_program: None,
        demo: None,
    })
    .unwrap();
    Harness {
        _dir: dir,
        paths,
        sim,
        host,
    }
}

async fn client(h: &Harness) -> RunningService<rmcp::RoleClient, ClientConfig> {
    socket_client::connect(&h.paths, "gateway-suite", "1.0.0").await
}

fn last_record(h: &Harness) -> flex_mcp::CallRecord {
    h.host.activity().flush();
    h.host.activity().recent(1).unwrap().remove(0)
}

fn product_names(r: &CallToolResult) -> Vec<String> {
    let content = r
        .structured_content
        .as_ref()
        .unwrap_or_else(|| panic!("{}", text(r)));
    let data = content["products"]
        .as_array()
        .unwrap_or_else(|| panic!("{content}"))
        .clone();
    data.iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_in_each_mode_go_through_the_hosted_mcp_with_our_mode() {
    let h = start(Settings::default(), 3600).await;
    let c = client(&h).await;

    let listed = c.list_all_tools().await.unwrap();
    let create = listed.iter().find(|t| t.name == "create_product").unwrap();
    assert!(
        !Value::Object((*create.input_schema).clone())
            .to_string()
            .contains("api_test_mode"),
        "the mode argument is removed from every schema"
    );
    assert!(listed.iter().all(|t| {
        !Value::Object((*t.input_schema).clone())
            .to_string()
            .contains("api_test_mode")
    }));
    // Our title and annotations, not the hosted server's.
    assert_eq!(create.title.as_deref(), Some("Create product"));

    let made = call(&c, "create_product", json!({"name": "Gateway test tea"})).await;
    assert_ne!(made.is_error, Some(true), "{}", text(&made));
    let record = last_record(&h);
    assert_eq!(record.tool, "hosted:create_product", "marked as via hosted");
    assert_eq!(record.mode, Mode::Test);
    assert_eq!(record.outcome, flex_mcp::Outcome::Ok);
    assert_eq!(record.access, Some(flex_mcp::Access::Write));

    let test_list = call(&c, "list_products", json!({})).await;
    assert!(product_names(&test_list).contains(&"Gateway test tea".to_owned()));
    // The hosted server ran it in test mode: our toggle, sent as api_test_mode.
    assert_eq!(
        test_list.structured_content.as_ref().unwrap()["products"][0]["test_mode"],
        true
    );

    h.host.set_mode(Mode::Live).unwrap();
    let live_list = call(&c, "list_products", json!({})).await;
    assert_ne!(live_list.is_error, Some(true), "{}", text(&live_list));
    assert!(
        !product_names(&live_list).contains(&"Gateway test tea".to_owned()),
        "live reads live data: the product made in test is not there"
    );
    assert_eq!(last_record(&h).mode, Mode::Live);
    h.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_sent_mode_is_refused_and_a_live_write_asks_headlessly() {
    let h = start(Settings::default(), 3600).await;
    let c = client(&h).await;

    let sneaky = call(&c, "list_products", json!({"api_test_mode": false})).await;
    assert_eq!(sneaky.is_error, Some(true));
    assert!(
        text(&sneaky).contains("unknown field `api_test_mode`"),
        "{}",
        text(&sneaky)
    );
    let record = last_record(&h);
    assert_eq!(record.outcome, flex_mcp::Outcome::InvalidArguments);
    assert_eq!(record.tool, "hosted:list_products");

    // Live, default policy: writes ask; a headless host refuses with the usual sentence.
    h.host.set_mode(Mode::Live).unwrap();
    let write = call(&c, "create_product", json!({"name": "Live tea"})).await;
    assert_eq!(write.is_error, Some(true));
    let expected = flex_mcp::format::approval_unavailable(
        "create_product",
        Mode::Live,
        flex_mcp::Access::Write,
        Some(&h.paths.settings_file().display().to_string()),
    );
    assert_eq!(text(&write), expected.text);
    let record = last_record(&h);
    assert_eq!(record.error_code.as_deref(), Some("approval_required"));
    assert_eq!(record.approval.as_deref(), Some("unavailable"));
    // Nothing reached the hosted server: the live store has no such product.
    let live_list = call(&c, "list_products", json!({})).await;
    assert!(!product_names(&live_list).contains(&"Live tea".to_owned()));
    h.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hosted_error_reaches_the_model_as_an_actionable_tool_error() {
    let h = start(Settings::default(), 3600).await;
    let c = client(&h).await;
    let missing = call(&c, "get_product", json!({"product_id": "fprod_nope"})).await;
    assert_eq!(missing.is_error, Some(true));
    let t = text(&missing);
    assert!(t.contains("via Flex hosted MCP"), "{t}");
    assert!(t.contains("Check the IDs"), "{t}");
    let record = last_record(&h);
    assert_eq!(record.outcome, flex_mcp::Outcome::ApiError);
    assert_eq!(record.http_status, Some(404));
    assert_eq!(record.error_code.as_deref(), Some("resource_missing"));
    h.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_calls_with_an_expiring_token_refresh_once_through_the_host() {
    // Issued with 30 s, inside the refresher's 60 s margin: the first call must refresh.
    let h = start(Settings::default(), 30).await;
    let c = Arc::new(client(&h).await);
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { call(&c, "list_products", json!({})).await })
        })
        .collect();
    for handle in calls {
        let r = handle.await.unwrap();
        assert_ne!(r.is_error, Some(true), "{}", text(&r));
    }
    let counts = sign_in::controls(&h.sim, Value::Null).await;
    assert_eq!(counts["refresh_count"], 1, "one refresh for all: {counts}");
    assert_eq!(counts["reuse_detected"], 0);
    h.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hosted_tool_we_do_not_know_is_treated_as_destructive() {
    let h = start(Settings::default(), 3600).await;
    sign_in::controls(&h.sim, json!({"hosted_preview_tool": true})).await;
    let c = client(&h).await;
    let listed = c.list_all_tools().await.unwrap();
    let unknown = listed
        .iter()
        .find(|t| t.name == "send_preview_payout")
        .expect("the hosted-only tool is offered");
    let hints = unknown.annotations.as_ref().unwrap();
    assert_eq!(hints.destructive_hint, Some(true));
    assert_eq!(hints.read_only_hint, Some(false));

    // Live, default policy: destructive calls ask; headless, that is the usual refusal.
    h.host.set_mode(Mode::Live).unwrap();
    let r = call(&c, "send_preview_payout", json!({"amount": 100})).await;
    assert_eq!(r.is_error, Some(true));
    let record = last_record(&h);
    assert_eq!(record.access, Some(flex_mcp::Access::Destructive));
    assert_eq!(record.error_code.as_deref(), Some("approval_required"));
    assert!(text(&r).contains("destructive"), "{}", text(&r));
    h.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_key_and_the_flex_sign_in_the_person_s_choice_decides_at_the_next_call() {
    const KEY: &str = "fsk_test_gateway_choice_key";
    let h = start_with(
        Settings::default(),
        3600,
        Arc::new(|_: &Paths, mode: Mode| Ok((mode == Mode::Test).then(|| KEY.to_owned()))),
    )
    .await;
    h.sim.sim().add_key(KEY, Vec::new());
    let c = client(&h).await;
    let r = call(&c, "list_products", json!({})).await;
    assert_ne!(r.is_error, Some(true), "{}", text(&r));
    assert_eq!(
        last_record(&h).tool,
        "list_products",
        "no choice saved: the API key serves test mode (local tools, REST)"
    );

    h.host
        .set_sign_in(Mode::Test, flex_core::key_rule::SignInChoice::Flex)
        .unwrap();
    let r = call(&c, "list_products", json!({})).await;
    assert_ne!(r.is_error, Some(true), "{}", text(&r));
    assert_eq!(
        last_record(&h).tool,
        "hosted:list_products",
        "chosen in the app: the Flex sign-in serves it from the next call, no restart"
    );
    assert_eq!(
        Settings::load(&h.paths).unwrap().sign_in.test,
        Some(flex_core::key_rule::SignInChoice::Flex),
        "the choice is saved"
    );
    h.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_refresh_gives_the_person_one_sign_in_again_notice() {
    // Issued with 30 s, inside the refresher's margin: the first call refreshes, and Flex refuses.
    let h = start(Settings::default(), 30).await;
    sign_in::controls(&h.sim, json!({"fail_next_refresh": true})).await;
    let c = client(&h).await;
    for _ in 0..3 {
        let r = call(&c, "list_products", json!({})).await;
        assert_eq!(r.is_error, Some(true), "{}", text(&r));
    }
    let ended = |h: &Harness| {
        h.host
            .notices()
            .recent()
            .into_iter()
            .filter(|n| n.code == flex_core::notice::NoticeCode::SignInEnded)
            .collect::<Vec<_>>()
    };
    for _ in 0..100 {
        if !ended(&h).is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let notices = ended(&h);
    assert_eq!(
        notices.len(),
        1,
        "one notice, not one per call: {notices:?}"
    );
    assert!(notices[0].needs_action);
    assert!(
        notices[0].message.contains("Sign in again"),
        "{}",
        notices[0].message
    );
    let counts = sign_in::controls(&h.sim, Value::Null).await;
    assert_eq!(
        (&counts["refresh_failures"], &counts["refresh_count"]),
        (&json!(1), &json!(0)),
        "one refused attempt at Flex, no retry loop: {counts}"
    );
    h.sim.shutdown().await;
}
