//! Subscriptions (reference §3.8, §4.9, §4.10). Two documented exceptions live here: the cancel
//! (DELETE) body is *not* wrapped, and the refund preview answers a bare object.

use futures::stream::BoxStream;
use serde_json::json;

use crate::models::{
    Expand, Expandable, Metadata, Timestamp, handle, input, list_query, model, to_query,
};
use crate::page::Page;
use crate::resources::customers::Customer;
use crate::resources::invoices::Invoice;
use crate::resources::prices::Price;
use crate::{Error, Request, path_segment};

model! {
    /// One item of a subscription.
    pub struct SubscriptionItem {
        id: subscription_item_id,
        /// The price (expanded in older docs).
        price: Expandable<Price>,
        /// Quantity.
        quantity: u32,
        /// When created.
        created_at: Timestamp,
        /// When updated.
        updated_at: Timestamp,
        /// Test or live.
        test_mode: bool,
    }
}

model! {
    /// A subscription.
    pub struct Subscription {
        id: subscription_id,
        /// When created.
        created_at: Timestamp,
        /// Items.
        items: Vec<SubscriptionItem>,
        /// Latest invoice.
        latest_invoice: Expandable<Invoice>,
        /// Customer.
        customer: Expandable<Customer>,
        /// `incomplete`, `trialing`, `active`, `past_due`, `canceled`, …
        status: String,
        /// Ends at period end.
        cancel_at_period_end: bool,
        /// Current period start.
        current_period_start: Timestamp,
        /// Current period end.
        current_period_end: Timestamp,
        /// Metadata.
        metadata: Metadata,
        /// Test or live.
        test_mode: bool,
        /// Client secrets.
        client_secret: serde_json::Value,
        /// Proration behavior.
        proration_behavior: String,
        /// Trial start.
        trial_start: Timestamp,
        /// Trial end.
        trial_end: Timestamp,
        /// Scheduled cancel time.
        cancel_at: Timestamp,
        /// Default payment method.
        default_payment_method: String,
    }
}

model! {
    /// Bare answer of `GET /v1/subscriptions/{id}/refund_preview`.
    pub struct RefundPreview {
        /// Prorated refundable amount for the remaining period, in cents.
        prorated_amount_available_to_refund: i64,
        /// Paid on the latest invoice, in cents.
        invoice_amount_paid: i64,
        /// Period start.
        current_period_start: Timestamp,
        /// Period end.
        current_period_end: Timestamp,
        /// Payment method.
        payment_method_id: String,
        /// Last four digits.
        last4: String,
    }
}

input! {
    /// A subscription item in a request.
    pub struct SubscriptionItemInput {
        /// Price ID.
        price: Option<String>,
        /// Quantity.
        quantity: Option<u32>,
    }
}

input! {
    /// Body of `POST /v1/subscriptions` (sent as `{"subscription":{…}}`; body is undocumented).
    pub struct CreateSubscription {
        /// Customer ID.
        customer: Option<String>,
        /// Items.
        items: Vec<SubscriptionItemInput>,
        /// Payment method.
        default_payment_method: Option<String>,
        /// Trial end (ISO-8601).
        trial_end: Option<String>,
        /// Coupon ID.
        coupon: Option<String>,
        /// Metadata.
        metadata: Option<Metadata>,
        /// Proration behavior.
        proration_behavior: Option<String>,
    }
}

input! {
    /// Body of `PATCH /v1/subscriptions/{id}` (sent as `{"subscription":{…}}`).
    pub struct UpdateSubscription {
        /// End at period end.
        cancel_at_period_end: Option<bool>,
        /// Trial end (ISO-8601).
        trial_end: Option<String>,
        /// Items.
        items: Vec<SubscriptionItemInput>,
        /// Proration behavior.
        proration_behavior: Option<String>,
        /// Cancel at (ISO-8601).
        cancel_at: Option<String>,
        /// Metadata.
        metadata: Option<Metadata>,
        /// Coupon ID.
        coupon: Option<String>,
    }
}

input! {
    /// Body of `DELETE /v1/subscriptions/{id}`, sent **unwrapped** as documented.
    pub struct CancelSubscription {
        /// End at period end instead of now.
        cancel_at_period_end: Option<bool>,
        /// `none`, `prorated`, …
        refund: Option<String>,
        /// Custom refund, in cents.
        refund_amount: Option<i64>,
    }
}

list_query! {
    /// Query of `GET /v1/subscriptions`.
    pub struct ListSubscriptions {
        /// Objects to skip.
        offset: Option<u32>,
        /// Only this customer's.
        customer: Option<String>,
        /// Expand `customer`.
        expand_customer: Option<bool>,
        /// Only this status.
        status: Option<String>,
        /// Expand list.
        expand: Option<String>,
    }
}

handle!(
    /// `client.subscriptions()`.
    Subscriptions, subscriptions
);

fn sub_path(id: &str, rest: &str) -> String {
    format!("/v1/subscriptions/{}{rest}", path_segment(id))
}

impl Subscriptions<'_> {
    /// `POST /v1/subscriptions`.
    pub async fn create(&self, body: &CreateSubscription) -> Result<Subscription, Error> {
        let req = Request::post("/v1/subscriptions").json(json!({ "subscription": body }));
        self.client.fetch_one(self.write(req), "subscription").await
    }

    /// `GET /v1/subscriptions/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<Subscription, Error> {
        self.retrieve_with(id, &Expand::default()).await
    }

    /// `GET /v1/subscriptions/{id}` with expansion.
    pub async fn retrieve_with(&self, id: &str, expand: &Expand) -> Result<Subscription, Error> {
        let req = Request::get(sub_path(id, "")).query_pairs(to_query(expand));
        self.client.fetch_one(req, "subscription").await
    }

    /// `PATCH /v1/subscriptions/{id}`.
    pub async fn update(&self, id: &str, body: &UpdateSubscription) -> Result<Subscription, Error> {
        let req = Request::patch(sub_path(id, "")).json(json!({ "subscription": body }));
        self.client.fetch_one(self.write(req), "subscription").await
    }

    /// `DELETE /v1/subscriptions/{id}`: cancel now or at period end, optionally refunding.
    pub async fn cancel(&self, id: &str, body: &CancelSubscription) -> Result<Subscription, Error> {
        let mut req = Request::delete(sub_path(id, ""));
        if *body != CancelSubscription::default() {
            req = req.json(serde_json::to_value(body).unwrap_or_default());
        }
        self.client.fetch_one(self.write(req), "subscription").await
    }

    /// `GET /v1/subscriptions/{id}/refund_preview`: no side effects; bare object.
    pub async fn refund_preview(&self, id: &str) -> Result<RefundPreview, Error> {
        self.client
            .fetch_bare(Request::get(sub_path(id, "/refund_preview")))
            .await
    }

    /// `GET /v1/subscriptions`: one page.
    pub async fn list(&self, query: &ListSubscriptions) -> Result<Page<Subscription>, Error> {
        let req = Request::get("/v1/subscriptions").query_pairs(to_query(query));
        self.client.fetch_page(req, "subscriptions").await
    }

    /// `GET /v1/subscriptions`: every page.
    pub fn list_all(
        &self,
        query: &ListSubscriptions,
    ) -> BoxStream<'static, Result<Subscription, Error>> {
        self.client
            .stream_list("/v1/subscriptions".into(), "subscriptions", to_query(query))
    }
}
