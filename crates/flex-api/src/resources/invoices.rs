//! Invoices (reference §3.9, §4.11): read only.

use futures::stream::BoxStream;

use crate::models::{Expandable, Metadata, Timestamp, handle, list_query, model, to_query};
use crate::page::Page;
use crate::resources::customers::Customer;
use crate::resources::payment_intents::PaymentIntent;
use crate::resources::subscriptions::Subscription;
use crate::{Error, Request, path_segment};

model! {
    /// An invoice (subscriptions).
    pub struct Invoice {
        id: invoice_id,
        /// Total, in cents.
        total: i64,
        /// Due, in cents.
        amount_due: i64,
        /// Paid, in cents.
        amount_paid: i64,
        /// Payment intent.
        payment_intent: Expandable<PaymentIntent>,
        /// Stripe charge.
        charge: String,
        /// Customer.
        customer: Expandable<Customer>,
        /// Period start.
        period_start: Timestamp,
        /// Period end.
        period_end: Timestamp,
        /// Subscription.
        subscription: Expandable<Subscription>,
        /// `draft`, `open`, `paid`, …
        status: String,
        /// `charge_automatically`, …
        collection_method: String,
        /// Test or live.
        test_mode: bool,
        /// Metadata.
        metadata: Metadata,
        /// When created.
        created_at: Timestamp,
    }
}

list_query! {
    /// Query of `GET /v1/invoices`.
    pub struct ListInvoices {
        /// Only this customer's.
        customer: Option<String>,
    }
}

handle!(
    /// `client.invoices()`.
    Invoices, invoices
);

impl Invoices<'_> {
    /// `GET /v1/invoices/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<Invoice, Error> {
        let req = Request::get(format!("/v1/invoices/{}", path_segment(id)));
        self.client.fetch_one(req, "invoice").await
    }

    /// `GET /v1/invoices`: one page.
    pub async fn list(&self, query: &ListInvoices) -> Result<Page<Invoice>, Error> {
        let req = Request::get("/v1/invoices").query_pairs(to_query(query));
        self.client.fetch_page(req, "invoices").await
    }

    /// `GET /v1/invoices`: every page.
    pub fn list_all(&self, query: &ListInvoices) -> BoxStream<'static, Result<Invoice, Error>> {
        self.client
            .stream_list("/v1/invoices".into(), "invoices", to_query(query))
    }
}
