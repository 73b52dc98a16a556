//! Recurring billing and pricing extras: subscriptions, invoices, coupons, promo codes and
//! shipping rates.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::args::{
    Cents, CouponId, CustomerId, IdempotencyKey, InvoiceId, Limit, Metadata, OpaqueId, PriceId,
    ProductId, PromoCodeId, SubscriptionId,
};
use super::out::{IdRef, Page, Timestamp, projection};
use super::rest::{input, key, page_view, query, view};
use super::{Kind, ToolCtx, ToolDef, ToolError, schema_in, schema_out, tool};
use crate::groups::Group;

projection!(
    /// One item of a subscription.
    SubscriptionItemOut from flex_api::SubscriptionItem {
    /// Subscription item id.
    subscription_item_id: String,
    /// Price billed (`fprice_…`).
    price: IdRef,
    /// Quantity.
    quantity: i64,
});

projection!(
    /// A subscription, trimmed.
    SubscriptionOut = "subscriptions", subscription_id from flex_api::Subscription {
    /// Subscription id (`fsub_…`).
    subscription_id: String,
    /// `incomplete`, `trialing`, `active`, `past_due`, `canceled`, `unpaid`, `paused`, ….
    status: String,
    /// Subscriber (`fcus_…`).
    customer: IdRef,
    /// What is billed.
    items: Vec<SubscriptionItemOut>,
    /// Start of the current period (ISO-8601).
    current_period_start: Timestamp,
    /// End of the current period, i.e. the next renewal (ISO-8601).
    current_period_end: Timestamp,
    /// True when it ends at the period end instead of renewing.
    cancel_at_period_end: bool,
    /// Scheduled end (ISO-8601).
    cancel_at: Timestamp,
    /// Trial end (ISO-8601).
    trial_end: Timestamp,
    /// Latest invoice (`fin_…`).
    latest_invoice: IdRef,
    /// Payment method charged at renewal.
    default_payment_method: String,
    /// Merchant metadata.
    metadata: Metadata,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

projection!(
    /// What canceling now would refund.
    RefundPreviewOut from flex_api::RefundPreview {
    /// Prorated refund for the unused rest of the period, integer cents USD.
    prorated_amount_available_to_refund: i64,
    /// Paid on the latest invoice, cents.
    invoice_amount_paid: i64,
    /// Period start (ISO-8601).
    current_period_start: Timestamp,
    /// Period end (ISO-8601).
    current_period_end: Timestamp,
    /// Card that would be refunded.
    payment_method_id: String,
    /// Its last four digits.
    last4: String,
});

projection!(
    /// An invoice, trimmed.
    InvoiceOut = "invoices", invoice_id from flex_api::Invoice {
    /// Invoice id (`fin_…`).
    invoice_id: String,
    /// `draft`, `open`, `paid`, `uncollectible` or `void`.
    status: String,
    /// Total, integer cents USD.
    total: i64,
    /// Due, cents.
    amount_due: i64,
    /// Paid, cents.
    amount_paid: i64,
    /// Customer (`fcus_…`).
    customer: IdRef,
    /// Subscription billed (`fsub_…`).
    subscription: IdRef,
    /// Payment intent that paid it (`fpi_…`).
    payment_intent: IdRef,
    /// Period start (ISO-8601).
    period_start: Timestamp,
    /// Period end (ISO-8601).
    period_end: Timestamp,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

projection!(
    /// Products a coupon is limited to.
    AppliesTo from flex_api::AppliesTo {
    /// Product ids (`fprod_…`).
    products: Vec<String>,
});

projection!(
    /// A coupon, trimmed.
    CouponOut = "coupons", coupon_id from flex_api::Coupon {
    /// Coupon id (`fcoup_…`).
    coupon_id: String,
    /// Name.
    name: String,
    /// Fixed discount, integer cents USD.
    amount_off: i64,
    /// Percentage discount, 0–100.
    percent_off: f64,
    /// `once`, `repeating` or `forever`.
    duration: String,
    /// Months, for `repeating`.
    duration_in_months: i64,
    /// Products it is limited to.
    applies_to: AppliesTo,
    /// Redemption cap.
    max_redemptions: i64,
    /// Times redeemed.
    times_redeemed: i64,
    /// False once it can no longer be redeemed.
    valid: bool,
    /// Merchant metadata.
    metadata: Metadata,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

projection!(
    /// A promo code, trimmed.
    PromoCodeOut = "promo_codes", promo_code_id from flex_api::PromoCode {
    /// Promo code id (`fpromo_…`).
    promo_code_id: String,
    /// What buyers type (e.g. `SUMMER25`).
    code: String,
    /// The coupon it applies (`fcoup_…`).
    coupon: IdRef,
    /// False once deactivated.
    active: bool,
    /// Redemption cap.
    max_redemptions: i64,
    /// Times redeemed.
    times_redeemed: i64,
    /// Only this customer may use it (`fcus_…`).
    customer: String,
    /// Merchant metadata.
    metadata: Metadata,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

projection!(
    /// A shipping rate, trimmed.
    ShippingRateOut = "shipping_rates", shipping_rate_id from flex_api::ShippingRate {
    /// Shipping rate id.
    shipping_rate_id: String,
    /// Name shown at checkout (e.g. `Ground, 3–5 days`).
    display_name: String,
    /// Price, integer cents USD.
    amount: i64,
    /// False once retired.
    active: bool,
    /// Merchant metadata.
    metadata: Metadata,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

/// Subscription status, for filtering.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SubscriptionStatus {
    Incomplete,
    IncompleteExpired,
    Trialing,
    Active,
    PastDue,
    Canceled,
    Unpaid,
    Paused,
}

/// Arguments of `list_subscriptions`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListSubscriptions {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<SubscriptionId>,
    /// Cursor for the previous page.
    ending_before: Option<SubscriptionId>,
    /// Only this customer's subscriptions (`fcus_…`).
    customer: Option<CustomerId>,
    /// Only subscriptions in this status (e.g. `active`).
    status: Option<SubscriptionStatus>,
}

async fn list_subscriptions(ctx: ToolCtx, a: ListSubscriptions) -> Result<Value, ToolError> {
    let page = ctx.api.subscriptions().list(&query(&a, &[])?).await?;
    Ok(page_view::<SubscriptionOut, _>(&page))
}

/// Arguments of `get_subscription` and `get_subscription_refund_preview`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetSubscription {
    /// Subscription id (`fsub_…`).
    subscription_id: SubscriptionId,
}

async fn get_subscription(ctx: ToolCtx, a: GetSubscription) -> Result<Value, ToolError> {
    let sub = ctx
        .api
        .subscriptions()
        .retrieve(&a.subscription_id.0)
        .await?;
    Ok(view::<SubscriptionOut, _>(&sub))
}

async fn get_subscription_refund_preview(
    ctx: ToolCtx,
    a: GetSubscription,
) -> Result<Value, ToolError> {
    let preview = ctx
        .api
        .subscriptions()
        .refund_preview(&a.subscription_id.0)
        .await?;
    Ok(view::<RefundPreviewOut, _>(&preview))
}

/// One item of a subscription update.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubscriptionItemArgs {
    /// Price to bill (`fprice_…`).
    price: PriceId,
    /// Quantity, 1–999 (default 1).
    #[schemars(range(min = 1, max = 999))]
    quantity: Option<u16>,
}

/// How a mid-period change is billed.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Proration {
    AlwaysInvoice,
    CreateProrations,
    None,
}

/// Arguments of `update_subscription`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateSubscription {
    /// Subscription id (`fsub_…`).
    subscription_id: SubscriptionId,
    /// true: end at the period end instead of renewing; false: undo that.
    cancel_at_period_end: Option<bool>,
    /// Schedule the end at this instant (ISO-8601, e.g. `2026-12-31T00:00:00Z`).
    cancel_at: Option<String>,
    /// End the trial at this instant (ISO-8601).
    trial_end: Option<String>,
    /// New items (replaces the prices billed).
    items: Option<Vec<SubscriptionItemArgs>>,
    /// How a mid-period change is billed: `always_invoice`, `create_prorations` or `none`.
    proration_behavior: Option<Proration>,
    /// Apply this coupon (`fcoup_…`).
    coupon: Option<CouponId>,
    /// Replaces the metadata.
    metadata: Option<Metadata>,
    /// Reuse on a retry: applied once.
    idempotency_key: Option<IdempotencyKey>,
}

fn check_instant(field: &str, value: Option<&String>) -> Result<(), ToolError> {
    match value {
        Some(v) if chrono::DateTime::parse_from_rfc3339(v).is_err() => Err(ToolError::field(
            field,
            format!("`{v}` is not an ISO-8601 instant; write e.g. `2026-12-31T00:00:00Z`"),
        )),
        _ => Ok(()),
    }
}

async fn update_subscription(ctx: ToolCtx, a: UpdateSubscription) -> Result<Value, ToolError> {
    check_instant("cancel_at", a.cancel_at.as_ref())?;
    check_instant("trial_end", a.trial_end.as_ref())?;
    for (i, item) in a.items.iter().flatten().enumerate() {
        if item.quantity.is_some_and(|q| !(1..=999).contains(&q)) {
            return Err(ToolError::field(
                &format!("items[{i}].quantity"),
                "must be between 1 and 999",
            ));
        }
    }
    let sub = ctx
        .api
        .subscriptions()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .update(&a.subscription_id.0, &input(&a, &["subscription_id"])?)
        .await?;
    Ok(view::<SubscriptionOut, _>(&sub))
}

/// What to refund when canceling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CancelRefund {
    None,
    Prorated,
    Full,
    Custom,
}

/// Arguments of `cancel_subscription`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CancelSubscription {
    /// Subscription id (`fsub_…`).
    subscription_id: SubscriptionId,
    /// true: keep it until the period ends, then stop; false or omitted: end it now.
    cancel_at_period_end: Option<bool>,
    /// Refund with the cancellation: `none` (default), `prorated` (the unused part; see
    /// `get_subscription_refund_preview`), `full` or `custom` (then give `refund_amount`).
    refund: Option<CancelRefund>,
    /// Refund amount in integer cents USD, only with refund `custom`.
    refund_amount: Option<Cents>,
    /// Reuse on a retry: never cancels or refunds twice.
    idempotency_key: Option<IdempotencyKey>,
}

async fn cancel_subscription(ctx: ToolCtx, a: CancelSubscription) -> Result<Value, ToolError> {
    match (a.refund, a.refund_amount) {
        (Some(CancelRefund::Custom), None) => {
            return Err(ToolError::field(
                "refund_amount",
                "required with refund `custom`: give the amount in integer cents",
            ));
        }
        (r, Some(_)) if r != Some(CancelRefund::Custom) => {
            return Err(ToolError::field(
                "refund_amount",
                "only allowed with refund `custom`; remove it or set refund to `custom`",
            ));
        }
        _ => {}
    }
    let sub = ctx
        .api
        .subscriptions()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .cancel(&a.subscription_id.0, &input(&a, &["subscription_id"])?)
        .await?;
    Ok(view::<SubscriptionOut, _>(&sub))
}

/// Arguments of `list_invoices`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListInvoices {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<InvoiceId>,
    /// Cursor for the previous page.
    ending_before: Option<InvoiceId>,
    /// Only this customer's invoices (`fcus_…`).
    customer: Option<CustomerId>,
}

async fn list_invoices(ctx: ToolCtx, a: ListInvoices) -> Result<Value, ToolError> {
    let page = ctx.api.invoices().list(&query(&a, &[])?).await?;
    Ok(page_view::<InvoiceOut, _>(&page))
}

/// Arguments of `get_invoice`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetInvoice {
    /// Invoice id (`fin_…`).
    invoice_id: InvoiceId,
}

