//! Coupons (reference §3.10, §4.12). The list endpoint is inferred (I).

use futures::stream::BoxStream;
use serde_json::json;

use crate::models::{Metadata, Timestamp, handle, input, list_query, model, to_query};
use crate::page::Page;
use crate::{Error, Request, path_segment};

model! {
    /// Which products a coupon applies to.
    pub struct AppliesTo {
        /// Product IDs.
        products: Vec<String>,
    }
}

model! {
    /// A coupon: an amount (cents) or a percentage off.
    pub struct Coupon {
        id: coupon_id,
        /// Name.
        name: String,
        /// Cents off.
        amount_off: i64,
        /// Percent off (0 < x ≤ 100).
        percent_off: f64,
        /// `once`, `repeating`, `forever`.
        duration: String,
        /// Months, when repeating.
        duration_in_months: u32,
        /// Restriction to products.
        applies_to: AppliesTo,
        /// Maximum redemptions.
        max_redemptions: u32,
        /// Times redeemed.
        times_redeemed: u32,
        /// Still usable.
        valid: bool,
        /// Metadata.
        metadata: Metadata,
        /// When created.
        created_at: Timestamp,
        /// Test or live.
        test_mode: bool,
    }
}

input! {
    /// Products a new coupon applies to.
    pub struct AppliesToInput {
        /// Product IDs.
        products: Vec<String>,
    }
}

input! {
    /// Body of `POST /v1/coupons` (sent as `{"coupon":{…}}`). One of `amount_off`/`percent_off`.
    pub struct CreateCoupon {
        /// Name.
        name: Option<String>,
        /// Restriction to products.
        applies_to: Option<AppliesToInput>,
        /// Cents off.
        amount_off: Option<i64>,
        /// Percent off.
        percent_off: Option<f64>,
        /// `once`, `repeating`, `forever`.
        duration: Option<String>,
        /// Required iff `repeating`.
        duration_in_months: Option<u32>,
        /// Maximum redemptions.
        max_redemptions: Option<u32>,
        /// Metadata.
        metadata: Option<Metadata>,
    }
}

list_query! {
    /// Query of `GET /v1/coupons` (I).
    pub struct ListCoupons {}
}

handle!(
    /// `client.coupons()`.
    Coupons, coupons
);

impl Coupons<'_> {
    /// `POST /v1/coupons`.
    pub async fn create(&self, body: &CreateCoupon) -> Result<Coupon, Error> {
        let req = Request::post("/v1/coupons").json(json!({ "coupon": body }));
        self.client.fetch_one(self.write(req), "coupon").await
    }

    /// `GET /v1/coupons/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<Coupon, Error> {
        let req = Request::get(format!("/v1/coupons/{}", path_segment(id)));
        self.client.fetch_one(req, "coupon").await
    }

    /// `GET /v1/coupons`: one page.
    pub async fn list(&self, query: &ListCoupons) -> Result<Page<Coupon>, Error> {
        let req = Request::get("/v1/coupons").query_pairs(to_query(query));
        self.client.fetch_page(req, "coupons").await
    }

    /// `GET /v1/coupons`: every page.
    pub fn list_all(&self, query: &ListCoupons) -> BoxStream<'static, Result<Coupon, Error>> {
        self.client
            .stream_list("/v1/coupons".into(), "coupons", to_query(query))
    }
}
