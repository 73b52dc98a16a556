//! Refunds of a payment intent (reference §3.7, §4.8). Session refunds live in
//! `checkout_sessions`.

use futures::stream::BoxStream;
use serde_json::json;

use crate::models::{Metadata, Timestamp, handle, input, list_query, model, to_query};
use crate::page::Page;
use crate::{Error, Request, path_segment};

model! {
    /// One payment method's part of a (split-cart) refund.
    pub struct RefundItem {
        /// Refunded, in cents.
        amount_refunded: i64,
        /// Payment intent ID.
        payment_intent: String,
        /// Payment method ID.
        payment_method_id: String,
        /// ARN or other trace number.
        reference_id: String,
        /// Kind of reference.
        reference_type: String,
        /// `available`, `pending`, `unavailable`.
        reference_status: String,
    }
}

model! {
    /// A refund.
    pub struct Refund {
        id: refund_id,
        /// Refunded payment intent.
        payment_intent_id: String,
        /// Amount in cents.
        amount: i64,
        /// When created.
        created_at: Timestamp,
        /// `duplicate`, `fraudulent`, `requested_by_customer`, …
        reason: String,
        /// `pending`, `succeeded`, `failed`, …
        status: String,
        /// Test or live.
        test_mode: bool,
        /// Metadata.
        metadata: Metadata,
        /// ARN, once available.
        reference_id: String,
        /// Kind of reference.
        reference_type: String,
        /// `available`, `pending`, `unavailable`.
        reference_status: String,
        /// Split-cart breakdown.
        items: Vec<RefundItem>,
        /// Subscription, if any.
        subscription_id: String,
        /// Invoice, if any.
        invoice_id: String,
    }
}

input! {
    /// Body of `POST /v1/refunds` (sent as `{"refund":{…}}`).
    pub struct CreateRefund {
        /// Payment intent to refund (`fpi_…`). Required.
        payment_intent_id: String,
        /// Cents; omitted = the full remaining amount.
        amount: Option<i64>,
        /// `duplicate`, `fraudulent`, `requested_by_customer`.
        reason: Option<String>,
        /// Metadata.
        metadata: Option<Metadata>,
    }
}

input! {
    /// Body of `PATCH /v1/refunds/{id}` (sent as `{"refund":{…}}`).
    pub struct UpdateRefund {
        /// Reason.
        reason: Option<String>,
        /// Metadata.
        metadata: Option<Metadata>,
    }
}

list_query! {
    /// Query of `GET /v1/refunds`.
    pub struct ListRefunds {
        /// Only this status.
        status: Option<String>,
        /// Only this payment intent's.
        payment_intent: Option<String>,
        /// Only this checkout session's.
        checkout_session: Option<String>,
    }
}

handle!(
    /// `client.refunds()`.
    Refunds, refunds
);

impl Refunds<'_> {
    /// `POST /v1/refunds`. Moves money; retried safely thanks to the idempotency key.
    pub async fn create(&self, body: &CreateRefund) -> Result<Refund, Error> {
        let req = Request::post("/v1/refunds").json(json!({ "refund": body }));
        self.client.fetch_one(self.write(req), "refund").await
    }

    /// `GET /v1/refunds/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<Refund, Error> {
        let req = Request::get(format!("/v1/refunds/{}", path_segment(id)));
        self.client.fetch_one(req, "refund").await
    }

    /// `PATCH /v1/refunds/{id}`.
    pub async fn update(&self, id: &str, body: &UpdateRefund) -> Result<Refund, Error> {
        let req = Request::patch(format!("/v1/refunds/{}", path_segment(id)))
            .json(json!({ "refund": body }));
        self.client.fetch_one(self.write(req), "refund").await
    }

    /// `GET /v1/refunds`: one page.
    pub async fn list(&self, query: &ListRefunds) -> Result<Page<Refund>, Error> {
        let req = Request::get("/v1/refunds").query_pairs(to_query(query));
        self.client.fetch_page(req, "refunds").await
    }

    /// `GET /v1/refunds`: every page.
    pub fn list_all(&self, query: &ListRefunds) -> BoxStream<'static, Result<Refund, Error>> {
        self.client
            .stream_list("/v1/refunds".into(), "refunds", to_query(query))
    }
}
