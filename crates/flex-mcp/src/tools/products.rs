//! Products and prices (`/v1/products`, `/v1/prices`).
//!
//! Products carry the HSA/FSA eligibility Flex decides; prices put an amount on a product.
//! Neither can be deleted: retire them with `active: false`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::args::{Cents, IdempotencyKey, Limit, Metadata, PriceId, ProductId};
use super::out::{IdRef, Page, Timestamp, projection};
use super::rest::{input, key, page_view, query, view};
use super::{Kind, ToolCtx, ToolDef, ToolError, schema_in, schema_out, tool};
use crate::groups::Group;

projection!(
    /// A product, trimmed.
    ProductOut = "products", product_id from flex_api::Product {
    /// Product id (`fprod_…`).
    product_id: String,
    /// Name shown to buyers.
    name: String,
    /// Longer description.
    description: String,
    /// False once retired.
    active: bool,
    /// HSA/FSA eligibility Flex decided: `not_eligible`, `auto_substantiation`,
    /// `private_label`, `vision`, `prescription`, `letter_of_medical_necessity`, ….
    hsa_fsa_eligibility: String,
    /// UPC barcode, if given.
    upc_code: String,
    /// GTIN, if given.
    gtin: String,
    /// Product page URL.
    url: String,
    /// The merchant's own reference.
    client_reference_id: String,
    /// Visit type for LMN products (e.g. `gym`).
    visit_type: String,
    /// Merchant metadata.
    metadata: Metadata,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

projection!(
    /// Recurring terms of a price.
    Recurring from flex_api::Recurring {
    /// Billing interval (`daily`, `weekly`, `monthly`, `yearly`).
    interval: String,
    /// Number of intervals between charges.
    interval_count: i64,
    /// Free trial length in days.
    trial_period_days: i64,
});

projection!(
    /// A price, trimmed.
    PriceOut = "prices", price_id from flex_api::Price {
    /// Price id (`fprice_…`).
    price_id: String,
    /// The product it prices (`fprod_…`).
    product: IdRef,
    /// Amount in integer cents USD (4999 = $49.99).
    unit_amount: i64,
    /// `one_time` or `recurring`.
    r#type: String = price_type,
    /// Present for subscription prices.
    recurring: Recurring,
    /// False once retired.
    active: bool,
    /// Description.
    description: String,
    /// Eligibility inherited from the product.
    hsa_fsa_eligibility: String,
    /// Merchant metadata.
    metadata: Metadata,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

/// `one_time` or `recurring` (Flex's `type`).
fn price_type(p: &flex_api::Price) -> Option<String> {
    p.kind.clone()
}

/// Arguments of `list_products`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListProducts {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<ProductId>,
    /// Cursor for the previous page: a product id (`fprod_…`); returns the products just before it.
    ending_before: Option<ProductId>,
    /// Only active (true) or only retired (false) products. Omit for both.
    active: Option<bool>,
    /// Only products with this merchant reference (exact match).
    client_reference_id: Option<String>,
    /// Only products whose metadata has all these key/value pairs (exact match, AND-ed).
    metadata: Option<Metadata>,
}

async fn list_products(ctx: ToolCtx, a: ListProducts) -> Result<Value, ToolError> {
    let page = ctx.api.products().list(&query(&a, &[])?).await?;
    Ok(page_view::<ProductOut, _>(&page))
}

/// Arguments of `get_product`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetProduct {
    /// Product id (`fprod_…`).
    product_id: ProductId,
}

async fn get_product(ctx: ToolCtx, a: GetProduct) -> Result<Value, ToolError> {
    let product = ctx.api.products().retrieve(&a.product_id.0).await?;
    Ok(view::<ProductOut, _>(&product))
}

/// Arguments of `create_product`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateProduct {
    /// Name shown to buyers (required; cannot be changed later).
    name: String,
    /// Longer description shown at checkout.
    description: Option<String>,
    /// UPC barcode (12 digits). With a UPC or GTIN, Flex checks the SIGIS eligible-product list.
    upc_code: Option<String>,
    /// GTIN (8, 12, 13 or 14 digits); helps Flex decide eligibility.
    gtin: Option<String>,
    /// GTIN of a reference product this one is equivalent to.
    reference_gtin: Option<String>,
    /// Public product page URL (https://…).
    url: Option<String>,
    /// The merchant's own reference (e.g. a SKU or a Shopify product id).
    client_reference_id: Option<String>,
    /// Image URLs (https://…).
    image_urls: Option<Vec<String>>,
    /// Category names, free text.
    categories: Option<Vec<String>>,
    /// Merchant metadata.
    metadata: Option<Metadata>,
    /// Reuse on a retry: never a duplicate.
    idempotency_key: Option<IdempotencyKey>,
}

async fn create_product(ctx: ToolCtx, a: CreateProduct) -> Result<Value, ToolError> {
    if a.name.trim().is_empty() {
        return Err(ToolError::field(
            "name",
            "must not be empty: give the product's name",
        ));
    }
    let product = ctx
        .api
        .products()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .create(&input(&a, &[])?)
        .await?;
    Ok(view::<ProductOut, _>(&product))
}

/// Arguments of `update_product`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateProduct {
    /// Product id (`fprod_…`).
    product_id: ProductId,
    /// New description.
    description: Option<String>,
    /// New UPC barcode.
    upc_code: Option<String>,
    /// New GTIN.
    gtin: Option<String>,
    /// New reference GTIN.
    reference_gtin: Option<String>,
    /// New product page URL.
    url: Option<String>,
    /// false retires the product (it can no longer be sold); true re-activates it.
    active: Option<bool>,
    /// Replaces the metadata.
    metadata: Option<Metadata>,
    /// Replaces the category names.
    categories: Option<Vec<String>>,
    /// Reuse on a retry: applied once.
    idempotency_key: Option<IdempotencyKey>,
}

