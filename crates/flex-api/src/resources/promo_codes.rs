//! Promo codes (reference §3.10, §4.12): customer-facing codes for a coupon.

use futures::stream::BoxStream;
use serde_json::json;

use crate::models::{Expandable, Metadata, Timestamp, handle, input, list_query, model, to_query};
use crate::page::Page;
use crate::resources::coupons::Coupon;
use crate::{Error, Request};

model! {
    /// A promo code.
    pub struct PromoCode {
        id: promo_code_id,
        /// The code buyers type.
        code: String,
        /// The coupon (embedded).
        coupon: Expandable<Coupon>,
        /// Maximum redemptions.
        max_redemptions: u32,
        /// Times redeemed.
        times_redeemed: u32,
        /// Restricted to this customer.
        customer: String,
        /// Usable.
        active: bool,
        /// Metadata.
        metadata: Metadata,
        /// When created.
        created_at: Timestamp,
        /// Test or live.
        test_mode: bool,
    }
}

input! {
    /// Body of `POST /v1/promo_codes` (sent as `{"promo_code":{…}}`).
    pub struct CreatePromoCode {
        /// Coupon ID. Required.
        coupon_id: String,
        /// The code. Required.
        code: String,
        /// Maximum redemptions.
        max_redemptions: Option<u32>,
        /// Restrict to one customer.
        customer: Option<String>,
        /// Metadata.
        metadata: Option<Metadata>,
    }
}

list_query! {
    /// Query of `GET /v1/promo_codes`.
    pub struct ListPromoCodes {
        /// Only active / inactive.
        active: Option<bool>,
    }
}

handle!(
    /// `client.promo_codes()`.
    PromoCodes, promo_codes
);

impl PromoCodes<'_> {
    /// `POST /v1/promo_codes`.
    pub async fn create(&self, body: &CreatePromoCode) -> Result<PromoCode, Error> {
        let req = Request::post("/v1/promo_codes").json(json!({ "promo_code": body }));
        self.client.fetch_one(self.write(req), "promo_code").await
    }

    /// `GET /v1/promo_codes`: one page.
    pub async fn list(&self, query: &ListPromoCodes) -> Result<Page<PromoCode>, Error> {
        let req = Request::get("/v1/promo_codes").query_pairs(to_query(query));
        self.client.fetch_page(req, "promo_codes").await
    }

    /// `GET /v1/promo_codes`: every page.
    pub fn list_all(&self, query: &ListPromoCodes) -> BoxStream<'static, Result<PromoCode, Error>> {
        self.client
            .stream_list("/v1/promo_codes".into(), "promo_codes", to_query(query))
    }
}
