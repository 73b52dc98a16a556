//! The few moves every tool is made of: turn the parsed arguments into `flex-api`'s typed
//! request body or list query, call the typed resource, and trim the typed answer for the model.
//!
//! Arguments are serialised from the parsed (validated) struct, never passed through raw, so
//! nothing a model sends reaches Flex unless a parameters struct declares it; and every field a
//! tool sends is one `flex-api` models (checked in debug builds), so the contract tests between
//! `flex-api` and `flex-sim` cover what the tools send.

use flex_api::{Extra, FlexObject, Request};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::args::{DEFAULT_LIMIT, IdempotencyKey};
use super::out::{Resource, project};
use super::{ToolCtx, ToolError};

/// The arguments (minus `skip`, the idempotency key and absent ones) as `flex-api`'s typed body
/// `T`. A field `T` does not name would travel in its `extra`, outside what the contract tests
/// cover: a bug in the tool, caught by a debug assertion.
pub(crate) fn input<T: DeserializeOwned + Extra>(
    args: &impl Serialize,
    skip: &[&str],
) -> Result<T, ToolError> {
    typed(fields(args, skip))
}

/// The arguments as `flex-api`'s list query `T`, with `limit` always set (so the end of the
/// list can be told from a short page when Flex does not say `has_more`).
pub(crate) fn query<T: DeserializeOwned + Extra>(
    args: &impl Serialize,
    skip: &[&str],
) -> Result<T, ToolError> {
    let mut map = fields(args, skip);
    map.entry("limit").or_insert(Value::from(DEFAULT_LIMIT));
    typed(map)
}

fn typed<T: DeserializeOwned + Extra>(map: Map<String, Value>) -> Result<T, ToolError> {
    let t: T =
        serde_json::from_value(Value::Object(map)).map_err(|e| ToolError::InvalidArguments {
            field: None,
            message: format!(
                "cannot be sent to Flex as {}: {e}",
                std::any::type_name::<T>()
            ),
        })?;
    debug_assert!(
        t.extra().is_empty(),
        "{} does not model {:?}: add the field to flex-api",
        std::any::type_name::<T>(),
        t.extra().keys().collect::<Vec<_>>()
    );
    Ok(t)
}

/// The caller's idempotency key, for a typed resource handle (`with_idempotency_key_opt`).
pub(crate) fn key(k: Option<&IdempotencyKey>) -> Option<String> {
    k.map(|k| k.0.clone())
}

/// A typed object trimmed to its projection `V`, as JSON.
pub(crate) fn view<V, M>(model: &M) -> Value
where
    V: for<'a> From<&'a M> + Serialize,
{
    to_json(&V::from(model))
}

/// One typed page as list tools return it: `{"<plural>": [...], has_more, next_cursor}`.
/// `has_more` is Flex's when it says, else a full page (tools always send `limit`).
pub(crate) fn page_view<V, M>(page: &flex_api::Page<M>) -> Value
where
    V: Resource + for<'a> From<&'a M>,
    M: FlexObject,
{
    let items: Vec<V> = page.items.iter().map(V::from).collect();
    let limit = page.limit.unwrap_or(DEFAULT_LIMIT);
    page_of(&items, page.has_more, limit)
}

fn page_of<V: Resource>(items: &[V], has_more: Option<bool>, limit: u32) -> Value {
    let has_more = has_more.unwrap_or(items.len() >= limit as usize);
    let next_cursor = if has_more {
        items.last().and_then(|r| r.id()).map(str::to_owned)
    } else {
        None
    };
    let mut out = Map::new();
    out.insert(
        V::PLURAL.to_owned(),
        Value::Array(items.iter().map(to_json).collect()),
    );
    out.insert("has_more".to_owned(), Value::Bool(has_more));
    out.insert(
        "next_cursor".to_owned(),
        next_cursor.map_or(Value::Null, Value::String),
    );
    Value::Object(out)
}

/// Arguments that never go to Flex as fields: the caller's idempotency key travels as a header.
const NOT_FIELDS: &[&str] = &["idempotency_key"];

/// The arguments as a JSON object, without `skip` keys, nulls removed (an absent optional
/// argument means "leave it to Flex", never "set it to null").
pub(crate) fn fields(args: &impl Serialize, skip: &[&str]) -> Map<String, Value> {
    let mut map = match serde_json::to_value(args) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    map.retain(|k, _| !skip.contains(&k.as_str()) && !NOT_FIELDS.contains(&k.as_str()));
    prune_nulls(&mut map);
    map
}

fn prune_nulls(map: &mut Map<String, Value>) {
    map.retain(|_, v| !v.is_null());
    for v in map.values_mut() {
        match v {
            Value::Object(inner) => prune_nulls(inner),
            Value::Array(items) => {
                for item in items {
                    if let Value::Object(inner) = item {
                        prune_nulls(inner);
                    }
                }
            }
            _ => {}
        }
    }
}

/// `{"<key>": {fields}}`: Flex's request envelope.
pub(crate) fn wrapped(key: &str, args: &impl Serialize, skip: &[&str]) -> Value {
    let mut outer = Map::new();
    outer.insert(key.to_owned(), Value::Object(fields(args, skip)));
    Value::Object(outer)
}

