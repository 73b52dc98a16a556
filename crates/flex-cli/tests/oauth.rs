//! `flex-mcp login --oauth` as a person runs it: the real binary, flex-sim's hosted MCP and
//! authorization server started in-process, and a real headless Chromium (driven through
//! chromedriver by `scripts/oauth-browser.py`, which `open` starts as `$BROWSER`) signing in and
//! approving on the simulator's pages. Then the bad inputs: a forged state, a foreign issuer,
//! Deny, a port in use, a browser that never comes back, a token endpoint answering 5xx or
//! garbage — each one sentence, and nothing left in the keychain.
//!
//! Runs under `scripts/with-keyring.sh` and needs Debian's `chromium` and `chromium-driver`.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const EMAIL: &str = "owner@clinic.test";
const PASSWORD: &str = "correct horse battery";

fn sandbox() {
    let marker = std::env::var("FLEX_MCP_KEYRING_SANDBOX").unwrap_or_default();
    assert!(
        marker == "1",
        "these tests store tokens in the keychain and must run inside a private keyring: \
         `scripts/with-keyring.sh cargo test -p flex-cli --test oauth`"
    );
    for tool in ["chromium", "chromedriver", "python3", "xdg-open"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "`{tool}` is missing: run scripts/install-system-deps.sh"
        );
    }
}

struct World {
    dir: tempfile::TempDir,
    service: String,
    rt: tokio::runtime::Runtime,
    sim: Option<flex_sim::SimHandle>,
}

struct Out(Output);

impl Out {
    fn ok(&self) -> bool {
        self.0.status.success()
    }
    fn text(&self) -> String {
        format!(
            "{}{}",
            String::from_utf8_lossy(&self.0.stdout),
            String::from_utf8_lossy(&self.0.stderr)
        )
    }
}

impl World {
    fn new() -> World {
        static N: AtomicUsize = AtomicUsize::new(0);
        sandbox();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let sim = rt
            .block_on(flex_sim::start(flex_sim::SimConfig::default()))
            .unwrap();
        sim.add_oauth_user(EMAIL, PASSWORD);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        World {
            service: format!(
                "com.withflex.mcp.test.oauth.{}.{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ),
            sim: Some(sim),
            rt,
            dir,
        }
    }

    fn sim(&self) -> &flex_sim::SimHandle {
        self.sim.as_ref().unwrap()
    }

    fn browser_log(&self) -> PathBuf {
        self.dir.path().join("browser.log")
    }

    fn cmd(&self, args: &[&str], action: &str) -> Command {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/oauth-browser.py"
        );
        let mut c = Command::new(env!("CARGO_BIN_EXE_flex-mcp"));
        c.args(args)
            .env("HOME", self.dir.path().join("home"))
            .env("FLEX_MCP_HOME", self.dir.path().join("flex"))
            .env("FLEX_MCP_URL", self.sim().base_url())
            .env("FLEX_MCP_KEYCHAIN_SERVICE", &self.service)
            .env("BROWSER", script)
            .env("FLEX_TEST_BROWSER_ACTION", action)
            .env("FLEX_TEST_BROWSER_LOG", self.browser_log())
            .env("FLEX_TEST_EMAIL", EMAIL)
            .env("FLEX_TEST_PASSWORD", PASSWORD)
            .env("FLEX_MCP_OAUTH_TIMEOUT_SECS", "90")
            // xdg-open must take the generic path that honours $BROWSER.
            .env_remove("XDG_CURRENT_DESKTOP")
            .env_remove("DESKTOP_SESSION")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("FLEX_API_KEY")
            .env_remove("FLEX_MCP_LOG");
        c
    }

    fn run(&self, args: &[&str], action: &str) -> Out {
        Out(self.cmd(args, action).output().unwrap())
    }

    fn counters(&self) -> serde_json::Value {
        let url = format!("{}/__sim/oauth", self.sim().base_url());
        self.rt
            .block_on(async { reqwest::get(url).await.unwrap().json().await.unwrap() })
    }

    fn assert_nothing_stored(&self, context: &str) {
        let status = self.run(&["status", "--json"], "never");
        let v: serde_json::Value = serde_json::from_slice(&status.0.stdout).unwrap();
        assert_eq!(
            v["flex_sign_in"]["signed_in"], false,
            "{context}: nothing may be left in the keychain: {v}"
        );
        assert_eq!(v["serves"]["test"], "none", "{context}: {v}");
        let store = flex_auth::KeyringStore::new(self.service.clone());
        for kind in [
            flex_auth::SecretKind::OauthAccess,
            flex_auth::SecretKind::OauthRefresh,
            flex_auth::SecretKind::OauthClient,
        ] {
            let held = flex_auth::SecretStore::load(&store, flex_auth::oauth::slot(kind)).unwrap();
            assert!(held.is_none(), "{context}: the {kind} item must not exist");
        }
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = self.cmd(&["logout"], "never").output();
        if let Some(sim) = self.sim.take() {
            self.rt.block_on(sim.shutdown());
        }
    }
}

