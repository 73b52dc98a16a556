//! Query strings: typed getters that answer 422 naming the parameter, and cursor pagination (§5.1).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult};
use crate::ids::Kind;
use crate::store::{Row, Store};

/// Decoded query pairs, in order (repeatable keys such as `metadata[k]` are kept).
#[derive(Debug, Default, Clone)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Decode a raw query string. Undecodable input is a 400 that says so.
    pub fn parse(raw: Option<&str>) -> ApiResult<Self> {
        let Some(raw) = raw else {
            return Ok(Self::default());
        };
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).map_err(|e| {
            ApiError::bad_request("invalid_query", format!("query string is not valid: {e}"))
        })?;
        Ok(Self { pairs })
    }

    /// First value of `name`, if any and non-empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// First value of any of the names (for alternative spellings).
    pub fn get_any<'n>(&self, names: &[&'n str]) -> Option<(&'n str, &str)> {
        names.iter().find_map(|n| self.get(n).map(|v| (*n, v)))
    }

    /// A boolean parameter: `true`/`false` (also `1`/`0`).
    pub fn bool(&self, name: &str) -> ApiResult<Option<bool>> {
        match self.get(name) {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(v) => Err(ApiError::invalid(
                &["query", name],
                "bool_parsing",
                format!("`{name}` must be true or false, got '{v}'"),
            )),
        }
    }

    /// A non-negative integer parameter.
    pub fn uint(&self, name: &str) -> ApiResult<Option<u64>> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.parse::<u64>().map(Some).map_err(|_| {
                ApiError::invalid(
                    &["query", name],
                    "int_parsing",
                    format!("`{name}` must be a non-negative integer, got '{v}'"),
                )
            }),
        }
    }

    /// An ISO-8601 date-time (or a date, or Unix seconds) parameter, as Unix microseconds.
    pub fn time(&self, name: &str) -> ApiResult<Option<i64>> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => parse_time(v).map(Some).ok_or_else(|| {
                ApiError::invalid(
                    &["query", name],
                    "datetime_parsing",
                    format!("`{name}` must be an ISO-8601 date-time such as 2024-01-01T00:00:00Z, got '{v}'"),
                )
            }),
        }
    }

    /// `metadata[key]=value` filters.
    pub fn metadata_filters(&self) -> Vec<(&str, &str)> {
        self.pairs
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("metadata[")
                    .and_then(|r| r.strip_suffix(']'))
                    .map(|key| (key, v.as_str()))
            })
            .collect()
    }

    /// The expansions asked for: `expand=a,b` (repeatable, also `expand[]=`) and `expand_<x>=true`.
    pub fn expansions(&self) -> ApiResult<Vec<String>> {
        let mut out = Vec::new();
        for (k, v) in &self.pairs {
            if k == "expand" || k == "expand[]" {
                out.extend(
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                );
            }
        }
        for what in ["customer", "payment_intent", "product", "payment_method"] {
            if self.bool(&format!("expand_{what}"))? == Some(true) {
                out.push(what.to_owned());
            }
        }
        Ok(out)
    }
}

/// Parse ISO-8601 (with or without offset), a plain date, or Unix seconds.
pub fn parse_time(v: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc).timestamp_micros());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc().timestamp_micros());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_micros());
    }
    v.parse::<i64>().ok().and_then(|s| s.checked_mul(1_000_000))
}

/// The page a list call asks for.
#[derive(Debug)]
pub struct Page {
    limit: usize,
    starting_after: Option<String>,
    ending_before: Option<String>,
    offset: usize,
}

impl Page {
    /// Read `limit` (1–100, per-kind default), `starting_after`, `ending_before`, `offset`.
    pub fn from_query(q: &Query, kind: Kind) -> ApiResult<Self> {
        let limit = match q.uint("limit")? {
            None => kind.default_limit(),
            Some(n @ 1..=100) => usize::try_from(n).unwrap_or(100),
            Some(n) => {
                return Err(ApiError::invalid(
                    &["query", "limit"],
                    "limit_out_of_range",
                    format!("`limit` must be between 1 and 100, got {n}"),
                ));
            }
        };
        let offset = usize::try_from(q.uint("offset")?.unwrap_or(0)).unwrap_or(usize::MAX);
        let starting_after = q.get("starting_after").map(str::to_owned);
        let ending_before = q.get("ending_before").map(str::to_owned);
        if starting_after.is_some() && ending_before.is_some() {
            return Err(ApiError::invalid(
                &["query", "ending_before"],
                "conflicting_cursors",
                "send either `starting_after` or `ending_before`, not both",
            ));
        }
        Ok(Self {
            limit,
            starting_after,
            ending_before,
            offset,
        })
    }

    /// Cut one page out of `rows` (already filtered and sorted newest first). Returns the page and
    /// whether more items lie beyond it in the direction of travel.
    pub fn apply<'a>(
        &self,
        store: &Store,
        kind: Kind,
        rows: &[(&'a str, &'a Row)],
    ) -> ApiResult<(Vec<&'a Value>, bool)> {
        let key_of = |id: &str, param: &str| {
            store.sort_key(kind, id).ok_or_else(|| {
                let mut e = ApiError::not_found(&kind.words(), id);
                e.loc = vec!["query".into(), param.into()];
                e
            })
        };
        let newer = |row: &(&str, &Row), key: &(i64, String)| {
            (row.1.created_us, row.0) > (key.0, key.1.as_str())
        };
        if let Some(cursor) = &self.ending_before {
            let key = key_of(cursor, "ending_before")?;
            // Items newer than the cursor; we want the `limit` closest to it.
            let before: Vec<_> = rows.iter().filter(|r| newer(r, &key)).collect();
            let end = before.len().saturating_sub(self.offset);
            let start = end.saturating_sub(self.limit);
            let page = before[start..end].iter().map(|r| &r.1.obj).collect();
            return Ok((page, start > 0));
        }
        let after: Vec<_> = match &self.starting_after {
            Some(cursor) => {
                let key = key_of(cursor, "starting_after")?;
                rows.iter()
                    .filter(|r| !newer(r, &key) && r.0 != key.1)
                    .collect()
            }
            None => rows.iter().collect(),
        };
        let start = self.offset.min(after.len());
        let end = start.saturating_add(self.limit).min(after.len());
        let page = after[start..end].iter().map(|r| &r.1.obj).collect();
        Ok((page, end < after.len()))
    }
}

/// `{"<plural>": [...], "has_more": bool}` (Appendix C: `has_more` added to the documented shape).
pub fn list_body(kind: Kind, items: Vec<Value>, has_more: bool) -> Value {
    let mut m = Map::new();
    m.insert(kind.plural().to_owned(), Value::Array(items));
    m.insert("has_more".into(), json!(has_more));
    Value::Object(m)
}
