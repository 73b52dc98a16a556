//! Building blocks shared by every resource model: permissive parsing, timestamps in either
//! form, expandable references, request-body and list-query shapes.
//!
//! Flex promises additive changes only and asks clients to parse permissively (reference §1.8),
//! and the reference is partly inferred. So every response field is optional and *lenient*: a
//! field whose type differs from what we expect becomes `None` instead of failing the whole
//! response, and fields we do not model are kept in `extra`. The raw JSON is always available
//! through [`Client::send`](crate::Client::send) when a caller needs the exact bytes.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Free-form `metadata` (Flex documents string → string; values are kept as JSON to be safe).
pub type Metadata = Map<String, Value>;

/// Every Flex object has an ID under its own name (`product_id`, `refund_id`, …).
pub trait FlexObject: DeserializeOwned + Send + 'static {
    /// The object's ID (empty if Flex sent none).
    fn id(&self) -> &str;
}

/// Fields a model or request body carries that this crate does not name (Flex adds fields over
/// time; a caller may send newer ones). A caller that builds a body from its own typed input can
/// check it is empty, i.e. that everything it sends is modelled here and so covered by the
/// contract tests.
pub trait Extra {
    /// The unnamed fields, as they are.
    fn extra(&self) -> &Map<String, Value>;
}

/// `created_at` and friends: ISO-8601 strings on most objects, integers on checkout sessions
/// (reference §1.7, Appendix C). Both are accepted and kept as sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Timestamp {
    /// Epoch seconds (or milliseconds, if implausibly large for seconds).
    Unix(i64),
    /// A string, normally ISO-8601 (`2025-08-27T17:07:47.761493Z`).
    Text(String),
}

impl Timestamp {
    /// As a UTC time, when it can be read.
    pub fn to_datetime(&self) -> Option<DateTime<Utc>> {
        match self {
            // Seconds until the year 5138; beyond that it must be milliseconds.
            Timestamp::Unix(n) if n.abs() >= 100_000_000_000 => DateTime::from_timestamp_millis(*n),
            Timestamp::Unix(n) => DateTime::from_timestamp(*n, 0),
            Timestamp::Text(s) => {
                let s = s.trim();
                if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                    return Some(t.with_timezone(&Utc));
                }
                if let Ok(n) = s.parse::<i64>() {
                    return Timestamp::Unix(n).to_datetime();
                }
                ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
                    .iter()
                    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
                    .map(|t| t.and_utc())
                    .or_else(|| {
                        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                            .ok()
                            .and_then(|d| d.and_hms_opt(0, 0, 0))
                            .map(|t| t.and_utc())
                    })
            }
        }
    }

    /// Epoch seconds, when readable.
    pub fn unix_seconds(&self) -> Option<i64> {
        self.to_datetime().map(|t| t.timestamp())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Timestamp::Text(s)),
            Value::Number(n) => n
                .as_i64()
                // Fractional epochs are truncated to the second (saturating, by `as`).
                .or_else(|| {
                    #[allow(clippy::cast_possible_truncation)]
                    n.as_f64().map(|f| f as i64)
                })
                .map(Timestamp::Unix)
                .ok_or_else(|| serde::de::Error::custom("timestamp out of range")),
            other => Err(serde::de::Error::custom(format!(
                "expected an ISO-8601 string or an integer, got {other}"
            ))),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Timestamp::Unix(n) => s.serialize_i64(*n),
            Timestamp::Text(t) => s.serialize_str(t),
        }
    }
}

/// A related object: its ID, or the whole object when the request asked to expand it
/// (reference §1.9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Expandable<T> {
    /// Not expanded: just the ID.
    Id(String),
    /// Expanded.
    Object(Box<T>),
}

impl<T: FlexObject> Expandable<T> {
    /// The ID, expanded or not.
    pub fn id(&self) -> &str {
        match self {
            Expandable::Id(id) => id,
            Expandable::Object(o) => o.id(),
        }
    }

    /// The object, when expanded.
    pub fn object(&self) -> Option<&T> {
        match self {
            Expandable::Id(_) => None,
            Expandable::Object(o) => Some(o),
        }
    }
}

/// Deserialize a field leniently: null, absent or of an unexpected type → `None`.
pub(crate) fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let v = Value::deserialize(d)?;
    if v.is_null() {
        return Ok(None);
    }
    Ok(serde_json::from_value(v).ok())
}

