//! Shipping rates (reference §3.11, §4.13). Updates use PUT; the GET path is inferred [I].

use serde_json::json;

use crate::models::{Metadata, Timestamp, handle, input, model};
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
}
