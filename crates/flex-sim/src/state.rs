//! Everything one simulator instance holds: registered keys, the two stores, armed faults, the
//! request journal and idempotency records. Each part has its own lock so that the hot path (a GET)
//! takes one read lock on the stores and short locks elsewhere.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::http::StatusCode;
use parking_lot::{Mutex, RwLock};
use serde::Serialize;
use serde_json::Value;

use crate::store::Store;

/// What a registered key may do.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    /// `resource:read|write` scopes; empty means full access (§2.1).
    pub scopes: Vec<String>,
}

/// Whether a key selects the test store: `fsk_test_` → test, any other `fsk_` → live (§2.1).
pub fn key_is_test(key: &str) -> bool {
    key.starts_with("fsk_test_")
}

/// The test and live stores.
#[derive(Debug)]
pub struct Stores {
    /// Data of `fsk_test_` keys.
    pub test: Store,
    /// Data of live `fsk_` keys.
    pub live: Store,
}

impl Stores {
    /// The store of a mode.
    pub fn of(&self, test: bool) -> &Store {
        if test { &self.test } else { &self.live }
    }
    /// The store of a mode, for change.
    pub fn of_mut(&mut self, test: bool) -> &mut Store {
        if test { &mut self.test } else { &mut self.live }
    }
}

/// One armed fault counter with its optional path filter.
#[derive(Debug, Clone, Default)]
pub struct Armed<T> {
    /// Requests left to affect.
    pub count: u32,
    /// Extra parameter (Retry-After seconds, or the 5xx status).
    pub param: T,
    /// Only requests whose path starts with this.
    pub path_prefix: Option<String>,
}

impl<T: Clone> Armed<T> {
    /// If this fault applies to `path`, use one and return its parameter.
    pub fn take(&mut self, path: &str) -> Option<T> {
        if self.count == 0
            || self
                .path_prefix
                .as_deref()
                .is_some_and(|p| !path.starts_with(p))
        {
            return None;
        }
        self.count -= 1;
        Some(self.param.clone())
    }
}

/// Faults armed through `POST /__sim/faults`.
#[derive(Debug, Default)]
pub struct Faults {
    /// Next N requests get 429 with `Retry-After: param`.
    pub rate_limit: Armed<u64>,
    /// Next N requests get this 5xx.
    pub server_errors: Armed<u16>,
    /// Next N requests have their connection closed without a response.
    pub drop_connections: Armed<()>,
    /// Added delay for every request (and its path filter).
    pub latency_ms: u64,
    /// Path filter for the latency.
    pub latency_prefix: Option<String>,
}

/// What happened to one armed fault check.
#[derive(Debug)]
pub enum FaultAction {
    /// Answer 429.
    RateLimit(u64),
    /// Answer this 5xx.
    ServerError(StatusCode),
    /// Close the connection.
    Drop,
}

impl Faults {
    /// The fault (if any) for a request to `path`, consuming one count.
    pub fn next_action(&mut self, path: &str) -> Option<FaultAction> {
        if self.drop_connections.take(path).is_some() {
            return Some(FaultAction::Drop);
        }
        if let Some(secs) = self.rate_limit.take(path) {
            return Some(FaultAction::RateLimit(secs));
        }
        if let Some(code) = self.server_errors.take(path) {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            return Some(FaultAction::ServerError(status));
        }
        None
    }

    /// Delay for a request to `path`.
    pub fn latency(&self, path: &str) -> u64 {
        if self
            .latency_prefix
            .as_deref()
            .is_some_and(|p| !path.starts_with(p))
        {
            0
        } else {
            self.latency_ms
        }
    }
}

/// One line of the request journal (`GET /__sim/requests`).
#[derive(Debug, Clone, Serialize)]
pub struct JournalEntry {
    /// 1-based arrival order.
    pub seq: u64,
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Query string, if any.
    pub query: Option<String>,
    /// Response status; 0 when the connection was dropped.
    pub status: u16,
    /// The `Idempotency-Key` header, if sent.
    pub idempotency_key: Option<String>,
    /// `test` / `live` from the key's prefix, or null without a bearer key.
    pub mode: Option<&'static str>,
}