async fn get_invoice(ctx: ToolCtx, a: GetInvoice) -> Result<Value, ToolError> {
    let invoice = ctx.api.invoices().retrieve(&a.invoice_id.0).await?;
    Ok(view::<InvoiceOut, _>(&invoice))
}

/// How long a coupon applies to a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Duration {
    Once,
    Repeating,
    Forever,
}

/// Products a coupon is limited to.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AppliesToArgs {
    /// Product ids (`fprod_…`).
    products: Vec<ProductId>,
}

/// Arguments of `create_coupon`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateCoupon {
    /// Name shown to buyers (e.g. `Spring sale`).
    name: String,
    /// Fixed discount in integer cents USD. Give this or `percent_off`, not both.
    amount_off: Option<Cents>,
    /// Percentage discount, more than 0 and at most 100. Give this or `amount_off`, not both.
    #[schemars(range(min = 0.01, max = 100.0))]
    percent_off: Option<f64>,
    /// `once` (default), `repeating` (then give `duration_in_months`) or `forever`.
    duration: Option<Duration>,
    /// Months a `repeating` coupon lasts, 1–36.
    #[schemars(range(min = 1, max = 36))]
    duration_in_months: Option<u8>,
    /// Limit the coupon to these products.
    applies_to: Option<AppliesToArgs>,
    /// Total redemptions allowed, at least 1.
    #[schemars(range(min = 1))]
    max_redemptions: Option<u32>,
    /// Merchant metadata.
    metadata: Option<Metadata>,
    /// Reuse on a retry: never a duplicate.
    idempotency_key: Option<IdempotencyKey>,
}

