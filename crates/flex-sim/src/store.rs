//! One mode's data (test or live): tables of JSON objects, the event log, and the clock.
//!
//! Objects are kept as the JSON Flex returns (unexpanded: related objects as ID strings), because
//! the simulator's job is the wire shape; state machines read and write fields in place. Each row
//! also keeps its creation time in microseconds for ordering.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult};
use crate::ids::{IdGen, Kind};

/// One stored object.
#[derive(Debug, Clone)]
pub struct Row {
    /// Creation time, Unix microseconds: the primary sort key (newest first).
    pub created_us: i64,
    /// The object as Flex returns it.
    pub obj: Value,
}

/// All objects of one mode.
#[derive(Debug)]
pub struct Store {
    /// Whether this is the test store (sets `test_mode` on every object).
    pub test_mode: bool,
    tables: HashMap<Kind, HashMap<String, Row>>,
    /// Output line items of checkout sessions and payment links, by parent ID (kept in cart order).
    pub line_items: HashMap<String, Vec<Value>>,
    /// ID generator.
    pub ids: IdGen,
    /// When set, the store's "now" (Unix microseconds): the demo seed freezes time this way.
    pub frozen_now: Option<i64>,
}

impl Store {
    /// An empty store.
    pub fn new(test_mode: bool, seed: u64) -> Self {
        let mut tables = HashMap::new();
        for kind in Kind::TABLES {
            tables.insert(kind, HashMap::new());
        }
        Self {
            test_mode,
            tables,
            line_items: HashMap::new(),
            ids: IdGen::new(seed),
            frozen_now: None,
        }
    }

    /// Remove every object.
    pub fn clear(&mut self) {
        for table in self.tables.values_mut() {
            table.clear();
        }
        self.line_items.clear();
    }

    /// Current time in Unix microseconds (real, unless frozen by the seed).
    pub fn now_us(&self) -> i64 {
        self.frozen_now
            .unwrap_or_else(|| Utc::now().timestamp_micros())
    }

    /// ISO-8601 with microseconds and `Z`, as in the real examples (§1.7).
    pub fn iso(us: i64) -> String {
        DateTime::<Utc>::from_timestamp_micros(us)
            .unwrap_or_default()
            .to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    /// A fresh ID and the creation time to go with it.
    pub fn mint(&mut self, kind: Kind) -> (String, i64) {
        let now = self.now_us();
        let ms = u64::try_from(now / 1000).unwrap_or(0);
        (self.ids.mint(kind, ms), now)
    }

    /// An ID for an embedded object (line items, capture items, addresses).
    pub fn mint_id(&mut self, kind: Kind) -> String {
        self.mint(kind).0
    }

    /// Opaque token (secrets).
    pub fn token(&mut self, len: usize) -> String {
        self.ids.token(len)
    }

    fn table(&self, kind: Kind) -> &HashMap<String, Row> {
        // Every kind in TABLES has a table from `new`; other kinds are never looked up here.
        static EMPTY: std::sync::OnceLock<HashMap<String, Row>> = std::sync::OnceLock::new();
        self.tables
            .get(&kind)
            .unwrap_or_else(|| EMPTY.get_or_init(HashMap::new))
    }

    /// Store a new object.
    pub fn insert(&mut self, kind: Kind, id: String, created_us: i64, obj: Value) {
        self.tables
            .entry(kind)
            .or_default()
            .insert(id, Row { created_us, obj });
    }

    /// Remove an object, returning it.
    pub fn remove(&mut self, kind: Kind, id: &str) -> Option<Value> {
        self.tables
            .get_mut(&kind)
            .and_then(|t| t.remove(id))
            .map(|r| r.obj)
    }

    /// Look an object up.
    pub fn get(&self, kind: Kind, id: &str) -> Option<&Value> {
        self.table(kind).get(id).map(|r| &r.obj)
    }

    /// Look an object up for change.
    pub fn get_mut(&mut self, kind: Kind, id: &str) -> Option<&mut Value> {
        self.tables
            .get_mut(&kind)
            .and_then(|t| t.get_mut(id))
            .map(|r| &mut r.obj)
    }

    /// Look an object up or answer 404 (an ID of the other mode is simply not here).
    pub fn require(&self, kind: Kind, id: &str) -> ApiResult<&Value> {
        self.get(kind, id)
            .ok_or_else(|| ApiError::not_found(&kind.words(), id))
    }

    /// Same as [`Store::require`], for change.
    pub fn require_mut(&mut self, kind: Kind, id: &str) -> ApiResult<&mut Value> {
        let words = kind.words();
        self.get_mut(kind, id)
            .ok_or_else(|| ApiError::not_found(&words, id))
    }

    /// Cursor position of an object (for `starting_after` / `ending_before`).
    pub fn sort_key(&self, kind: Kind, id: &str) -> Option<(i64, String)> {
        self.table(kind)
            .get(id)
            .map(|r| (r.created_us, id.to_owned()))
    }

    /// All rows of a kind that pass `keep`, newest first (ties: ID descending).
    pub fn rows(&self, kind: Kind, keep: impl Fn(&Value) -> bool) -> Vec<(&str, &Row)> {
        let mut rows: Vec<(&str, &Row)> = self
            .table(kind)
            .iter()
            .filter(|(_, r)| keep(&r.obj))
            .map(|(k, r)| (k.as_str(), r))
            .collect();
        rows.sort_unstable_by(|a, b| {
            b.1.created_us
                .cmp(&a.1.created_us)
                .then_with(|| b.0.cmp(a.0))
        });
        rows
    }

    /// Common fields of a new object: its ID field, `created_at` (ISO) and `test_mode`.
    pub fn base(&mut self, kind: Kind) -> (String, i64, Map<String, Value>) {
        let (id, now) = self.mint(kind);
        let mut m = Map::new();
        m.insert(kind.id_field(), Value::String(id.clone()));
        m.insert("created_at".into(), Value::String(Self::iso(now)));
        m.insert("test_mode".into(), Value::Bool(self.test_mode));
        (id, now, m)
    }

    /// Record an event in the log (§7.4), in the documented API shape: `object` wraps the resource
    /// under its own key.
    pub fn emit(&mut self, event_type: &str, kind: Kind, obj: &Value) {
        let (id, now) = self.mint(Kind::Event);
        let mut object = Map::new();
        object.insert(kind.singular().to_owned(), obj.clone());
        let event = json!({
            "event_id": id,
            "event_type": event_type,
            "event_dt": now / 1_000_000,
            "object": object,
            "test_mode": self.test_mode,
            "created_at": Self::iso(now),
        });
        self.insert(Kind::Event, id, now, event);
    }

    /// Emit an event for an object already stored under `id`.
    pub fn emit_stored(&mut self, event_type: &str, kind: Kind, id: &str) {
        if let Some(obj) = self.get(kind, id).cloned() {
            self.emit(event_type, kind, &obj);
        }
    }
}

/// Small accessors for JSON objects, so state machines read like prose.
pub trait Fields {
    /// Integer field, 0 when absent.
    fn int(&self, key: &str) -> i64;
    /// String field, "" when absent.
    fn text(&self, key: &str) -> &str;
    /// Optional string field.
    fn opt_text(&self, key: &str) -> Option<&str>;
}

impl Fields for Value {
    fn int(&self, key: &str) -> i64 {
        self.get(key).and_then(Value::as_i64).unwrap_or(0)
    }
    fn text(&self, key: &str) -> &str {
        self.get(key).and_then(Value::as_str).unwrap_or("")
    }
    fn opt_text(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }
}
