//! The few moves every tool is made of: turn the parsed arguments into `flex-api`'s typed
//! request body or list query, call the typed resource, and trim the typed answer for the model.
//!
//! Arguments are serialised from the parsed (validated) struct, never passed through raw, so
//! nothing a model sends reaches Flex unless a parameters struct declares it; and every field a
//! tool sends is one `flex-api` models (checked in debug builds), so the contract tests between
//! `flex-api` and `flex-sim` cover what the tools send.

use flex_api::{Extra, FlexObject};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::ToolError;
use super::args::{DEFAULT_LIMIT, IdempotencyKey};
use super::out::Resource;

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

/// Serialises a projection. Projections hold only strings, numbers, bools and string-keyed
/// maps, which always serialise.
pub(crate) fn to_json(r: &impl Serialize) -> Value {
    serde_json::to_value(r).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::tools::out::{Timestamp, TrimValue};
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
    fn bodies_leave_out_path_ids_nulls_and_the_idempotency_key() {
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
        let body: flex_api::UpdateRefund = input(&a, &["refund_id", "amount"]).unwrap();
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"metadata": {"ticket": "T-9"}})
        );
        let q: flex_api::ListRefunds = query(&a, &["refund_id", "amount", "metadata"]).unwrap();
        assert_eq!(q.limit, Some(DEFAULT_LIMIT), "lists always send a limit");
    }

    fn page_of_refunds(ids: &[&str], has_more: Option<bool>, limit: u32) -> Value {
        let page = flex_api::Page {
            items: ids
                .iter()
                .map(|id| flex_api::Refund {
                    refund_id: (*id).to_owned(),
                    ..Default::default()
                })
                .collect(),
            has_more,
            limit: Some(limit),
        };
        page_view::<RefundOut, _>(&page)
    }

    #[test]
    fn a_short_page_ends_the_list_when_flex_says_nothing() {
        let full = page_of_refunds(&["fre_2", "fre_1"], None, 2);
        assert_eq!(full["has_more"], true);
        assert_eq!(full["next_cursor"], "fre_1");
        let short = page_of_refunds(&["fre_2", "fre_1"], None, 3);
        assert_eq!(short["has_more"], false);
        assert_eq!(short["next_cursor"], Value::Null);
        // Flex's own has_more wins over the guess.
        let said = page_of_refunds(&["fre_2"], Some(true), 10);
        assert_eq!(said["next_cursor"], "fre_2");
    }

    #[test]
    fn views_keep_ids_of_expanded_objects_and_drop_odd_values() {
        let raw = json!({
            "refund_id": "fre_1",
            "amount": "not a number",
            "status": "succeeded",
            "items": [{"payment_intent": "fpi_1", "amount_refunded": 5}],
            "metadata": {"n": 1},
            "created_at": 1_767_225_600,
            "client_secret": "never shown",
        });
        let model: flex_api::Refund = serde_json::from_value(raw).unwrap();
        assert_eq!(
            view::<RefundOut, _>(&model),
            json!({
                "refund_id": "fre_1",
                "status": "succeeded",
                "items": [{"payment_intent": "fpi_1", "amount_refunded": 5}],
                "created_at": "2026-01-01T00:00:00Z"
            })
        );
        let capture: flex_api::CaptureItem = serde_json::from_value(json!({
            "capture_item_id": "fcapi_1",
            "payment_intent": {"payment_intent_id": "fpi_9", "amount": 5},
        }))
        .unwrap();
        let item = crate::tools::payments::CaptureItemOut::from(&capture);
        assert_eq!(item.payment_intent.map(|p| p.0).as_deref(), Some("fpi_9"));
        let iso = flex_api::Timestamp::Text("2025-08-27T17:07:47.761493Z".into());
        assert_eq!(
            TrimValue::<Timestamp>::trim_value(&iso)
                .map(|t| t.0)
                .as_deref(),
            Some("2025-08-27T17:07:47.761493Z"),
            "ISO text passes through"
        );
    }
}
