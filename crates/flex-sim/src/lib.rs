#![recursion_limit = "256"]
//! A faithful local Flex: the REST API of the reference (§§1–5, 7, 9), in-memory test and live
//! stores, fault injection and the request journal under `/__sim`, and deterministic demo data.
//!
//! Must not depend on `flex-api`: the contract tests between the two mean something only because
//! both are written from the reference, not from each other. See the README for every choice made
//! where the reference is silent.

pub mod app;
pub mod body;
pub mod control;
pub mod edge;
pub mod error;
pub mod hosted_mcp;
pub mod ids;
pub mod oauth;
pub mod query;
pub mod routes;
pub mod seed;
pub mod server;
pub mod state;
pub mod store;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use state::Sim;

/// Demo key of the test store, registered with `--seed demo`.
pub const DEMO_TEST_KEY: &str = "fsk_test_demo_key";
/// Demo key of the live store, registered with `--seed demo`.
pub const DEMO_LIVE_KEY: &str = "fsk_demo_live_key";
/// Demo Flex Dashboard login (email, password) of the authorization server, with `--seed demo`.
pub const DEMO_OAUTH_USER: (&str, &str) = ("demo@withflex.test", "demo-password");

/// Which data to start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// Realistic, deterministic demo data in both stores, plus the two demo keys.
    Demo,
}

/// How to start a simulator.
#[derive(Debug, Clone, Default)]
pub struct SimConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Initial data.
    pub seed: Option<Seed>,
    /// Keys to register: (key, scopes). Empty scopes = full access.
    pub keys: Vec<(String, Vec<String>)>,
}

/// A running simulator.
#[derive(Debug)]
pub struct SimHandle {
    addr: SocketAddr,
    shutdown: CancellationToken,
    task: JoinHandle<()>,
    sim: Arc<Sim>,
}

impl SimHandle {
    /// The bound address (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash or `/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The simulator's state, for in-process inspection.
    pub fn sim(&self) -> &Arc<Sim> {
        &self.sim
    }

    /// Add (or replace) a Flex Dashboard login of the authorization server.
    pub fn add_oauth_user(&self, email: &str, password: &str) {
        self.sim.oauth.lock().add_user(email, password);
    }

    /// The hosted MCP endpoint for OAuth access tokens (`…/api/mcp/oauth`).
    pub fn oauth_mcp_url(&self) -> String {
        oauth::resource(&self.sim)
    }

    /// Stop accepting, close every connection, and wait for the accept loop to end.
    pub async fn shutdown(self) {
        self.shutdown.cancel();
        let _ = self.task.await;
    }
}

/// Start a simulator on 127.0.0.1 in the current tokio runtime.
pub async fn start(config: SimConfig) -> std::io::Result<SimHandle> {
    for (key, _) in &config.keys {
        if !key.starts_with("fsk_") {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("API key '{key}' must start with fsk_test_ (test) or fsk_ (live)"),
            ));
        }
    }
    let sim = Arc::new(Sim::new());
    for (key, scopes) in &config.keys {
        sim.add_key(key, scopes.clone());
    }
    // Bound first: the issuer and resource URIs of the OAuth endpoint contain the port.
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
    let addr = listener.local_addr()?;
    sim.set_base_url(format!("http://{addr}"));
    let app = app::router(sim.clone());
    if config.seed == Some(Seed::Demo) {
        sim.add_key(DEMO_TEST_KEY, Vec::new());
        sim.add_key(DEMO_LIVE_KEY, Vec::new());
        sim.oauth
            .lock()
            .add_user(DEMO_OAUTH_USER.0, DEMO_OAUTH_USER.1);
        seed::demo(&sim, &app).await?;
    }
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(server::serve(listener, app, shutdown.clone()));
    Ok(SimHandle {
        addr,
        shutdown,
        task,
        sim,
    })
}
