//! Envelopes and pagination.
//!
//! Single objects come wrapped under their singular key (`{"refund":{…}}`), lists under their
//! plural key (`{"refunds":[…]}`), with a few documented bare exceptions handled by the callers.
//! Lists are cursor-paged: `starting_after=<last id>`. Flex documents no `has_more`; a third-party
//! mock and our simulator send one. So a page is the last one when `has_more` is false, or, when
//! it is absent, when the page is shorter than the limit asked for.

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Client;
use crate::error::Error;
use crate::models::FlexObject;
use crate::request::Request;

/// Page size the auto-paging stream asks for when the query sets none (Flex's maximum: fewer
/// round trips, and a known limit makes the short-page rule exact).
pub const STREAM_PAGE_SIZE: u32 = 100;

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The objects, in Flex's order (newest first).
    pub items: Vec<T>,
    /// `has_more`, when Flex sent it.
    pub has_more: Option<bool>,
    /// The `limit` this page was asked with, if any.
    pub limit: Option<u32>,
}

impl<T: FlexObject> Page<T> {
    /// Whether another page follows: `has_more` when present, else a full page (needs the limit;
    /// without one, any non-empty page may have a successor).
    pub fn has_next(&self) -> bool {
        if self.items.is_empty() {
            return false;
        }
        match (self.has_more, self.limit) {
            (Some(more), _) => more,
            (None, Some(limit)) => self.items.len() >= limit as usize,
            (None, None) => true,
        }
    }

    /// The cursor for the next page (`starting_after`), when there is one.
    pub fn next_cursor(&self) -> Option<&str> {
        if !self.has_next() {
            return None;
        }
        self.items
            .last()
            .map(FlexObject::id)
            .filter(|id| !id.is_empty())
    }
}

impl Client {
    /// Send and unwrap a single-object envelope (`{"<key>":{…}}`); a bare object is accepted
    /// too, since some documented examples show one.
    pub(crate) async fn fetch_one<T: DeserializeOwned>(
        &self,
        req: Request,
        key: &str,
    ) -> Result<T, Error> {
        let resp = self.send_raw(req).await?;
        unwrap_one(resp.status, resp.body, key)
    }

    /// Send and read a bare (unwrapped) object, e.g. a refund preview.
    pub(crate) async fn fetch_bare<T: DeserializeOwned>(&self, req: Request) -> Result<T, Error> {
        let resp = self.send_raw(req).await?;
        decode(resp.status, resp.body, "response")
    }

    /// Send a list request and read one page.
    pub(crate) async fn fetch_page<T: DeserializeOwned>(
        &self,
        req: Request,
        key: &str,
    ) -> Result<Page<T>, Error> {
        let limit = req
            .query_params()
            .iter()
            .rev()
            .find(|(k, _)| k == "limit")
            .and_then(|(_, v)| v.parse().ok());
        let resp = self.send_raw(req).await?;
        unwrap_list(resp.status, resp.body, key, limit)
    }

    /// Every object of a list, page after page, as a stream. `query` may carry filters and a
    /// starting cursor; `limit` sets the page size ([`STREAM_PAGE_SIZE`] when absent).
    pub(crate) fn stream_list<T: FlexObject>(
        &self,
        path: String,
        key: &'static str,
        query: Vec<(String, String)>,
    ) -> BoxStream<'static, Result<T, Error>> {
        let mut cursor = None;
        let mut limit = STREAM_PAGE_SIZE;
        let mut base = Vec::with_capacity(query.len());
        for (k, v) in query {
            match k.as_str() {
                "starting_after" => cursor = Some(v),
                "limit" => limit = v.parse().unwrap_or(STREAM_PAGE_SIZE),
                // Backward paging and offsets do not mix with forward cursors.
                "ending_before" | "offset" => {}
                _ => base.push((k, v)),
            }
        }
        let state = (self.clone(), cursor, false);
        stream::try_unfold(state, move |(client, cursor, done)| {
            let path = path.clone();
            let base = base.clone();
            async move {
                if done {
                    return Ok(None);
                }
                let req = Request::get(path)
                    .query_pairs(base)
                    .query("limit", limit)
                    .query_opt("starting_after", cursor.clone());
                let page: Page<T> = client.fetch_page(req, key).await?;
                let next = page.next_cursor().map(str::to_owned);
                if page.has_next() && next.is_none() {
                    return Err(Error::Decode {
                        status: 200,
                        message: format!(
                            "a `{key}` item has no id, so the next page cannot be asked for"
                        ),
                    });
                }
                // A cursor that does not move would loop forever; treat it as the end.
                let done = next.is_none() || next == cursor;
                Ok(Some((page.items, (client, next, done))))
            }
        })
        .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }
}

