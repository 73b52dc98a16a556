//! Payment intents (reference §3.5, §4.5): created by checkout, never directly; cancel only.

use futures::stream::BoxStream;

use crate::models::{Expand, Expandable, Metadata, Timestamp, handle, list_query, model, to_query};
use crate::page::Page;
use crate::resources::customers::{Customer, PaymentMethod};
use crate::resources::invoices::Invoice;
use crate::{Error, Request, path_segment};

model! {
    /// A payment intent. Split carts have two per checkout session.
    pub struct PaymentIntent {
        id: payment_intent_id,
        /// Amount in cents.
        amount: i64,
        /// Still capturable, in cents.
        amount_capturable: i64,
        /// Received, in cents.
        amount_received: i64,
        /// Application fee, in cents.
        application_fee_amount: i64,
        /// Customer ID, or the customer with `expand_customer`.
        customer: Expandable<Customer>,
        /// Transfer data.
        transfer_data: serde_json::Value,
        /// `requires_payment_method`, `requires_capture`, `succeeded`, `canceled`, …
        status: String,
        /// Stripe charge ID.
        latest_charge: String,
        /// When created.
        created_at: Timestamp,
        /// Invoice.
        invoice: Expandable<Invoice>,
        /// `automatic` or `manual`.
        capture_method: String,
        /// Client secret.
        client_secret: String,
        /// Metadata.
        metadata: Metadata,
        /// Payment method.
        payment_method: Expandable<PaymentMethod>,
        /// Test or live.
        test_mode: bool,
        /// Transfer group.
        transfer_group: String,
        /// `primary`, … (split carts).
        payment_card_type: String,
        /// LMN fee in cents.
        letter_fee_amount: i64,
        /// Transaction fee in cents.
        transaction_fee: i64,
        /// Why the last attempt failed.
        last_payment_error: PaymentError,
    }
}

model! {
    /// Why a payment attempt failed.
    pub struct PaymentError {
        /// Error code, e.g. `card_declined`.
        code: String,
        /// The bank's decline code, e.g. `insufficient_funds`.
        decline_code: String,
        /// Message.
        message: String,
    }
}

list_query! {
    /// Query of `GET /v1/payment_intents`.
    pub struct ListPaymentIntents {
        /// Expand list, e.g. `customer`.
        expand: Option<String>,
        /// Expand `customer`.
        expand_customer: Option<bool>,
        /// Only the last N days.
        interval: Option<u32>,
        /// Only this customer's.
        customer: Option<String>,
        /// Only this checkout session's.
        checkout_session: Option<String>,
    }
}

handle!(
    /// `client.payment_intents()`.
    PaymentIntents, payment_intents
);

impl PaymentIntents<'_> {
    /// `GET /v1/payment_intents/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<PaymentIntent, Error> {
        self.retrieve_with(id, &Expand::default()).await
    }

    /// `GET /v1/payment_intents/{id}` with expansion.
    pub async fn retrieve_with(&self, id: &str, expand: &Expand) -> Result<PaymentIntent, Error> {
        let req = Request::get(format!("/v1/payment_intents/{}", path_segment(id)))
            .query_pairs(to_query(expand));
        self.client.fetch_one(req, "payment_intent").await
    }

    /// `POST /v1/payment_intents/{id}/cancel`.
    pub async fn cancel(&self, id: &str) -> Result<PaymentIntent, Error> {
        let req = Request::post(format!("/v1/payment_intents/{}/cancel", path_segment(id)));
        self.client
            .fetch_one(self.write(req), "payment_intent")
            .await
    }

    /// `GET /v1/payment_intents`: one page.
    pub async fn list(&self, query: &ListPaymentIntents) -> Result<Page<PaymentIntent>, Error> {
        let req = Request::get("/v1/payment_intents").query_pairs(to_query(query));
        self.client.fetch_page(req, "payment_intents").await
    }

    /// `GET /v1/payment_intents`: every page.
    pub fn list_all(
        &self,
        query: &ListPaymentIntents,
    ) -> BoxStream<'static, Result<PaymentIntent, Error>> {
        self.client.stream_list(
            "/v1/payment_intents".into(),
            "payment_intents",
            to_query(query),
        )
    }
}