async fn create_coupon(ctx: ToolCtx, a: CreateCoupon) -> Result<Value, ToolError> {
    match (a.amount_off, a.percent_off) {
        (None, None) | (Some(_), Some(_)) => {
            return Err(ToolError::field(
                "amount_off",
                "give exactly one of `amount_off` (integer cents) or `percent_off` (0–100)",
            ));
        }
        (None, Some(p)) if !(p > 0.0 && p <= 100.0) => {
            return Err(ToolError::field(
                "percent_off",
                "must be more than 0 and at most 100",
            ));
        }
        _ => {}
    }
    let repeating = a.duration == Some(Duration::Repeating);
    match a.duration_in_months {
        None if repeating => {
            return Err(ToolError::field(
                "duration_in_months",
                "required when duration is `repeating` (1–36)",
            ));
        }
        Some(_) if !repeating => {
            return Err(ToolError::field(
                "duration_in_months",
                "only allowed when duration is `repeating`",
            ));
        }
        Some(m) if !(1..=36).contains(&m) => {
            return Err(ToolError::field(
                "duration_in_months",
                "must be between 1 and 36",
            ));
        }
        _ => {}
    }
    if a.max_redemptions == Some(0) {
        return Err(ToolError::field("max_redemptions", "must be at least 1"));
    }
    let coupon = ctx
        .api
        .coupons()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .create(&input(&a, &[])?)
        .await?;
    Ok(view::<CouponOut, _>(&coupon))
}