async fn update_product(ctx: ToolCtx, a: UpdateProduct) -> Result<Value, ToolError> {
    let product = ctx
        .api
        .products()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .update(&a.product_id.0, &input(&a, &["product_id"])?)
        .await?;
    Ok(view::<ProductOut, _>(&product))
}

/// Arguments of `list_prices`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListPrices {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<PriceId>,
    /// Cursor for the previous page.
    ending_before: Option<PriceId>,
    /// Only prices of this product (`fprod_…`).
    product: Option<ProductId>,
    /// Only active (true) or only retired (false) prices.
    active: Option<bool>,
}

async fn list_prices(ctx: ToolCtx, a: ListPrices) -> Result<Value, ToolError> {
    let page = ctx.api.prices().list(&query(&a, &[])?).await?;
    Ok(page_view::<PriceOut, _>(&page))
}

/// Arguments of `get_price`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetPrice {
    /// Price id (`fprice_…`).
    price_id: PriceId,
}

async fn get_price(ctx: ToolCtx, a: GetPrice) -> Result<Value, ToolError> {
    let price = ctx.api.prices().retrieve(&a.price_id.0).await?;
    Ok(view::<PriceOut, _>(&price))
}

/// Billing interval of a recurring price.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Interval {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// Recurring terms for a subscription price.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecurringArgs {
    /// Billing interval: `daily`, `weekly`, `monthly` or `yearly`.
    interval: Interval,
    /// Intervals between charges, 1–12 (default 1; 3 with `monthly` = quarterly).
    #[schemars(range(min = 1, max = 12))]
    interval_count: Option<u8>,
    /// Free trial in days before the first charge, 0–730.
    #[schemars(range(max = 730))]
    trial_period_days: Option<u16>,
}

/// Arguments of `create_price`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreatePrice {
    /// The product to price (`fprod_…`).
    product: ProductId,
    /// Amount in integer cents USD, at least 1 (4999 = $49.99).
    unit_amount: Cents,
    /// Set for a subscription price; omit for a one-time price.
    recurring: Option<RecurringArgs>,
    /// Description shown at checkout.
    description: Option<String>,
    /// Merchant metadata.
    metadata: Option<Metadata>,
    /// Reuse on a retry: never a duplicate.
    idempotency_key: Option<IdempotencyKey>,
}

async fn create_price(ctx: ToolCtx, a: CreatePrice) -> Result<Value, ToolError> {
    if let Some(r) = &a.recurring {
        if r.interval_count.is_some_and(|n| !(1..=12).contains(&n)) {
            return Err(ToolError::field(
                "recurring.interval_count",
                "must be between 1 and 12",
            ));
        }
        if r.trial_period_days.is_some_and(|d| d > 730) {
            return Err(ToolError::field(
                "recurring.trial_period_days",
                "must be between 0 and 730 days",
            ));
        }
    }
    let price = ctx
        .api
        .prices()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .create(&input(&a, &[])?)
        .await?;
    Ok(view::<PriceOut, _>(&price))
}

