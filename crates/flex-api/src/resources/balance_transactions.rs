//! Balance transactions (reference §3.12, §4.14): money movements, e.g. inside a payout.

use futures::stream::BoxStream;

use crate::models::{Timestamp, handle, list_query, model, to_query};
use crate::page::Page;
use crate::{Error, Request};

model! {
    /// A balance transaction, in cents.
    pub struct BalanceTransaction {
        id: balance_transaction_id,
        /// Gross, in cents.
        amount: i64,
        /// Fee, in cents.
        fee: i64,
        /// Net, in cents.
        net: i64,
        /// `available`, `pending`.
        status: String,
        /// Test or live.
        test_mode: bool,
        /// When funds become available.
        available_on: Timestamp,
        /// When created.
        created_at: Timestamp,
        /// Exchange rate.
        exchange_rate: f64,
        /// Reporting category.
        reporting_category: String,
        /// Checkout session.
        checkout_session_id: String,
        /// Merchant reference.
        client_reference_id: String,
        /// Source object.
        source_id: String,
        /// Kind.
        #[serde(rename = "type")]
        kind: String,
        /// Flex payment intent.
        flex_payment_intent_id: String,
    }
}

list_query! {
    /// Query of `GET /v1/balance_transactions`.
    pub struct ListBalanceTransactions {
        /// One transaction.
        balance_transaction_id: Option<String>,
        /// The entries of one payout.
        payout_id: Option<String>,
    }
}

handle!(
    /// `client.balance_transactions()`.
    BalanceTransactions, balance_transactions
);

impl BalanceTransactions<'_> {
    /// `GET /v1/balance_transactions`: one page.
    pub async fn list(
        &self,
        query: &ListBalanceTransactions,
    ) -> Result<Page<BalanceTransaction>, Error> {
        let req = Request::get("/v1/balance_transactions").query_pairs(to_query(query));
        self.client.fetch_page(req, "balance_transactions").await
    }

    /// `GET /v1/balance_transactions`: every page.
    pub fn list_all(
        &self,
        query: &ListBalanceTransactions,
    ) -> BoxStream<'static, Result<BalanceTransaction, Error>> {
        self.client.stream_list(
            "/v1/balance_transactions".into(),
            "balance_transactions",
            to_query(query),
        )
    }
}