/// Arguments of `get_coupon`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetCoupon {
    /// Coupon id (`fcoup_…`).
    coupon_id: CouponId,
}

async fn get_coupon(ctx: ToolCtx, a: GetCoupon) -> Result<Value, ToolError> {
    let coupon = ctx.api.coupons().retrieve(&a.coupon_id.0).await?;
    Ok(view::<CouponOut, _>(&coupon))
}

/// Arguments of `create_promo_code`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreatePromoCode {
    /// The coupon the code applies (`fcoup_…`).
    coupon_id: CouponId,
    /// What buyers type: 3–50 letters, digits, `-` or `_` (e.g. `SUMMER25`).
    #[schemars(regex(pattern = r"^[A-Za-z0-9_-]{3,50}$"))]
    code: String,
    /// Redemptions allowed for this code, at least 1.
    #[schemars(range(min = 1))]
    max_redemptions: Option<u32>,
    /// Only this customer may use it (`fcus_…`).
    customer: Option<CustomerId>,
    /// Merchant metadata.
    metadata: Option<Metadata>,
    /// Reuse on a retry: never a duplicate.
    idempotency_key: Option<IdempotencyKey>,
}

async fn create_promo_code(ctx: ToolCtx, a: CreatePromoCode) -> Result<Value, ToolError> {
    let ok = (3..=50).contains(&a.code.len())
        && a.code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(ToolError::field(
            "code",
            "must be 3–50 letters, digits, `-` or `_` (e.g. `SUMMER25`)",
        ));
    }
    if a.max_redemptions == Some(0) {
        return Err(ToolError::field("max_redemptions", "must be at least 1"));
    }
    let promo = ctx
        .api
        .promo_codes()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .create(&input(&a, &[])?)
        .await?;
    Ok(view::<PromoCodeOut, _>(&promo))
}

