//! Payment links (reference §3.15, §4.17): reusable checkout links.

use futures::stream::BoxStream;
use serde_json::json;

use crate::models::{Expandable, Metadata, Timestamp, handle, input, list_query, model, to_query};
use crate::page::Page;
use crate::resources::checkout_sessions::LineItemInput;
use crate::resources::prices::Price;
use crate::{Error, Request, path_segment};

model! {
    /// One line of a payment link: what it sells, how many.
    pub struct PaymentLinkLineItem {
        /// The price (an inline `price_data` becomes one).
        price: Expandable<Price>,
        /// Quantity.
        quantity: u32,
    }
}

model! {
    /// A payment link.
    pub struct PaymentLink {
        id: payment_link_id,
        /// Label.
        label: String,
        /// Usable.
        active: bool,
        /// Items, as given at creation.
        line_items: Vec<PaymentLinkLineItem>,
        /// Promotion codes allowed.
        allow_promotion_codes: bool,
        /// Collect a shipping address.
        shipping_address_collection: bool,
        /// Shipping option.
        shipping_options: serde_json::Value,
        /// Metadata.
        metadata: Metadata,
        /// The link to share.
        url: String,
        /// When created.
        created_at: Timestamp,
        /// Capture method and metadata of the intents.
        payment_intent_data: serde_json::Value,
        /// After-completion behaviour.
        after_completion: serde_json::Value,
        /// e.g. `shopify`.
        origin: String,
        /// Tax rate.
        tax_rate: serde_json::Value,
        /// Discounts.
        discounts: Vec<serde_json::Value>,
        /// `on_session`, `off_session`.
        setup_future_use: String,
        /// Test or live.
        test_mode: bool,
    }
}

input! {
    /// Body of `POST /v1/payment_links` (sent as `{"payment_link":{…}}`).
    pub struct CreatePaymentLink {
        /// Items.
        line_items: Vec<LineItemInput>,
        /// Label.
        label: Option<String>,
        /// Collect a shipping address.
        shipping_address_collection: Option<bool>,
        /// Shipping options.
        shipping_options: Option<serde_json::Value>,
        /// Metadata.
        metadata: Option<Metadata>,
        /// `{capture_method, metadata}`.
        payment_intent_data: Option<serde_json::Value>,
        /// `{type: redirect|hosted_confirmation, …}`.
        after_completion: Option<serde_json::Value>,
        /// Promotion codes allowed.
        allow_promotion_codes: Option<bool>,
        /// e.g. `shopify`.
        origin: Option<String>,
        /// `{amount}`.
        tax_rate: Option<serde_json::Value>,
        /// Discounts.
        discounts: Option<Vec<serde_json::Value>>,
        /// `payment`, …
        mode: Option<String>,
        /// `on_session`, …
        setup_future_use: Option<String>,
    }
}

list_query! {
    /// Query of `GET /v1/payment_links`.
    pub struct ListPaymentLinks {
        /// Deprecated by Flex in favour of cursors.
        offset: Option<u32>,
    }
}

handle!(
    /// `client.payment_links()`.
    PaymentLinks, payment_links
);

impl PaymentLinks<'_> {
    /// `POST /v1/payment_links`.
    pub async fn create(&self, body: &CreatePaymentLink) -> Result<PaymentLink, Error> {
        let req = Request::post("/v1/payment_links").json(json!({ "payment_link": body }));
        self.client.fetch_one(self.write(req), "payment_link").await
    }

    /// `GET /v1/payment_links/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<PaymentLink, Error> {
        let req = Request::get(format!("/v1/payment_links/{}", path_segment(id)));
        self.client.fetch_one(req, "payment_link").await
    }

    /// `GET /v1/payment_links`: one page.
    pub async fn list(&self, query: &ListPaymentLinks) -> Result<Page<PaymentLink>, Error> {
        let req = Request::get("/v1/payment_links").query_pairs(to_query(query));
        self.client.fetch_page(req, "payment_links").await
    }

    /// `GET /v1/payment_links`: every page.
    pub fn list_all(
        &self,
        query: &ListPaymentLinks,
    ) -> BoxStream<'static, Result<PaymentLink, Error>> {
        self.client
            .stream_list("/v1/payment_links".into(), "payment_links", to_query(query))
    }
}