#[test]
fn the_whole_sign_in_in_headless_chromium_then_sign_out_revokes() {
    let w = World::new();
    let out = w.run(&["login", "--oauth"], "approve");
    // The browser reads the closing page after the app answered it: wait for its report.
    let mut log = String::new();
    for _ in 0..300 {
        log = std::fs::read_to_string(w.browser_log()).unwrap_or_default();
        if log.contains("page:") || log.contains("browser error") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(out.ok(), "login: {}\nbrowser: {log}", out.text());
    assert!(out.text().contains("Signed in with Flex"), "{}", out.text());
    assert!(
        log.contains("page: Signed in to Flex"),
        "the browser saw the app's closing page: {log}"
    );
    let c = w.counters();
    assert_eq!(
        (c["registrations"].as_u64(), c["code_exchanges"].as_u64()),
        (Some(1), Some(1))
    );

    let status = w.run(&["status"], "never");
    assert!(
        status.text().contains("Flex sign-in: signed in at"),
        "{}",
        status.text()
    );
    // Without an API key the Flex sign-in serves both modes, and status and doctor say so.
    assert!(
        status
            .text()
            .contains("live mode: the Flex sign-in (tools via Flex hosted MCP)"),
        "{}",
        status.text()
    );
    let json = w.run(&["status", "--json"], "never");
    let v: serde_json::Value = serde_json::from_slice(&json.0.stdout).unwrap();
    assert_eq!(
        v["serves"],
        serde_json::json!({"test": "flex", "live": "flex"}),
        "{v}"
    );
    let doctor = w.run(&["doctor"], "never");
    assert!(
        doctor.text().contains("Flex sign-in: signed in"),
        "{}",
        doctor.text()
    );
    assert!(
        doctor
            .text()
            .contains("test mode is served by the Flex sign-in"),
        "{}",
        doctor.text()
    );

    // A second sign-in reuses the stored registration.
    let again = w.run(&["login", "--oauth"], "approve");
    assert!(again.ok(), "{}", again.text());
    assert_eq!(
        w.counters()["registrations"],
        1,
        "the registration is reused"
    );

    let out = w.run(&["logout"], "never");
    assert!(out.ok(), "{}", out.text());
    assert!(out.text().contains("revoked at Flex"), "{}", out.text());
    let c = w.counters();
    assert_eq!(
        c["revocations"], 2,
        "the replaced sign-in and then this one were revoked"
    );
    assert_eq!(
        c["live_access_tokens"], 0,
        "the server no longer accepts the tokens"
    );
    w.assert_nothing_stored("after sign-out");
}

#[test]
fn consent_denied_is_one_sentence_and_stores_nothing() {
    let w = World::new();
    let out = w.run(&["login", "--oauth"], "deny");
    assert!(!out.ok());
    assert!(
        out.text().contains("Access was denied in the browser"),
        "{}",
        out.text()
    );
    assert!(out.text().contains("oauth_denied"), "{}", out.text());
    w.assert_nothing_stored("after Deny");
}

#[test]
fn a_forged_state_or_a_foreign_issuer_is_refused() {
    let w = World::new();
    let out = w.run(&["login", "--oauth"], "forge-state");
    assert!(!out.ok());
    assert!(
        out.text().contains("state does not match"),
        "{}",
        out.text()
    );
    w.assert_nothing_stored("after a forged state");
    let out = w.run(&["login", "--oauth"], "forge-iss");
    assert!(!out.ok());
    assert!(
        out.text().contains("another sign-in service"),
        "{}",
        out.text()
    );
    w.assert_nothing_stored("after a foreign issuer");
    assert_eq!(
        w.counters()["code_exchanges"],
        0,
        "no code was ever exchanged"
    );
}

#[test]
fn a_browser_that_never_comes_back_times_out() {
    let w = World::new();
    let out = Out(w
        .cmd(&["login", "--oauth", "--no-browser"], "never")
        .env("FLEX_MCP_OAUTH_TIMEOUT_SECS", "2")
        .output()
        .unwrap());
    assert!(!out.ok());
    assert!(
        out.text().contains("Open this link"),
        "--no-browser prints the link: {}",
        out.text()
    );
    assert!(out.text().contains("within 2 seconds"), "{}", out.text());
    w.assert_nothing_stored("after a timeout");
}

#[test]
fn a_port_in_use_is_one_sentence() {
    let w = World::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Out(w
        .cmd(&["login", "--oauth"], "never")
        .env("FLEX_MCP_OAUTH_PORT", &port)
        .output()
        .unwrap());
    assert!(!out.ok());
    assert!(
        out.text()
            .contains(&format!("Could not listen on 127.0.0.1 port {port}")),
        "{}",
        out.text()
    );
    w.assert_nothing_stored("after a port in use");
}

#[test]
fn a_token_endpoint_answering_5xx_or_garbage_stores_nothing() {
    let w = World::new();
    for (kind, sentence) in [
        ("server_error", "having trouble (HTTP 503"),
        ("garbage", "not a valid token response"),
    ] {
        let url = format!("{}/__sim/oauth", w.sim().base_url());
        w.rt.block_on(async {
            reqwest::Client::new()
                .post(url)
                .json(&serde_json::json!({"token_fault": {"kind": kind, "count": 1}}))
                .send()
                .await
                .unwrap();
        });
        let out = w.run(&["login", "--oauth"], "approve");
        assert!(!out.ok(), "{kind}");
        assert!(out.text().contains(sentence), "{kind}: {}", out.text());
        w.assert_nothing_stored(kind);
    }
}