/// Adds the arguments (minus `skip`) as query parameters. A metadata object becomes
/// `metadata[key]=value` pairs; arrays repeat the key with `[]`.
pub(crate) fn with_query(mut req: Request, args: &impl Serialize, skip: &[&str]) -> Request {
    for (k, v) in fields(args, skip) {
        match v {
            Value::Object(inner) => {
                for (ik, iv) in inner {
                    req = req.query(&format!("{k}[{ik}]"), scalar(&iv));
                }
            }
            Value::Array(items) => {
                for item in items {
                    req = req.query(&format!("{k}[]"), scalar(&item));
                }
            }
            other => req = req.query(&k, scalar(&other)),
        }
    }
    req
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Attaches the caller's idempotency key, if any (flex-api generates one otherwise).
pub(crate) fn keyed(req: Request, key: Option<&IdempotencyKey>) -> Request {
    match key {
        Some(k) => req.idempotency_key(k.0.clone()),
        None => req,
    }
}

/// The object inside Flex's single-object envelope; a bare object (the documented
/// exceptions) is taken as is.
pub(crate) fn unwrap_one<'a>(body: &'a Value, key: &str) -> &'a Value {
    body.get(key).filter(|v| v.is_object()).unwrap_or(body)
}

/// Sends `req` and returns the projected object.
pub(crate) async fn one<R: Resource + Default>(
    ctx: &ToolCtx,
    req: Request,
) -> Result<Value, ToolError> {
    let body = ctx.api.send(req).await?;
    Ok(to_json(&project::<R>(unwrap_one(&body, R::SINGULAR))))
}

/// Builds a list request: arguments as query, `limit` always sent (so the end of the list can
/// be told from a short page when Flex does not say `has_more`).
pub(crate) fn list_request(path: String, args: &impl Serialize, skip: &[&str]) -> (Request, u32) {
    let map = fields(args, skip);
    let limit = map
        .get("limit")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(DEFAULT_LIMIT);
    let mut req = with_query(Request::get(path), args, skip);
    if !map.contains_key("limit") {
        req = req.query("limit", limit);
    }
    (req, limit)
}

/// Sends a list request and returns one page: `{"<plural>": [...], has_more, next_cursor}`.
pub(crate) async fn list<R: Resource + Default>(
    ctx: &ToolCtx,
    (req, limit): (Request, u32),
) -> Result<Value, ToolError> {
    let body = ctx.api.send(req).await?;
    Ok(page::<R>(&body, limit))
}

/// The page view of a list body.
pub(crate) fn page<R: Resource + Default>(body: &Value, limit: u32) -> Value {
    let raw = body
        .get(R::PLURAL)
        .or_else(|| body.get("data"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let items: Vec<R> = raw.iter().map(project::<R>).collect();
    page_of(&items, body.get("has_more").and_then(Value::as_bool), limit)
}

/// Serialises a projection. Projections hold only strings, numbers, bools and string-keyed
/// maps, which always serialise.
pub(crate) fn to_json(r: &impl Serialize) -> Value {
    serde_json::to_value(r).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::tools::out::Timestamp;
    use crate::tools::payments::RefundOut;

    #[derive(Serialize)]
    struct Args {
        refund_id: &'static str,
        amount: Option<i64>,
        reason: Option<&'static str>,
        metadata: Option<serde_json::Map<String, Value>>,
        idempotency_key: Option<&'static str>,
    }

    #[test]
    fn bodies_are_wrapped_without_path_ids_nulls_or_the_idempotency_key() {
        let a = Args {
            refund_id: "fre_1",
            amount: Some(500),
            reason: None,
            metadata: Some(serde_json::Map::from_iter([(
                "ticket".into(),
                json!("T-9"),
            )])),
            idempotency_key: Some("k1"),
        };
        assert_eq!(
            wrapped("refund", &a, &["refund_id"]),
            json!({"refund": {"amount": 500, "metadata": {"ticket": "T-9"}}})
        );
    }

    #[test]
    fn a_short_page_ends_the_list_when_flex_says_nothing() {
        let body =
            json!({"refunds": [{"refund_id": "fre_2", "amount": 5}, {"refund_id": "fre_1"}]});
        let full = page::<RefundOut>(&body, 2);
        assert_eq!(full["has_more"], true);
        assert_eq!(full["next_cursor"], "fre_1");
        let short = page::<RefundOut>(&body, 3);
        assert_eq!(short["has_more"], false);
        assert_eq!(short["next_cursor"], Value::Null);
        // Flex's own has_more wins over the guess.
        let said = json!({"refunds": [{"refund_id": "fre_2"}], "has_more": true});
        assert_eq!(page::<RefundOut>(&said, 10)["next_cursor"], "fre_2");
    }

    #[test]
    fn projections_keep_ids_of_expanded_objects_and_drop_odd_values() {
        let raw = json!({
            "refund_id": "fre_1",
            "amount": "not a number",
            "status": "succeeded",
            "items": [{"payment_intent": {"payment_intent_id": "fpi_1", "amount": 5}, "amount_refunded": 5}],
            "created_at": 1_767_225_600,
            "client_secret": "never shown",
        });
        let out = to_json(&crate::tools::out::project::<RefundOut>(&raw));
        assert_eq!(
            out,
            json!({
                "refund_id": "fre_1",
                "status": "succeeded",
                "items": [{"payment_intent": "fpi_1", "amount_refunded": 5}],
                "created_at": "2026-01-01T00:00:00Z"
            })
        );
        let ts: Timestamp =
            serde_json::from_value(json!("2025-08-27T17:07:47.761493Z")).expect("ISO text");
        assert_eq!(
            ts.0, "2025-08-27T17:07:47.761493Z",
            "ISO text passes through"
        );
    }
}
