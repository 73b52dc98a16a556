//! Payouts (reference §3.12, §4.14): transfers to the merchant's bank.

use futures::stream::BoxStream;

use crate::models::{Timestamp, handle, list_query, model, to_query};
use crate::page::Page;
use crate::{Error, Request};

model! {
    /// A payout, in cents.
    pub struct Payout {
        id: payout_id,
        /// `paid`, `in_transit`, `pending`, …
        status: String,
        /// Cents.
        amount: i64,
        /// Expected arrival.
        arrival_date: Timestamp,
        /// When created.
        created_at: Timestamp,
        /// e.g. `card`.
        source_type: String,
        /// Test or live.
        test_mode: bool,
    }
}

list_query! {
    /// Query of `GET /v1/payouts`.
    pub struct ListPayouts {
        /// One payout.
        payout_id: Option<String>,
        /// Created after (ISO-8601).
        start_date: Option<String>,
        /// Created before (ISO-8601).
        end_date: Option<String>,
    }
}

handle!(
    /// `client.payouts()`.
    Payouts, payouts
);

impl Payouts<'_> {
    /// `GET /v1/payouts`: one page.
    pub async fn list(&self, query: &ListPayouts) -> Result<Page<Payout>, Error> {
        let req = Request::get("/v1/payouts").query_pairs(to_query(query));
        self.client.fetch_page(req, "payouts").await
    }

    /// `GET /v1/payouts`: every page.
    pub fn list_all(&self, query: &ListPayouts) -> BoxStream<'static, Result<Payout, Error>> {
        self.client
            .stream_list("/v1/payouts".into(), "payouts", to_query(query))
    }
}
