//! Prices (reference §3.2, §4.2). Updates use POST, not PATCH.

use futures::stream::BoxStream;
use serde_json::json;

use crate::models::{
    Expand, Expandable, Metadata, Timestamp, handle, input, list_query, model, to_query,
};
use crate::page::Page;
use crate::resources::products::Product;
use crate::{Error, Request, path_segment};

model! {
    /// Recurring terms of a price (`interval`: `daily`/`day`, `month`, … as Flex sends them).
    pub struct Recurring {
        /// Interval unit.
        interval: String,
        /// Intervals per period.
        interval_count: u32,
        /// Trial length.
        trial_period_days: u32,
    }
}

model! {
    /// A price of a product, in integer cents.
    pub struct Price {
        id: price_id,
        /// Description.
        description: String,
        /// Amount in cents.
        unit_amount: i64,
        /// Trial length.
        trial_period_days: u32,
        /// Recurring terms; absent for one-time prices.
        recurring: Recurring,
        /// Whether it can be used.
        active: bool,
        /// Product ID, or the product with `expand_product`.
        product: Expandable<Product>,
        /// When created.
        created_at: Timestamp,
        /// `one_time`, `recurring`, …
        #[serde(rename = "type")]
        kind: String,
        /// Metadata.
        metadata: Metadata,
        /// Derived from the product.
        hsa_fsa_eligibility: String,
        /// Test or live.
        test_mode: bool,
    }
}

input! {
    /// Recurring terms in a request.
    pub struct RecurringInput {
        /// `daily`, `month`, …
        interval: Option<String>,
        /// Intervals per period.
        interval_count: Option<u32>,
        /// Trial length.
        trial_period_days: Option<u32>,
    }
}

input! {
    /// Body of `POST /v1/prices` (sent as `{"price":{…}}`).
    pub struct CreatePrice {
        /// Product ID (`fprod_…`). Required.
        product: String,
        /// Amount in cents.
        unit_amount: Option<i64>,
        /// Description.
        description: Option<String>,
        /// Makes the price recurring.
        recurring: Option<RecurringInput>,
        /// Trial length.
        trial_period_days: Option<u32>,
        /// Metadata.
        metadata: Option<Metadata>,
    }
}

input! {
    /// Body of `POST /v1/prices/{id}` (sent as `{"price":{…}}`).
    pub struct UpdatePrice {
        /// Description.
        description: Option<String>,
        /// Active flag.
        active: Option<bool>,
    }
}

list_query! {
    /// Query of `GET /v1/prices`.
    pub struct ListPrices {
        /// Objects to skip.
        offset: Option<u32>,
        /// Only active / inactive.
        active: Option<bool>,
        /// Only this product's prices.
        product: Option<String>,
        /// Expand `product`.
        expand_product: Option<bool>,
    }
}

handle!(
    /// `client.prices()`.
    Prices, prices
);

impl Prices<'_> {
    /// `POST /v1/prices`.
    pub async fn create(&self, body: &CreatePrice) -> Result<Price, Error> {
        let req = Request::post("/v1/prices").json(json!({ "price": body }));
        self.client.fetch_one(self.write(req), "price").await
    }

    /// `GET /v1/prices/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<Price, Error> {
        self.retrieve_with(id, &Expand::default()).await
    }

    /// `GET /v1/prices/{id}?expand_product=…`.
    pub async fn retrieve_with(&self, id: &str, expand: &Expand) -> Result<Price, Error> {
        let req =
            Request::get(format!("/v1/prices/{}", path_segment(id))).query_pairs(to_query(expand));
        self.client.fetch_one(req, "price").await
    }

    /// `POST /v1/prices/{id}` (Flex's update method for prices).
    pub async fn update(&self, id: &str, body: &UpdatePrice) -> Result<Price, Error> {
        let req = Request::post(format!("/v1/prices/{}", path_segment(id)))
            .json(json!({ "price": body }));
        self.client.fetch_one(self.write(req), "price").await
    }

    /// `GET /v1/prices`: one page.
    pub async fn list(&self, query: &ListPrices) -> Result<Page<Price>, Error> {
        let req = Request::get("/v1/prices").query_pairs(to_query(query));
        self.client.fetch_page(req, "prices").await
    }

    /// `GET /v1/prices`: every page.
    pub fn list_all(&self, query: &ListPrices) -> BoxStream<'static, Result<Price, Error>> {
        self.client
            .stream_list("/v1/prices".into(), "prices", to_query(query))
    }
}