/// Arguments of `list_promo_codes`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListPromoCodes {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<PromoCodeId>,
    /// Only active (true) or only inactive (false) codes.
    active: Option<bool>,
}

async fn list_promo_codes(ctx: ToolCtx, a: ListPromoCodes) -> Result<Value, ToolError> {
    let page = ctx.api.promo_codes().list(&query(&a, &[])?).await?;
    Ok(page_view::<PromoCodeOut, _>(&page))
}

/// Arguments of `create_shipping_rate`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateShippingRate {
    /// Name shown at checkout (e.g. `Ground, 3–5 days`).
    display_name: String,
    /// Price in integer cents USD (0 for free shipping).
    amount: super::args::CentsOrZero,
    /// Merchant metadata.
    metadata: Option<Metadata>,
    /// Reuse on a retry: never a duplicate.
    idempotency_key: Option<IdempotencyKey>,
}

async fn create_shipping_rate(ctx: ToolCtx, a: CreateShippingRate) -> Result<Value, ToolError> {
    if a.display_name.trim().is_empty() {
        return Err(ToolError::field("display_name", "must not be empty"));
    }
    let rate = ctx
        .api
        .shipping_rates()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .create(&input(&a, &[])?)
        .await?;
    Ok(view::<ShippingRateOut, _>(&rate))
}

/// Arguments of `update_shipping_rate`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateShippingRate {
    /// Shipping rate id, as returned by `create_shipping_rate`.
    shipping_rate_id: OpaqueId,
    /// false retires the rate; true re-activates it.
    active: Option<bool>,
    /// Replaces the metadata.
    metadata: Option<Metadata>,
    /// Reuse on a retry: applied once.
    idempotency_key: Option<IdempotencyKey>,
}

async fn update_shipping_rate(ctx: ToolCtx, a: UpdateShippingRate) -> Result<Value, ToolError> {
    let rate = ctx
        .api
        .shipping_rates()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .update(&a.shipping_rate_id.0, &input(&a, &["shipping_rate_id"])?)
        .await?;
    Ok(view::<ShippingRateOut, _>(&rate))
}

/// Arguments of `get_shipping_rate`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetShippingRate {
    /// Shipping rate id, as returned by `create_shipping_rate`.
    shipping_rate_id: OpaqueId,
}

async fn get_shipping_rate(ctx: ToolCtx, a: GetShippingRate) -> Result<Value, ToolError> {
    let rate = ctx
        .api
        .shipping_rates()
        .retrieve(&a.shipping_rate_id.0)
        .await?;
    Ok(view::<ShippingRateOut, _>(&rate))
}