/// Arguments of `update_price`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdatePrice {
    /// Price id (`fprice_…`).
    price_id: PriceId,
    /// New description.
    description: Option<String>,
    /// false retires the price (no new checkouts with it); true re-activates it.
    active: Option<bool>,
    /// Reuse on a retry: applied once.
    idempotency_key: Option<IdempotencyKey>,
}

async fn update_price(ctx: ToolCtx, a: UpdatePrice) -> Result<Value, ToolError> {
    let price = ctx
        .api
        .prices()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .update(&a.price_id.0, &input(&a, &["price_id"])?)
        .await?;
    Ok(view::<PriceOut, _>(&price))
}

pub(super) const TOOLS: &[ToolDef] = &[
    tool!(list_products {
        group: Group::Catalogue,
        title: "List products",
        description: "List the merchant's products, newest first, with their HSA/FSA eligibility. \
Use it to find a product id (`fprod_…`) by name, reference or metadata. Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListProducts>,
        output_schema: schema_out::<Page<ProductOut>>,
    }),
    tool!(get_product {
        group: Group::Catalogue,
        title: "Get product",
        description: "Get one product by id (`fprod_…`): name, active flag, HSA/FSA eligibility \
Flex decided, UPC/GTIN and metadata. Read-only. To see its prices call `list_prices` with \
`product`.",
        kind: Kind::Read,
        input_schema: schema_in::<GetProduct>,
        output_schema: schema_out::<ProductOut>,
    }),
    tool!(create_product {
        group: Group::Catalogue,
        title: "Create product",
        description: "Create a product. Flex then decides its HSA/FSA eligibility: give a UPC or \
GTIN so Flex can check the SIGIS list, otherwise it starts as `not_eligible`. Creates a new object \
each call (pass `idempotency_key` to retry safely); no money moves. Products cannot be deleted \
(retire with `update_product` active=false) and the name cannot be changed. Next: `create_price` to \
give it an amount.",
        kind: Kind::Create,
        input_schema: schema_in::<CreateProduct>,
        output_schema: schema_out::<ProductOut>,
    }),
    tool!(update_product {
        group: Group::Catalogue,
        title: "Update product",
        description: "Change a product (`fprod_…`): description, UPC/GTIN, URL, categories, \
metadata, or `active` (false retires it). Only the fields given change; the name cannot. No money \
moves.",
        kind: Kind::Update,
        input_schema: schema_in::<UpdateProduct>,
        output_schema: schema_out::<ProductOut>,
    }),
    tool!(list_prices {
        group: Group::Catalogue,
        title: "List prices",
        description: "List prices (`fprice_…`), newest first, optionally of one product. Amounts \
are integer cents USD. Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListPrices>,
        output_schema: schema_out::<Page<PriceOut>>,
    }),
    tool!(get_price {
        group: Group::Catalogue,
        title: "Get price",
        description: "Get one price by id (`fprice_…`): amount in integer cents USD, one-time or \
recurring terms, its product (`fprod_…`). Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<GetPrice>,
        output_schema: schema_out::<PriceOut>,
    }),
    tool!(create_price {
        group: Group::Catalogue,
        title: "Create price",
        description: "Create a one-time or recurring price for a product (`fprod_…`). \
`unit_amount` is integer cents USD (4999 = $49.99). Add `recurring` for a subscription price. \
Creates a new object each call (pass `idempotency_key` to retry safely); no money moves. Next: use \
the price id (`fprice_…`) in `create_checkout_session` or `create_payment_link` line items.",
        kind: Kind::Create,
        input_schema: schema_in::<CreatePrice>,
        output_schema: schema_out::<PriceOut>,
    }),
    tool!(update_price {
        group: Group::Catalogue,
        title: "Update price",
        description: "Change a price's description or `active` flag (false stops new checkouts \
with it). The amount cannot change: create a new price instead. No money moves.",
        kind: Kind::Update,
        input_schema: schema_in::<UpdatePrice>,
        output_schema: schema_out::<PriceOut>,
    }),
];