pub(crate) fn decode<T: DeserializeOwned>(
    status: u16,
    value: Value,
    what: &str,
) -> Result<T, Error> {
    serde_json::from_value(value).map_err(|e| Error::Decode {
        status,
        message: format!("cannot read `{what}`: {e}"),
    })
}

pub(crate) fn unwrap_one<T: DeserializeOwned>(
    status: u16,
    body: Value,
    key: &str,
) -> Result<T, Error> {
    match body {
        Value::Object(mut map) => {
            let inner = match map.remove(key) {
                Some(v @ Value::Object(_)) => v,
                Some(other) => {
                    map.insert(key.to_owned(), other);
                    Value::Object(map)
                }
                None => Value::Object(map),
            };
            decode(status, inner, key)
        }
        other => Err(Error::Decode {
            status,
            message: format!("expected a `{key}` object, got {}", kind(&other)),
        }),
    }
}

pub(crate) fn unwrap_list<T: DeserializeOwned>(
    status: u16,
    body: Value,
    key: &str,
    limit: Option<u32>,
) -> Result<Page<T>, Error> {
    let (items, has_more) = match body {
        Value::Object(mut map) => {
            let has_more = map.get("has_more").and_then(Value::as_bool);
            match map.remove(key) {
                Some(Value::Array(items)) => (items, has_more),
                Some(Value::Null) | None if map.is_empty() || has_more.is_some() => {
                    (Vec::new(), has_more)
                }
                _ => {
                    return Err(Error::Decode {
                        status,
                        message: format!("expected a `{key}` list in the response"),
                    });
                }
            }
        }
        Value::Array(items) => (items, None),
        other => {
            return Err(Error::Decode {
                status,
                message: format!("expected a `{key}` list, got {}", kind(&other)),
            });
        }
    };
    let items = items
        .into_iter()
        .enumerate()
        .map(|(i, v)| decode(status, v, &format!("{key}[{i}]")))
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        has_more,
        limit,
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    #![allow(unreachable_pub)]
    use super::*;
    use crate::models::model;
    use serde_json::json;

    model! {
        /// test
        pub struct Item { id: item_id }
    }

    #[test]
    fn single_envelope_and_bare_object() {
        let a: Item = unwrap_one(200, json!({"item": {"item_id": "i1"}}), "item").unwrap();
        let b: Item = unwrap_one(200, json!({"item_id": "i2"}), "item").unwrap();
        assert_eq!((a.item_id.as_str(), b.item_id.as_str()), ("i1", "i2"));
        assert!(matches!(
            unwrap_one::<Item>(200, json!([1]), "item"),
            Err(Error::Decode { .. })
        ));
    }

    #[test]
    fn end_of_list_rules() {
        let full: Page<Item> = unwrap_list(
            200,
            json!({"items": [{"item_id": "a"}, {"item_id": "b"}]}),
            "items",
            Some(2),
        )
        .unwrap();
        assert_eq!(
            full.next_cursor(),
            Some("b"),
            "a full page without has_more may continue"
        );
        let short: Page<Item> =
            unwrap_list(200, json!({"items": [{"item_id": "a"}]}), "items", Some(2)).unwrap();
        assert_eq!(short.next_cursor(), None, "a short page is the last");
        let flagged: Page<Item> = unwrap_list(
            200,
            json!({"items": [{"item_id": "a"}, {"item_id": "b"}], "has_more": false}),
            "items",
            Some(2),
        )
        .unwrap();
        assert_eq!(
            flagged.next_cursor(),
            None,
            "has_more wins over the length rule"
        );
        let more: Page<Item> = unwrap_list(
            200,
            json!({"items": [{"item_id": "a"}], "has_more": true}),
            "items",
            Some(2),
        )
        .unwrap();
        assert_eq!(more.next_cursor(), Some("a"));
        assert!(unwrap_list::<Item>(200, json!({"other": []}), "items", None).is_err());
    }
}