pub(super) const TOOLS: &[ToolDef] = &[
    tool!(list_subscriptions {
        group: Group::Subscriptions,
        title: "List subscriptions",
        description: "List subscriptions (`fsub_…`), newest first: status, subscriber, prices \
billed, current period and next renewal (`current_period_end`). Filter by `customer` or `status` \
(e.g. `active`, `past_due`). Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListSubscriptions>,
        output_schema: schema_out::<Page<SubscriptionOut>>,
    }),
    tool!(get_subscription {
        group: Group::Subscriptions,
        title: "Get subscription",
        description: "Get one subscription (`fsub_…`): status, subscriber (`fcus_…`), prices \
billed, current period, renewal or scheduled end, latest invoice. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<GetSubscription>,
        output_schema: schema_out::<SubscriptionOut>,
    }),
    tool!(update_subscription {
        group: Group::Subscriptions,
        title: "Update subscription",
        description: "Change a subscription (`fsub_…`): prices billed, trial end, coupon, \
metadata, or schedule its end (`cancel_at_period_end`, `cancel_at`; reversible until it takes \
effect). Only the fields given change. No money moves now; price changes affect future invoices \
per `proration_behavior`. To end it immediately use `cancel_subscription`.",
        kind: Kind::Update,
        input_schema: schema_in::<UpdateSubscription>,
        output_schema: schema_out::<SubscriptionOut>,
    }),
    tool!(cancel_subscription {
        group: Group::Subscriptions,
        title: "Cancel subscription",
        description: "Cancel a subscription (`fsub_…`) now, or at the period end with \
`cancel_at_period_end`, optionally refunding (`refund`: none, prorated, full, or custom with \
`refund_amount` in integer cents USD). Ends billing; a refund moves money back to the buyer. \
Cannot be undone. Call `get_subscription_refund_preview` first to see the prorated amount.",
        kind: Kind::DestructiveIdempotent,
        input_schema: schema_in::<CancelSubscription>,
        output_schema: schema_out::<SubscriptionOut>,
    }),
    tool!(get_subscription_refund_preview {
        group: Group::Subscriptions,
        title: "Preview subscription refund",
        description: "Preview the prorated refund canceling a subscription (`fsub_…`) now would \
give: the unused part of the period in integer cents USD, what the latest invoice paid, and the \
card. Creates nothing; safe to repeat. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<GetSubscription>,
        output_schema: schema_out::<RefundPreviewOut>,
    }),
    tool!(list_invoices {
        group: Group::Subscriptions,
        title: "List invoices",
        description: "List invoices (`fin_…`, subscription bills), newest first: status and \
amounts in integer cents USD. Filter by `customer`. Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListInvoices>,
        output_schema: schema_out::<Page<InvoiceOut>>,
    }),
    tool!(get_invoice {
        group: Group::Subscriptions,
        title: "Get invoice",
        description: "Get one invoice (`fin_…`): status, total, due and paid in integer cents USD, \
its subscription, customer, paying payment intent and period. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<GetInvoice>,
        output_schema: schema_out::<InvoiceOut>,
    }),
    tool!(create_coupon {
        group: Group::Offers,
        title: "Create coupon",
        description: "Create a coupon (`fcoup_…`): a fixed `amount_off` in integer cents USD or a \
`percent_off`, once / repeating / forever, optionally limited to products. No money moves. \
Creates a new object each call (pass `idempotency_key` to retry safely). Next: \
`create_promo_code` to give buyers a code for it.",
        kind: Kind::Create,
        input_schema: schema_in::<CreateCoupon>,
        output_schema: schema_out::<CouponOut>,
    }),
    tool!(get_coupon {
        group: Group::Offers,
        title: "Get coupon",
        description: "Get one coupon (`fcoup_…`): discount (cents or percent), duration, products \
it applies to, redemptions and validity. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<GetCoupon>,
        output_schema: schema_out::<CouponOut>,
    }),
    tool!(create_promo_code {
        group: Group::Offers,
        title: "Create promo code",
        description: "Create a customer-facing promo code (e.g. `SUMMER25`) for a coupon \
(`fcoup_…`), optionally capped or limited to one customer. No money moves. Creates a new object \
each call (pass `idempotency_key` to retry safely). Buyers enter it at checkouts created with \
`allow_promotion_codes`.",
        kind: Kind::Create,
        input_schema: schema_in::<CreatePromoCode>,
        output_schema: schema_out::<PromoCodeOut>,
    }),
    tool!(list_promo_codes {
        group: Group::Offers,
        title: "List promo codes",
        description: "List promo codes (`fpromo_…`), newest first, with their coupon and \
redemptions; filter by `active`. Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListPromoCodes>,
        output_schema: schema_out::<Page<PromoCodeOut>>,
    }),
    tool!(create_shipping_rate {
        group: Group::Offers,
        title: "Create shipping rate",
        description: "Create a shipping rate: a name and a price in integer cents USD, offered at \
checkout. No money moves. Creates a new object each call (pass `idempotency_key` to retry \
safely).",
        kind: Kind::Create,
        input_schema: schema_in::<CreateShippingRate>,
        output_schema: schema_out::<ShippingRateOut>,
    }),
    tool!(update_shipping_rate {
        group: Group::Offers,
        title: "Update shipping rate",
        description: "Retire or re-activate a shipping rate (`active`) or replace its metadata. \
Its name and price cannot change: create a new rate instead. No money moves.",
        kind: Kind::Update,
        input_schema: schema_in::<UpdateShippingRate>,
        output_schema: schema_out::<ShippingRateOut>,
    }),
    tool!(get_shipping_rate {
        group: Group::Offers,
        title: "Get shipping rate",
        description: "Get one shipping rate by id: name, price in integer cents USD, active flag. \
Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<GetShippingRate>,
        output_schema: schema_out::<ShippingRateOut>,
    }),
];