/// The bytes a fingerprint compares: JSON bodies compare as values (key order does not matter).
#[derive(Debug, Clone, PartialEq)]
pub enum Fingerprint {
    /// Method, path, query and parsed JSON body.
    Json(String, Value),
    /// Method, path, query and a hash of a non-JSON body.
    Raw(String, u64),
}

/// A remembered idempotent request.
#[derive(Debug, Clone)]
pub enum IdemRecord {
    /// The first request is still running.
    InFlight(Fingerprint),
    /// The first request finished with this response.
    Done {
        /// What the first request was.
        fingerprint: Fingerprint,
        /// Its status.
        status: StatusCode,
        /// Its body.
        body: bytes::Bytes,
        /// When it was stored (records expire after 24 h).
        at: Instant,
    },
}

/// Journal entries kept; older ones are dropped so long benchmarks cannot exhaust memory.
pub const JOURNAL_CAP: usize = 100_000;

/// One simulator instance.
#[derive(Debug)]
pub struct Sim {
    /// Registered API keys.
    pub keys: RwLock<HashMap<String, KeyInfo>>,
    /// Test and live data.
    pub stores: RwLock<Stores>,
    /// Armed faults.
    pub faults: Mutex<Faults>,
    /// Every /v1 request received (the newest [`JOURNAL_CAP`]).
    pub journal: Mutex<VecDeque<JournalEntry>>,
    /// Idempotency records by (API key, Idempotency-Key).
    pub idempotency: Mutex<HashMap<(String, String), IdemRecord>>,
    /// The authorization server of the hosted MCP's OAuth endpoint.
    pub oauth: Mutex<crate::oauth::grants::AuthServer>,
    /// `http://127.0.0.1:PORT`, set once the listener is bound (issuer and resource URIs).
    base_url: std::sync::OnceLock<String>,
    seq: AtomicU64,
}

impl Sim {
    /// A simulator with no keys and empty stores.
    pub fn new() -> Self {
        Self {
            keys: RwLock::new(HashMap::new()),
            stores: RwLock::new(Stores {
                test: Store::new(true, 0x7E57),
                live: Store::new(false, 0x11FE),
            }),
            faults: Mutex::new(Faults::default()),
            journal: Mutex::new(VecDeque::new()),
            idempotency: Mutex::new(HashMap::new()),
            oauth: Mutex::new(crate::oauth::grants::AuthServer::default()),
            base_url: std::sync::OnceLock::new(),
            seq: AtomicU64::new(0),
        }
    }

    /// Next journal sequence number.
    pub fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Restart journal numbering (after the demo seed).
    pub fn reset_seq(&self) {
        self.seq.store(0, Ordering::Relaxed);
    }

    /// Append to the journal, dropping the oldest entry beyond [`JOURNAL_CAP`].
    pub fn journal_push(&self, entry: JournalEntry) {
        let mut j = self.journal.lock();
        if j.len() >= JOURNAL_CAP {
            j.pop_front();
        }
        j.push_back(entry);
    }

    /// Record the bound address; later calls are ignored (the address never changes).
    pub fn set_base_url(&self, url: String) {
        let _ = self.base_url.set(url);
    }

    /// `http://127.0.0.1:PORT`, or empty before the listener is bound (in-process tests).
    pub fn base_url(&self) -> &str {
        self.base_url.get().map_or("", String::as_str)
    }

    /// Register (or replace) a key.
    pub fn add_key(&self, key: &str, scopes: Vec<String>) {
        self.keys.write().insert(key.to_owned(), KeyInfo { scopes });
    }
}

impl Default for Sim {
    fn default() -> Self {
        Self::new()
    }
}
