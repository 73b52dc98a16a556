//! Shipping rates (reference §3.11, §4.13). Updates use PUT; the GET path is inferred (I), and
//! so is the list (§8 lists it among the endpoints the docs may have but we could not read).

use futures::stream::BoxStream;
use serde_json::json;

use crate::models::{Metadata, Timestamp, handle, input, list_query, model, to_query};
use crate::page::Page;
use crate::{Error, Request, path_segment};

model! {
    /// A shipping rate, in cents.
    pub struct ShippingRate {
        id: shipping_rate_id,
        /// Usable.
        active: bool,
        /// Shown to buyers.
        display_name: String,
        /// Cents.
        amount: i64,
        /// Metadata.
        metadata: Metadata,
        /// When created.
        created_at: Timestamp,
        /// Test or live.
        test_mode: bool,
    }
}

input! {
    /// Body of `POST /v1/shipping_rates` (sent as `{"shipping_rate":{…}}`).
    pub struct CreateShippingRate {
        /// Shown to buyers.
        display_name: Option<String>,
        /// Cents.
        amount: Option<i64>,
        /// Metadata.
        metadata: Option<Metadata>,
    }
}

input! {
    /// Body of `PUT /v1/shipping_rates/{id}` (sent as `{"shipping_rate":{…}}`).
    pub struct UpdateShippingRate {
        /// Metadata.
        metadata: Option<Metadata>,
        /// Usable.
        active: Option<bool>,
    }
}

list_query! {
    /// Query of `GET /v1/shipping_rates` (I).
    pub struct ListShippingRates {}
}

handle!(
    /// `client.shipping_rates()`.
    ShippingRates, shipping_rates
);

impl ShippingRates<'_> {
    /// `POST /v1/shipping_rates`.
    pub async fn create(&self, body: &CreateShippingRate) -> Result<ShippingRate, Error> {
        let req = Request::post("/v1/shipping_rates").json(json!({ "shipping_rate": body }));
        self.client
            .fetch_one(self.write(req), "shipping_rate")
            .await
    }

    /// `GET /v1/shipping_rates/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<ShippingRate, Error> {
        let req = Request::get(format!("/v1/shipping_rates/{}", path_segment(id)));
        self.client.fetch_one(req, "shipping_rate").await
    }

    /// `PUT /v1/shipping_rates/{id}`.
    pub async fn update(&self, id: &str, body: &UpdateShippingRate) -> Result<ShippingRate, Error> {
        let req = Request::put(format!("/v1/shipping_rates/{}", path_segment(id)))
            .json(json!({ "shipping_rate": body }));
        self.client
            .fetch_one(self.write(req), "shipping_rate")
            .await
    }

    /// `GET /v1/shipping_rates` (I): one page.
    pub async fn list(&self, query: &ListShippingRates) -> Result<Page<ShippingRate>, Error> {
        let req = Request::get("/v1/shipping_rates").query_pairs(to_query(query));
        self.client.fetch_page(req, "shipping_rates").await
    }

    /// `GET /v1/shipping_rates` (I): every page.
    pub fn list_all(
        &self,
        query: &ListShippingRates,
    ) -> BoxStream<'static, Result<ShippingRate, Error>> {
        self.client.stream_list(
            "/v1/shipping_rates".into(),
            "shipping_rates",
            to_query(query),
        )
    }
}