/// IDs: a string, or a number rendered as one; anything else → empty.
pub(crate) fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    })
}

/// Which request fields are left out of the JSON body / query string.
pub trait Skip {
    /// True when the field should not be sent.
    fn skip(&self) -> bool;
}
impl<T> Skip for Option<T> {
    fn skip(&self) -> bool {
        self.is_none()
    }
}
impl<T> Skip for Vec<T> {
    fn skip(&self) -> bool {
        self.is_empty()
    }
}
impl<K, V> Skip for BTreeMap<K, V> {
    fn skip(&self) -> bool {
        self.is_empty()
    }
}
impl Skip for Map<String, Value> {
    fn skip(&self) -> bool {
        self.is_empty()
    }
}
impl Skip for String {
    // A required string is always sent, even empty, so Flex can say what is wrong with it.
    fn skip(&self) -> bool {
        false
    }
}

/// A list query: page size and cursor are common to all of them.
pub trait ListQuery: Serialize {
    /// Page size asked for, if any.
    fn limit(&self) -> Option<u32>;
}

/// Flatten a query struct into `key=value` pairs: arrays repeat the key, objects become
/// `key[sub]=value` (e.g. `metadata[order]=42`), null/absent fields are left out.
pub(crate) fn to_query<T: Serialize>(q: &T) -> Vec<(String, String)> {
    fn scalar(v: &Value) -> Option<String> {
        match v {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }
    let mut out = Vec::new();
    if let Ok(Value::Object(map)) = serde_json::to_value(q) {
        for (k, v) in map {
            match v {
                Value::Array(items) => {
                    out.extend(items.iter().filter_map(scalar).map(|s| (k.clone(), s)));
                }
                Value::Object(sub) => out.extend(
                    sub.iter()
                        .filter_map(|(sk, sv)| scalar(sv).map(|s| (format!("{k}[{sk}]"), s))),
                ),
                other => out.extend(scalar(&other).map(|s| (k, s))),
            }
        }
    }
    out
}

/// A response model: every field optional and lenient, unknown fields kept in `extra`.
macro_rules! model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { id: $idf:ident $(, $(#[$fmeta:meta])* $field:ident : $ty:ty)* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[allow(clippy::struct_field_names)] // `product_id` on `Product` is Flex's own name
        pub struct $name {
            /// The object's ID.
            #[serde(default, deserialize_with = "crate::models::lenient_id")]
            pub $idf: String,
            $(
                $(#[$fmeta])*
                #[serde(default, deserialize_with = "crate::models::lenient", skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// Fields this crate does not model (Flex adds fields over time).
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }
        impl crate::models::FlexObject for $name {
            fn id(&self) -> &str {
                &self.$idf
            }
        }
        impl crate::models::Extra for $name {
            fn extra(&self) -> &serde_json::Map<String, serde_json::Value> {
                &self.extra
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[serde(default, deserialize_with = "crate::models::lenient", skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// Fields this crate does not model.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }
        impl crate::models::Extra for $name {
            fn extra(&self) -> &serde_json::Map<String, serde_json::Value> {
                &self.extra
            }
        }
    };
}

/// A request body or query: unset fields are not sent; `extra` carries anything else verbatim.
macro_rules! input {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[serde(default, skip_serializing_if = "crate::models::Skip::skip")]
                pub $field: $ty,
            )*
            /// Extra fields sent as they are (undocumented or newer ones).
            #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }
        impl crate::models::Extra for $name {
            fn extra(&self) -> &serde_json::Map<String, serde_json::Value> {
                &self.extra
            }
        }
    };
}

/// A list query: `limit`, `starting_after`, `ending_before` plus the endpoint's filters.
macro_rules! list_query {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }
    ) => {
        crate::models::input! {
            $(#[$meta])*
            pub struct $name {
                /// Page size, 1–100 (Flex's default is 10 or 20 depending on the endpoint).
                limit: Option<u32>,
                /// Cursor: the page after this ID.
                starting_after: Option<String>,
                /// Cursor: the page before this ID.
                ending_before: Option<String>,
                $($(#[$fmeta])* $field: $ty,)*
            }
        }
        impl crate::models::ListQuery for $name {
            fn limit(&self) -> Option<u32> {
                self.limit
            }
        }
    };
}

/// A resource handle (`client.refunds()`), optionally carrying the caller's idempotency key.
macro_rules! handle {
    ($(#[$meta:meta])* $name:ident, $method:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name<'a> {
            client: &'a crate::Client,
            idempotency_key: Option<String>,
        }

        impl $name<'_> {
            /// Send the next write with this `Idempotency-Key` instead of a generated one (for a
            /// caller that repeats its own request, e.g. an MCP client retrying a tool call).
            #[must_use]
            pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
                self.idempotency_key = Some(key.into());
                self
            }

            /// [`with_idempotency_key`](Self::with_idempotency_key) when the caller has a key;
            /// otherwise writes get a generated one.
            #[must_use]
            pub fn with_idempotency_key_opt(mut self, key: Option<impl Into<String>>) -> Self {
                if let Some(key) = key {
                    self.idempotency_key = Some(key.into());
                }
                self
            }

            #[allow(dead_code)] // read-only resources have no writes
            fn write(&self, req: crate::Request) -> crate::Request {
                match &self.idempotency_key {
                    Some(k) => req.idempotency_key(k.clone()),
                    None => req,
                }
            }
        }

        impl crate::Client {
            #[doc = concat!("The `", stringify!($method), "` API.")]
            pub fn $method(&self) -> $name<'_> {
                $name { client: self, idempotency_key: None }
            }
        }
    };
}

pub(crate) use {handle, input, list_query, model};

/// Options for retrieving one object: expansion of related objects (reference §1.9).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expand {
    /// Comma-separated list, e.g. `payment_intent` or `customer,payment_method`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expand: Option<String>,
    /// `expand_customer=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expand_customer: Option<bool>,
    /// `expand_payment_intent=true` (checkout sessions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expand_payment_intent: Option<bool>,
    /// `expand_product=true` (prices).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expand_product: Option<bool>,
}

#[cfg(test)]
mod tests {
    #![allow(unreachable_pub)]
    use super::*;

    model! {
        /// test model
        pub struct Thing { id: thing_id, amount: i64, created_at: Timestamp, active: bool }
    }

    list_query! {
        /// test query
        pub struct ListThings { active: Option<bool>, metadata: BTreeMap<String, String>, ids: Vec<String> }
    }

    #[test]
    fn models_are_permissive() {
        let t: Thing = serde_json::from_value(serde_json::json!({
            "thing_id": "fthing_1", "amount": "not a number", "created_at": 1_700_000_000,
            "brand_new_field": {"x": 1}
        }))
        .unwrap();
        assert_eq!(t.thing_id, "fthing_1");
        assert_eq!(t.amount, None, "a mistyped field is dropped, not fatal");
        assert_eq!(t.created_at, Some(Timestamp::Unix(1_700_000_000)));
        assert_eq!(t.extra["brand_new_field"]["x"], 1);
        let empty: Thing = serde_json::from_value(serde_json::json!({})).unwrap();
        assert_eq!(empty.thing_id, "");
    }

    #[test]
    fn timestamps_in_both_forms() {
        let iso = Timestamp::Text("2025-08-27T17:07:47.761493Z".into());
        let int = Timestamp::Unix(1_756_314_467);
        assert_eq!(iso.unix_seconds(), Some(1_756_314_467));
        assert_eq!(int.unix_seconds(), Some(1_756_314_467));
        assert_eq!(
            Timestamp::Unix(1_756_314_467_000).unix_seconds(),
            Some(1_756_314_467)
        );
        assert_eq!(
            Timestamp::Text("2024-01-01".into()).unix_seconds(),
            Some(1_704_067_200)
        );
        assert_eq!(Timestamp::Text("soon".into()).to_datetime(), None);
    }

    #[test]
    fn queries_flatten_metadata_and_arrays() {
        let q = ListThings {
            limit: Some(5),
            active: Some(true),
            metadata: [("order".to_owned(), "42".to_owned())].into(),
            ids: vec!["a".into(), "b".into()],
            ..Default::default()
        };
        let pairs = to_query(&q);
        let has = |k: &str, v: &str| pairs.iter().any(|(a, b)| a == k && b == v);
        assert!(has("limit", "5") && has("active", "true") && has("metadata[order]", "42"));
        assert!(has("ids", "a") && has("ids", "b"));
        assert!(
            !pairs.iter().any(|(k, _)| k == "starting_after"),
            "unset fields are not sent"
        );
    }
}
