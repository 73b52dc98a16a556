//! Events (reference §3.14, §4.19): retry is documented; list/get exist on the simulator as a
//! marked extension and are inferred (I) for Flex.

use futures::stream::BoxStream;
use serde_json::json;

use crate::models::{Timestamp, handle, input, list_query, model, to_query};
use crate::page::Page;
use crate::{Error, Request, path_segment};

model! {
    /// An event. `object` wraps the resource (API shape) or is the resource (webhook shape).
    pub struct Event {
        id: event_id,
        /// e.g. `refund.created`.
        event_type: String,
        /// Epoch seconds (webhook shape).
        event_dt: Timestamp,
        /// The object.
        object: serde_json::Value,
        /// Test or live.
        test_mode: bool,
        /// When created.
        created_at: Timestamp,
    }
}

input! {
    /// Body of `POST /v1/events/{id}/retry` (sent as `{"event":{…}}`).
    pub struct RetryEvent {
        /// Webhook to deliver to. Required.
        webhook_id: String,
    }
}

list_query! {
    /// Query of `GET /v1/events` (I).
    pub struct ListEvents {
        /// Only this type.
        event_type: Option<String>,
    }
}

handle!(
    /// `client.events()`.
    Events, events
);

impl Events<'_> {
    /// `POST /v1/events/{id}/retry`: deliver the event again to one webhook.
    pub async fn retry(&self, id: &str, body: &RetryEvent) -> Result<Event, Error> {
        let req = Request::post(format!("/v1/events/{}/retry", path_segment(id)))
            .json(json!({ "event": body }));
        self.client.fetch_one(self.write(req), "event").await
    }

    /// `GET /v1/events/{id}` (I).
    pub async fn retrieve(&self, id: &str) -> Result<Event, Error> {
        let req = Request::get(format!("/v1/events/{}", path_segment(id)));
        self.client.fetch_one(req, "event").await
    }

    /// `GET /v1/events` (I): one page.
    pub async fn list(&self, query: &ListEvents) -> Result<Page<Event>, Error> {
        let req = Request::get("/v1/events").query_pairs(to_query(query));
        self.client.fetch_page(req, "events").await
    }

    /// `GET /v1/events` (I): every page.
    pub fn list_all(&self, query: &ListEvents) -> BoxStream<'static, Result<Event, Error>> {
        self.client
            .stream_list("/v1/events".into(), "events", to_query(query))
    }
}
