//! Products (reference §3.1, §4.1). No DELETE: retire a product with `active: false`.

use std::collections::BTreeMap;

use futures::stream::BoxStream;
use serde_json::json;

use crate::models::{Metadata, Timestamp, handle, input, list_query, model, to_query};
use crate::page::Page;
use crate::{Error, Request, path_segment};

model! {
    /// A product; Flex decides its HSA/FSA eligibility.
    pub struct Product {
        id: product_id,
        /// Display name (immutable once created).
        name: String,
        /// Description.
        description: String,
        /// Description on documents (newer docs).
        document_description: String,
        /// Description on receipts (newer docs).
        receipt_description: String,
        /// When created.
        created_at: Timestamp,
        /// e.g. `cbtSleep`, `gym`.
        visit_type: String,
        /// False once retired.
        active: bool,
        /// UPC.
        upc_code: String,
        /// GTIN.
        gtin: String,
        /// Reference GTIN.
        reference_gtin: String,
        /// `not_eligible`, `auto_substantiation`, `private_label`, `vision`, `prescription`,
        /// `letter_of_medical_necessity`, … (kept as a string: Flex may add values).
        hsa_fsa_eligibility: String,
        /// Why (older docs).
        eligibility_rationale: String,
        /// Test or live object.
        test_mode: bool,
        /// Merchant metadata.
        metadata: Metadata,
        /// Product page.
        url: String,
        /// Merchant's own reference.
        client_reference_id: String,
        /// Image URLs.
        image_urls: Vec<String>,
        /// Categories.
        categories: Vec<serde_json::Value>,
    }
}

input! {
    /// Body of `POST /v1/products` (sent as `{"product":{…}}`).
    pub struct CreateProduct {
        /// Required.
        name: String,
        /// Description.
        description: Option<String>,
        /// UPC: lets Flex check the SIGIS list.
        upc_code: Option<String>,
        /// GTIN.
        gtin: Option<String>,
        /// Reference GTIN.
        reference_gtin: Option<String>,
        /// Product page.
        url: Option<String>,
        /// Merchant's own reference.
        client_reference_id: Option<String>,
        /// Metadata.
        metadata: Option<Metadata>,
        /// Image URLs.
        image_urls: Option<Vec<String>>,
        /// Categories.
        categories: Option<Vec<String>>,
        /// Components.
        components: Option<Vec<serde_json::Value>>,
    }
}

input! {
    /// Body of `PATCH /v1/products/{id}` (sent as `{"product":{…}}`). `name` cannot change.
    pub struct UpdateProduct {
        /// Description.
        description: Option<String>,
        /// UPC.
        upc_code: Option<String>,
        /// GTIN.
        gtin: Option<String>,
        /// Reference GTIN.
        reference_gtin: Option<String>,
        /// Product page.
        url: Option<String>,
        /// `false` retires the product.
        active: Option<bool>,
        /// Metadata.
        metadata: Option<Metadata>,
        /// Categories.
        categories: Option<Vec<String>>,
    }
}

list_query! {
    /// Query of `GET /v1/products` (newest first).
    pub struct ListProducts {
        /// Objects to skip.
        offset: Option<u32>,
        /// Only active / inactive.
        active: Option<bool>,
        /// Exact match.
        client_reference_id: Option<String>,
        /// `metadata[key]=value` filters, AND-ed.
        metadata: BTreeMap<String, String>,
    }
}

handle!(
    /// `client.products()`.
    Products, products
);

impl Products<'_> {
    /// `POST /v1/products`.
    pub async fn create(&self, body: &CreateProduct) -> Result<Product, Error> {
        let req = Request::post("/v1/products").json(json!({ "product": body }));
        self.client.fetch_one(self.write(req), "product").await
    }

    /// `GET /v1/products/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<Product, Error> {
        let req = Request::get(format!("/v1/products/{}", path_segment(id)));
        self.client.fetch_one(req, "product").await
    }

    /// `PATCH /v1/products/{id}`.
    pub async fn update(&self, id: &str, body: &UpdateProduct) -> Result<Product, Error> {
        let req = Request::patch(format!("/v1/products/{}", path_segment(id)))
            .json(json!({ "product": body }));
        self.client.fetch_one(self.write(req), "product").await
    }

    /// `GET /v1/products`: one page.
    pub async fn list(&self, query: &ListProducts) -> Result<Page<Product>, Error> {
        let req = Request::get("/v1/products").query_pairs(to_query(query));
        self.client.fetch_page(req, "products").await
    }

    /// `GET /v1/products`: every page, as a stream.
    pub fn list_all(&self, query: &ListProducts) -> BoxStream<'static, Result<Product, Error>> {
        self.client
            .stream_list("/v1/products".into(), "products", to_query(query))
    }
}
