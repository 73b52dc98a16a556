//! The host end to end in one process: a real flex-sim on 127.0.0.1, the host on a real Unix
//! socket in a temporary runtime dir, and rmcp clients connected to that socket. Approvals are
//! answered through the host's Rust API (the app's side), never through the socket or a CLI.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

#[path = "common/socket_client.rs"]
mod socket_client;
use socket_client::{call, text};

use std::os::unix::fs::PermissionsExt as _;
use std::sync::Arc;
use std::time::Duration;

use flex_api::Mode;
use flex_core::approvals::Answer;
use flex_core::events::HostEvent;
use flex_core::host::{HostError, HostHandle, HostOptions};
use flex_core::{Paths, Settings};
use flex_mcp::Decision;
use rmcp::model::ClientConfig;
use rmcp::service::RunningService;
use serde_json::json;

const TEST_KEY: &str = "fsk_test_host_suite";
const LIVE_KEY: &str = "fsk_live_host_suite";

struct Harness {
    _dir: tempfile::TempDir,
    paths: Paths,
    sim: flex_sim::SimHandle,
    host: HostHandle,
}

/// A temporary home whose settings (`settings`, pointed at it) use a simulator that knows both
/// keys; no host yet.
async fn sandbox(settings: Settings) -> (tempfile::TempDir, Paths, flex_sim::SimHandle) {
    let sim = flex_sim::start(flex_sim::SimConfig {
        port: 0,
        seed: None,
        keys: vec![(TEST_KEY.into(), vec![]), (LIVE_KEY.into(), vec![])],
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::under(dir.path(), dir.path());
    Settings {
        api_base: Some(sim.base_url()),
        ..settings
    }
    .save(&paths)
    .unwrap();
    (dir, paths, sim)
}

async fn start(settings: Settings) -> Harness {
    let (dir, paths, sim) = sandbox(settings).await;
    let host = flex_core::host::start(HostOptions {
        paths: paths.clone(),
        lookup: Arc::new(|_: &Paths, mode: Mode| {
            Ok(Some(
                match mode {
                    Mode::Test => TEST_KEY,
                    Mode::Live => LIVE_KEY,
                }
                .to_string(),
            ))
        }),
        desktop_approvals: true,
        oauth_store: None,
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

async fn client(h: &Harness, name: &str) -> RunningService<rmcp::RoleClient, ClientConfig> {
    socket_client::connect(&h.paths, name, "1.2.3").await
}

async fn next_pending(
    events: &mut tokio::sync::broadcast::Receiver<HostEvent>,
) -> flex_core::approvals::PendingApproval {
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(20), events.recv())
            .await
            .expect("an approval event in time")
            .unwrap();
        if let HostEvent::ApprovalPending { approval } = ev {
            return approval;
        }
    }
}

fn live_asking() -> Settings {
    Settings {
        mode: Mode::Live,
        ..Settings::default()
    }
}

fn last_record(h: &Harness) -> flex_mcp::CallRecord {
    h.host.activity().flush();
    h.host.activity().recent(1).unwrap().remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_deny_and_allow_for_a_while_through_the_queue() {
    let h = start(live_asking()).await;
    let mut events = h.host.subscribe();
    let c = Arc::new(client(&h, "Cursor").await);

    let task = tokio::spawn({
        let c = c.clone();
        async move { call(&c, "create_product", json!({"name": "Approved thing"})).await }
    });
    let p = next_pending(&mut events).await;
    assert_eq!(p.assistant, "Cursor");
    assert_eq!(p.mode, Mode::Live);
    assert!(p.can_allow_for_a_while, "writes may be allowed for a while");
    assert!(p.sentence.contains("Approved thing"), "{}", p.sentence);
    assert_eq!(h.host.pending_approvals().len(), 1, "the tray counts it");
    assert!(h.host.answer(p.id, Answer::Approve));
    let r = task.await.unwrap();
    assert_ne!(r.is_error, Some(true), "{}", text(&r));
    let rec = last_record(&h);
    assert_eq!(rec.approval.as_deref(), Some("approved"));
    assert_eq!(rec.client_name.as_deref(), Some("Cursor"));
    assert!(!h.host.answer(p.id, Answer::Deny), "answered once only");

    let task = tokio::spawn({
        let c = c.clone();
        async move { call(&c, "create_product", json!({"name": "Declined thing"})).await }
    });
    let p = next_pending(&mut events).await;
    assert!(h.host.answer(p.id, Answer::Deny));
    let r = task.await.unwrap();
    assert_eq!(r.is_error, Some(true));
    assert!(
        text(&r).contains("person at the computer declined"),
        "{}",
        text(&r)
    );
    assert_eq!(last_record(&h).approval.as_deref(), Some("denied"));

    // Allow for 15 minutes: the next write of the same assistant is not asked.
    let task = tokio::spawn({
        let c = c.clone();
        async move { call(&c, "create_product", json!({"name": "First"})).await }
    });
    let p = next_pending(&mut events).await;
    assert!(h.host.answer(p.id, Answer::AllowForAWhile));
    assert_ne!(task.await.unwrap().is_error, Some(true));
    let r = call(&c, "create_product", json!({"name": "Second"})).await;
    assert_ne!(r.is_error, Some(true), "{}", text(&r));
    assert_eq!(
        last_record(&h).approval.as_deref(),
        Some("covered_by_allowance")
    );
    // Another assistant is still asked.
    let other = Arc::new(client(&h, "Claude Code").await);
    let task = tokio::spawn({
        let other = other.clone();
        async move { call(&other, "create_product", json!({"name": "Other"})).await }
    });
    let p = next_pending(&mut events).await;
    assert_eq!(p.assistant, "Claude Code");
    assert!(h.host.answer(p.id, Answer::Deny));
    assert_eq!(task.await.unwrap().is_error, Some(true));
    h.host.shutdown();
    h.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_approval_expires_as_denied_and_destructive_is_never_allowed_for_a_while() {
    let h = start(Settings {
        approval_timeout_secs: 1,
        ..live_asking()
    })
    .await;
    let mut events = h.host.subscribe();
    let c = Arc::new(client(&h, "Windsurf").await);
    let task = tokio::spawn({
        let c = c.clone();
        async move {
            call(
                &c,
                "create_refund",
                json!({"payment_intent_id": "fpi_01HW5KTQQAAQ66WV19MFW4DTT4", "amount": 4500}),
            )
            .await
        }
    });
    let p = next_pending(&mut events).await;
    assert!(
        !p.can_allow_for_a_while,
        "money movement is asked every time"
    );
    assert!(p.sentence.starts_with("Refund $45.00"), "{}", p.sentence);
    assert!(!h.host.answer(p.id, Answer::AllowForAWhile));
    let r = task.await.unwrap();
    assert_eq!(r.is_error, Some(true));
    assert!(text(&r).contains("nobody answered"), "{}", text(&r));
    let rec = last_record(&h);
    assert_eq!(rec.approval.as_deref(), Some("expired"));
    assert_eq!(rec.error_code.as_deref(), Some("approval_expired"));
    assert!(h.host.pending_approvals().is_empty());
    h.host.shutdown();
    h.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mode_pause_and_file_loosenings_reach_a_running_session() {
    let h = start(Settings::default()).await;
    let mut events = h.host.subscribe();
    let c = client(&h, "Codex").await;
    let r = call(&c, "list_products", json!({})).await;
    assert_ne!(r.is_error, Some(true), "{}", text(&r));
    assert_eq!(last_record(&h).mode, Mode::Test);

    // The CLI (or an assistant with a shell) writes live into the file: held for confirmation.
    let mut wish = h.host.settings().unwrap();
    wish.mode = Mode::Live;
    wish.save(&h.paths).unwrap();
    let r = call(&c, "list_products", json!({})).await;
    assert_ne!(r.is_error, Some(true));
    assert_eq!(last_record(&h).mode, Mode::Test, "not yet confirmed");
    let mut saw_pending = false;
    while let Ok(ev) = events.try_recv() {
        saw_pending |= matches!(ev, HostEvent::ConfirmationPending { .. });
    }
    assert!(saw_pending, "the app is told to ask");
    assert_eq!(
        h.host.waiting_confirmation(),
        [flex_core::guard::Loosening::LiveMode]
    );
    assert!(h.host.confirm_pending());
    call(&c, "list_products", json!({})).await;
    assert_eq!(last_record(&h).mode, Mode::Live, "confirmed in the app");

    // Tightening from the file applies at once.
    let mut tighter = h.host.settings().unwrap();
    tighter.policy.live.read = Decision::Deny;
    tighter.save(&h.paths).unwrap();
    let r = call(&c, "list_products", json!({})).await;
    assert_eq!(r.is_error, Some(true));
    assert_eq!(last_record(&h).error_code.as_deref(), Some("policy_denied"));

    // The app switches back and pauses; the same session sees both on its next call.
    h.host.set_mode(Mode::Test).unwrap();
    h.host.set_paused(true).unwrap();
    let r = call(&c, "list_products", json!({})).await;
    assert_eq!(r.is_error, Some(true));
    assert!(text(&r).contains("paused Flex MCP"), "{}", text(&r));
    assert_eq!(last_record(&h).error_code.as_deref(), Some("paused"));
    // Resuming through the file is a loosening: it waits; refusing writes the file back.
    let mut resume = h.host.settings().unwrap();
    resume.paused = false;
    resume.save(&h.paths).unwrap();
    let r = call(&c, "list_products", json!({})).await;
    assert_eq!(r.is_error, Some(true), "still paused");
    assert!(h.host.reject_pending().unwrap());
    assert!(
        Settings::load(&h.paths).unwrap().paused,
        "file says what applies"
    );
    h.host.set_paused(false).unwrap();
    let r = call(&c, "list_products", json!({})).await;
    assert_ne!(r.is_error, Some(true), "{}", text(&r));
    h.host.shutdown();
    h.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_host_per_user_and_a_stale_socket_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::under(dir.path(), dir.path());
    std::fs::create_dir_all(&paths.runtime_dir).unwrap();
    // A crashed host's socket: a file nobody listens on.
    drop(std::os::unix::net::UnixListener::bind(paths.socket_path()).unwrap());
    assert!(paths.socket_path().exists());
    let options = HostOptions {
        paths: paths.clone(),
        lookup: Arc::new(|_: &Paths, _: Mode| Ok(None)),
        desktop_approvals: false,
        oauth_store: None,
        guardian_program: None,
        demo: None,
    };
    let first = flex_core::host::start(options.clone()).unwrap();
    assert!(
        tokio::net::UnixStream::connect(paths.socket_path())
            .await
            .is_ok(),
        "the stale socket was replaced by a live one"
    );
    match flex_core::host::start(options) {
        Err(HostError::AlreadyRunning { pid }) => assert_eq!(pid, std::process::id()),
        other => panic!("a second host must refuse: {other:?}"),
    }
    assert_eq!(flex_core::host::running(&paths), Some(std::process::id()));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&paths.runtime_dir), 0o700);
    assert_eq!(mode(&paths.socket_path()), 0o600);
    first.shutdown();
}

/// The host owns the feed and the guardian: a call over the socket reaches an activity
/// subscriber as it is stored, and an entry another program removed is put back with a notice
/// on the host's one hub.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_streams_records_and_its_guardian_notices() {
    use flex_clients::{ClientEnv, ClientKind};
    use flex_core::notice::NoticeCode;

    let (dir, paths, sim) = sandbox(Settings::default()).await;
    let program = dir.path().join("bin").join("flex-mcp");
    std::fs::create_dir_all(program.parent().unwrap()).unwrap();
    std::fs::write(&program, "").unwrap();
    std::fs::create_dir_all(dir.path().join(".cursor")).unwrap();
    let env = ClientEnv::from_process(&paths.home);
    flex_core::connected::connect(&paths, &env, ClientKind::Cursor, &program).unwrap();

    let host = flex_core::host::start(HostOptions {
        paths: paths.clone(),
        lookup: Arc::new(|_: &Paths, _: Mode| Ok(Some(TEST_KEY.to_string()))),
        desktop_approvals: true,
        oauth_store: None,
        guardian_program: Some(program.clone()),
        demo: None,
    })
    .unwrap();
    let mut records = host.subscribe_activity();
    let mut notices = host.subscribe_notices();
    let h = Harness {
        _dir: dir,
        paths: paths.clone(),
        sim,
        host: host.clone(),
    };

    let c = client(&h, "Cursor").await;
    let result = call(&c, "list_products", json!({})).await;
    assert_ne!(result.is_error, Some(true), "{}", text(&result));
    let record = tokio::time::timeout(Duration::from_secs(20), records.recv())
        .await
        .expect("the record in time")
        .unwrap();
    assert_eq!(record.tool, "list_products");
    assert_eq!(record.client_name.as_deref(), Some("Cursor"));

    // Give the guardian its first sweep, then remove our entry the way another program would.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let config = flex_clients::config_path(ClientKind::Cursor, &env);
    std::fs::write(&config, "{\n  \"mcpServers\": {}\n}\n").unwrap();
    let notice = loop {
        let n = tokio::time::timeout(Duration::from_secs(20), notices.recv())
            .await
            .expect("a guardian notice in time")
            .unwrap();
        if n.client.as_deref() == Some(ClientKind::Cursor.cli_name()) {
            break n;
        }
    };
    assert_eq!(notice.code, NoticeCode::EntryRestored, "{}", notice.message);
    assert!(host.notices().recent().iter().any(|n| n == &notice));
    assert_eq!(
        flex_clients::status(ClientKind::Cursor, &env, &program),
        flex_clients::ClientStatus::Connected
    );
    host.shutdown();
}

/// The app's host with its built-in demo and no key: assistants get the demo's sample data in
/// test mode (what "Try the demo first" promises), live mode still says how to sign in, and a key
/// signed in later serves instead of the demo.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_serves_test_mode_until_a_key_is_configured() {
    let (dir, paths, sim) = sandbox(Settings::default()).await;
    let signed_in = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let lookup_signed_in = signed_in.clone();
    let demo = Arc::new(flex_core::demo::Demo::start().await.unwrap());
    let host = flex_core::host::start(HostOptions {
        paths: paths.clone(),
        lookup: Arc::new(move |_: &Paths, mode: Mode| {
            Ok(
                (mode == Mode::Test && lookup_signed_in.load(std::sync::atomic::Ordering::SeqCst))
                    .then(|| TEST_KEY.to_string()),
            )
        }),
        desktop_approvals: true,
        oauth_store: None,
        guardian_program: None,
        demo: Some(demo.clone()),
    })
    .unwrap();
    assert_eq!(host.demo_base_url(), Some(demo.base_url()));
    let h = Harness {
        _dir: dir,
        paths: paths.clone(),
        sim,
        host: host.clone(),
    };

    let c = client(&h, "Cursor").await;
    let demo_payments = call(&c, "list_payment_intents", json!({})).await;
    assert_ne!(
        demo_payments.is_error,
        Some(true),
        "{}",
        text(&demo_payments)
    );
    assert!(
        text(&demo_payments).contains("fpi_"),
        "the demo's sample payments: {}",
        text(&demo_payments)
    );

    host.set_mode(Mode::Live).unwrap();
    let live = call(&c, "list_payment_intents", json!({})).await;
    assert_eq!(
        live.is_error,
        Some(true),
        "no demo in live mode: {}",
        text(&live)
    );
    assert!(text(&live).contains("login --api-key"), "{}", text(&live));

    // Signing in (the key in the keychain and the credentials file written, as `login` does):
    // the key serves; the account behind it (an empty simulator) has no payments.
    host.set_mode(Mode::Test).unwrap();
    signed_in.store(true, std::sync::atomic::Ordering::SeqCst);
    std::fs::write(
        h.paths
            .config_dir
            .join(flex_core::credentials::METADATA_FILE),
        "{}",
    )
    .unwrap();
    let real = call(&c, "list_payment_intents", json!({})).await;
    assert_ne!(real.is_error, Some(true), "{}", text(&real));
    assert!(
        !text(&real).contains("fpi_"),
        "the signed-in account, not the demo: {}",
        text(&real)
    );
    host.shutdown();
}
