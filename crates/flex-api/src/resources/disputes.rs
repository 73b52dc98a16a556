//! Disputes (reference §3.13, §4.15): evidence updates use POST; close is irreversible.

use futures::stream::BoxStream;
use serde_json::json;

use crate::models::{Metadata, Timestamp, handle, input, list_query, model, to_query};
use crate::page::Page;
use crate::resources::balance_transactions::BalanceTransaction;
use crate::{Error, Request, path_segment};

model! {
    /// Evidence deadlines and state.
    pub struct EvidenceDetails {
        /// Deadline.
        due_by: Timestamp,
        /// Evidence was given.
        has_evidence: bool,
        /// Deadline passed.
        past_due: bool,
        /// Submissions made.
        submission_count: u32,
    }
}

model! {
    /// A dispute (chargeback).
    pub struct Dispute {
        id: dispute_id,
        /// Disputed payment intent.
        payment_intent_id: String,
        /// Cents.
        amount: i64,
        /// `usd`.
        currency: String,
        /// Stripe charge.
        charge_id: String,
        /// Metadata.
        metadata: Metadata,
        /// When created.
        created_at: Timestamp,
        /// `needs_response`, `under_review`, `won`, `lost`, …
        status: String,
        /// `fraudulent`, `duplicate`, …
        reason: String,
        /// Charge can still be refunded.
        is_charge_refundable: bool,
        /// Evidence fields (27 strings; file fields hold file IDs).
        evidence: serde_json::Map<String, serde_json::Value>,
        /// Deadlines.
        evidence_details: EvidenceDetails,
        /// Related balance transactions.
        balance_transactions: Vec<BalanceTransaction>,
        /// Card details.
        payment_method_details: serde_json::Value,
        /// Test or live.
        test_mode: bool,
        /// Merchant reference.
        client_reference_id: String,
        /// Stripe dispute.
        stripe_dispute_id: String,
    }
}

input! {
    /// Body of `POST /v1/disputes/{id}` (sent as `{"dispute":{…}}`).
    pub struct UpdateDispute {
        /// Evidence fields, e.g. `{"uncategorized_text": "…"}`.
        evidence: Option<serde_json::Map<String, serde_json::Value>>,
        /// Submit the evidence now (not reversible).
        submit: Option<bool>,
        /// Metadata.
        metadata: Option<Metadata>,
    }
}

list_query! {
    /// Query of `GET /v1/disputes`.
    pub struct ListDisputes {}
}

handle!(
    /// `client.disputes()`.
    Disputes, disputes
);

impl Disputes<'_> {
    /// `GET /v1/disputes/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<Dispute, Error> {
        let req = Request::get(format!("/v1/disputes/{}", path_segment(id)));
        self.client.fetch_one(req, "dispute").await
    }

    /// `POST /v1/disputes/{id}`: update evidence, optionally submit.
    pub async fn update(&self, id: &str, body: &UpdateDispute) -> Result<Dispute, Error> {
        let req = Request::post(format!("/v1/disputes/{}", path_segment(id)))
            .json(json!({ "dispute": body }));
        self.client.fetch_one(self.write(req), "dispute").await
    }

    /// `POST /v1/disputes/{id}/close`: accept the dispute and forfeit the funds. Irreversible.
    pub async fn close(&self, id: &str) -> Result<Dispute, Error> {
        let req = Request::post(format!("/v1/disputes/{}/close", path_segment(id)));
        self.client.fetch_one(self.write(req), "dispute").await
    }

    /// `GET /v1/disputes`: one page.
    pub async fn list(&self, query: &ListDisputes) -> Result<Page<Dispute>, Error> {
        let req = Request::get("/v1/disputes").query_pairs(to_query(query));
        self.client.fetch_page(req, "disputes").await
    }

    /// `GET /v1/disputes`: every page.
    pub fn list_all(&self, query: &ListDisputes) -> BoxStream<'static, Result<Dispute, Error>> {
        self.client
            .stream_list("/v1/disputes".into(), "disputes", to_query(query))
    }
}
