//! Captures (reference §3.6, §4.7): read and annotate; capturing itself goes through the
//! checkout session.

use futures::stream::BoxStream;
use serde_json::json;

use crate::models::{
    Expand, Expandable, Metadata, Timestamp, handle, input, list_query, model, to_query,
};
use crate::page::Page;
use crate::resources::checkout_sessions::CheckoutSession;
use crate::resources::payment_intents::PaymentIntent;
use crate::resources::prices::Price;
use crate::{Error, Request, path_segment};

model! {
    /// One payment intent's share of a capture.
    pub struct CaptureItem {
        id: capture_item_id,
        /// Captured, in cents.
        amount_captured: i64,
        /// When created.
        created_at: Timestamp,
        /// Price.
        price: Expandable<Price>,
        /// Payment intent.
        payment_intent: Expandable<PaymentIntent>,
        /// Test or live.
        test_mode: bool,
    }
}

model! {
    /// A capture: money actually taken.
    pub struct Capture {
        id: capture_id,
        /// Captured, in cents.
        amount_captured: i64,
        /// Shipping captured, in cents.
        amount_shipping_captured: i64,
        /// Discount captured, in cents.
        amount_discount_captured: i64,
        /// Tax captured, in cents.
        amount_tax_captured: i64,
        /// When created.
        created_at: Timestamp,
        /// Per payment intent.
        items: Vec<CaptureItem>,
        /// The checkout session captured, when Flex says.
        checkout_session: Expandable<CheckoutSession>,
        /// Metadata.
        metadata: Metadata,
        /// Test or live.
        test_mode: bool,
    }
}

input! {
    /// Body of `PATCH /v1/captures/{id}` (sent as `{"capture":{…}}`).
    pub struct UpdateCapture {
        /// Metadata.
        metadata: Option<Metadata>,
    }
}

list_query! {
    /// Query of `GET /v1/captures`.
    pub struct ListCaptures {
        /// e.g. `payment_intent`.
        expand: Option<String>,
        /// Only this checkout session's.
        checkout_session: Option<String>,
    }
}

handle!(
    /// `client.captures()`.
    Captures, captures
);

impl Captures<'_> {
    /// `GET /v1/captures/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<Capture, Error> {
        self.retrieve_with(id, &Expand::default()).await
    }

    /// `GET /v1/captures/{id}?expand=…`.
    pub async fn retrieve_with(&self, id: &str, expand: &Expand) -> Result<Capture, Error> {
        let req = Request::get(format!("/v1/captures/{}", path_segment(id)))
            .query_pairs(to_query(expand));
        self.client.fetch_one(req, "capture").await
    }

    /// `PATCH /v1/captures/{id}`.
    pub async fn update(&self, id: &str, body: &UpdateCapture) -> Result<Capture, Error> {
        let req = Request::patch(format!("/v1/captures/{}", path_segment(id)))
            .json(json!({ "capture": body }));
        self.client.fetch_one(self.write(req), "capture").await
    }

    /// `GET /v1/captures`: one page.
    pub async fn list(&self, query: &ListCaptures) -> Result<Page<Capture>, Error> {
        let req = Request::get("/v1/captures").query_pairs(to_query(query));
        self.client.fetch_page(req, "captures").await
    }

    /// `GET /v1/captures`: every page.
    pub fn list_all(&self, query: &ListCaptures) -> BoxStream<'static, Result<Capture, Error>> {
        self.client
            .stream_list("/v1/captures".into(), "captures", to_query(query))
    }
}
