//! Checkout sessions (`/v1/checkout/sessions`): the hosted checkout, and the session-level money
//! actions (capture, cancel the authorization, re-authorize, refund) with their side-effect-free
//! allocation previews.
//!
//! Session reads always ask Flex to expand the customer, so the result can carry the buyer's
//! email (what support questions start from) without a second call.

use flex_api::{Expand, Expandable};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::args::{
    Cents, CentsOrZero, CheckoutSessionId, CustomerId, IdempotencyKey, Limit, Metadata, OpaqueId,
    PaymentIntentId, PaymentMethodId, PriceId, ProductId, SubscriptionId,
};
use super::out::{IdRef, Page, Timestamp, projection};
use super::rest::{input, key, page_view, query, view};
use super::{Kind, ToolCtx, ToolDef, ToolError, schema_in, schema_out, tool};
use crate::groups::Group;

projection!(
    /// Discount, tax and shipping parts of a total, in integer cents.
    TotalDetails from flex_api::TotalDetails {
    /// Discount, cents.
    amount_discount: i64,
    /// Tax, cents.
    amount_tax: i64,
    /// Shipping, cents.
    amount_shipping: i64,
});

projection!(
    /// A capture, as listed on its session.
    CaptureBrief from flex_api::Capture {
    /// Capture id (`fcap_…`).
    capture_id: String,
    /// Captured, integer cents USD.
    amount_captured: i64,
    /// When (ISO-8601).
    created_at: Timestamp,
});

projection!(
    /// A refund, as listed on its session.
    RefundBrief from flex_api::Refund {
    /// Refund id (`fre_…`).
    refund_id: String,
    /// Payment intent refunded (`fpi_…`).
    payment_intent_id: String,
    /// Refunded, integer cents USD.
    amount: i64,
    /// `pending`, `succeeded`, `failed`, ….
    status: String,
    /// When (ISO-8601).
    created_at: Timestamp,
});

projection!(
    /// A dispute, as listed on its session.
    DisputeBrief from flex_api::Dispute {
    /// Dispute id (`fdsp_…`).
    dispute_id: String,
    /// Disputed, integer cents USD.
    amount: i64,
    /// `needs_response`, `under_review`, `won`, `lost`, ….
    status: String,
});

projection!(
    /// A checkout session, trimmed.
    SessionOut = "checkout_sessions", checkout_session_id from flex_api::CheckoutSession {
    /// Checkout session id (`fcs_…`).
    checkout_session_id: String,
    /// `open` (awaiting the buyer), `paid` (authorized, awaiting capture), `complete`,
    /// `canceled` or `expired`.
    status: String,
    /// `payment`, `subscription`, `setup`, `off_session` or `reimbursement`.
    mode: String,
    /// Total charged, integer cents USD.
    amount_total: i64,
    /// Subtotal before discount, tax and shipping, cents.
    amount_subtotal: i64,
    /// Amount received so far, cents.
    amount_received: i64,
    /// Amount refunded so far, cents.
    amount_refunded: i64,
    /// Amount under dispute, cents.
    amount_disputed: i64,
    /// Discount, tax and shipping parts.
    total_details: TotalDetails,
    /// `automatic` or `manual` (manual sessions need `capture_checkout_session`).
    capture_method: String,
    /// Buyer (`fcus_…`).
    customer: IdRef,
    /// Buyer's email, from the customer or the prefilled defaults.
    customer_email: String = session_email,
    /// Main payment intent (`fpi_…`).
    payment_intent: IdRef,
    /// All payment intents; two on a split cart (HSA/FSA card + regular card).
    payment_intents: Vec<IdRef>,
    /// Subscription started by this session (`fsub_…`).
    subscription: IdRef,
    /// True when the cart holds HSA/FSA-eligible items.
    hsa_fsa_eligible: bool,
    /// True when the buyer must obtain a letter of medical necessity.
    letter_of_medical_necessity_required: bool,
    /// Hosted checkout page to send the buyer to.
    redirect_url: String,
    /// The merchant's own reference.
    client_reference_id: String,
    /// Captures made on this session (details: `get_capture`).
    captures: Vec<CaptureBrief>,
    /// Refunds made on this session (details: `get_refund`).
    refunds: Vec<RefundBrief>,
    /// Disputes opened on this session (details: `get_dispute`).
    disputes: Vec<DisputeBrief>,
    /// Merchant metadata.
    metadata: Metadata,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
    /// When an open session expires (ISO-8601).
    expires_at: Timestamp,
});

projection!(
    /// One line of a session's cart.
    LineItemOut = "line_items", line_item_id from flex_api::LineItem {
    /// Line item id.
    line_item_id: String,
    /// What was bought.
    description: String,
    /// The price (`fprice_…`).
    price: IdRef,
    /// Quantity.
    quantity: i64,
    /// HSA/FSA eligibility of this line.
    eligibility: String,
    /// Subtotal, cents.
    amount_subtotal: i64,
    /// Discount, cents.
    amount_discount: i64,
    /// Tax, cents.
    amount_tax: i64,
    /// Shipping, cents.
    amount_shipping: i64,
    /// Total, cents.
    amount_total: i64,
});

projection!(
    /// One part of an allocation preview.
    Allocation from flex_api::Allocation {
    /// Payment method that would be charged or refunded (`fpm_…`).
    payment_method_id: String,
    /// Its card's last four digits.
    last4: String,
    /// Amount on this payment method, cents.
    amount: i64,
});

projection!(
    /// How a capture or refund would split across the session's payment methods.
    AllocationsOut from flex_api::Allocations {
    /// One entry per payment method.
    allocations: Vec<Allocation>,
});

/// The buyer's email: from the customer when Flex expanded it, else the prefilled defaults.
fn session_email(s: &flex_api::CheckoutSession) -> Option<String> {
    s.customer
        .as_ref()
        .and_then(Expandable::object)
        .and_then(|c| c.email.clone())
        .or_else(|| {
            s.defaults
                .as_ref()
                .and_then(|d| d.get("email"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
}

/// Session reads expand the customer, so the result carries the buyer's email.
const EXPAND_CUSTOMER: Expand = Expand {
    expand: None,
    expand_customer: Some(true),
    expand_payment_intent: None,
    expand_product: None,
};

/// Created-at bounds: the tool's flat names; `flex-api` sends them in the form it models.
const CREATED_BOUNDS: [&str; 4] = ["created_gt", "created_gte", "created_lt", "created_lte"];

/// Session status, for filtering.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SessionStatus {
    Open,
    Paid,
    Complete,
    Canceled,
    Expired,
}

/// Arguments of `list_checkout_sessions`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListSessions {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<CheckoutSessionId>,
    /// Cursor for the previous page.
    ending_before: Option<CheckoutSessionId>,
    /// Only sessions in this status.
    status: Option<SessionStatus>,
    /// Only sessions of this customer (`fcus_…`).
    customer: Option<CustomerId>,
    /// Only sessions of this buyer email (exact match).
    email: Option<String>,
    /// Only the session that owns this payment intent (`fpi_…`).
    payment_intent: Option<PaymentIntentId>,
    /// Only sessions of this subscription (`fsub_…`).
    subscription: Option<SubscriptionId>,
    /// Only sessions with this merchant reference (exact match).
    client_reference_id: Option<String>,
    /// Only sessions created in the last N days (e.g. 30), 0–3650.
    #[schemars(range(max = 3650))]
    interval: Option<u16>,
    /// Only sessions created strictly after this instant (ISO-8601, e.g. `2026-01-31T00:00:00Z`).
    created_gt: Option<String>,
    /// Only sessions created at or after this instant (ISO-8601).
    created_gte: Option<String>,
    /// Only sessions created strictly before this instant (ISO-8601).
    created_lt: Option<String>,
    /// Only sessions created at or before this instant (ISO-8601).
    created_lte: Option<String>,
}

fn check_instant(field: &str, value: Option<&String>) -> Result<(), ToolError> {
    match value {
        Some(v) if chrono::DateTime::parse_from_rfc3339(v).is_err() => Err(ToolError::field(
            field,
            format!("`{v}` is not an ISO-8601 instant; write e.g. `2026-01-31T00:00:00Z`"),
        )),
        _ => Ok(()),
    }
}

async fn list_checkout_sessions(ctx: ToolCtx, a: ListSessions) -> Result<Value, ToolError> {
    check_instant("created_gt", a.created_gt.as_ref())?;
    check_instant("created_gte", a.created_gte.as_ref())?;
    check_instant("created_lt", a.created_lt.as_ref())?;
    check_instant("created_lte", a.created_lte.as_ref())?;
    if a.interval.is_some_and(|d| d > 3650) {
        return Err(ToolError::field(
            "interval",
            "must be between 0 and 3650 days",
        ));
    }
    let mut q: flex_api::ListCheckoutSessions = query(&a, &CREATED_BOUNDS)?;
    q.created_gt = a.created_gt;
    q.created_gte = a.created_gte;
    q.created_lt = a.created_lt;
    q.created_lte = a.created_lte;
    q.expand_customer = Some(true);
    let page = ctx.api.checkout_sessions().list(&q).await?;
    Ok(page_view::<SessionOut, _>(&page))
}

/// Arguments of `get_checkout_session`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetSession {
    /// Checkout session id (`fcs_…`).
    checkout_session_id: CheckoutSessionId,
}

async fn get_checkout_session(ctx: ToolCtx, a: GetSession) -> Result<Value, ToolError> {
    let session = ctx
        .api
        .checkout_sessions()
        .retrieve_with(&a.checkout_session_id.0, &EXPAND_CUSTOMER)
        .await?;
    Ok(view::<SessionOut, _>(&session))
}

/// Arguments of `list_checkout_session_line_items`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListLineItems {
    /// Checkout session id (`fcs_…`).
    checkout_session_id: CheckoutSessionId,
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<OpaqueId>,
}

async fn list_checkout_session_line_items(
    ctx: ToolCtx,
    a: ListLineItems,
) -> Result<Value, ToolError> {
    let page = ctx
        .api
        .checkout_sessions()
        .list_line_items(
            &a.checkout_session_id.0,
            &query(&a, &["checkout_session_id"])?,
        )
        .await?;
    Ok(page_view::<LineItemOut, _>(&page))
}

/// A price made up on the fly for one line.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PriceData {
    /// The product sold (`fprod_…`).
    product: ProductId,
    /// Amount per unit, integer cents USD, at least 1 (4999 = $49.99).
    unit_amount: Cents,
    /// Description shown at checkout.
    description: Option<String>,
}

/// One line of a cart.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LineItemArgs {
    /// An existing price (`fprice_…`). Give `price` or `price_data`, not both.
    price: Option<PriceId>,
    /// A one-off price for an existing product. Give `price` or `price_data`, not both.
    price_data: Option<PriceData>,
    /// How many units, 1–999.
    #[schemars(range(min = 1, max = 999))]
    quantity: u16,
}

pub(crate) fn check_line_items(field: &str, items: &[LineItemArgs]) -> Result<(), ToolError> {
    for (i, item) in items.iter().enumerate() {
        if item.price.is_some() == item.price_data.is_some() {
            return Err(ToolError::field(
                &format!("{field}[{i}]"),
                "give exactly one of `price` (an `fprice_…` id) or `price_data`",
            ));
        }
        if !(1..=999).contains(&item.quantity) {
            return Err(ToolError::field(
                &format!("{field}[{i}].quantity"),
                "must be between 1 and 999",
            ));
        }
    }
    Ok(())
}

/// What the session is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SessionMode {
    Payment,
    Subscription,
    Setup,
    OffSession,
    Reimbursement,
}

/// When the money is taken.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CaptureMethod {
    Automatic,
    Manual,
}

/// Values prefilled on the checkout page.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Defaults {
    /// Buyer's email.
    email: Option<String>,
    /// Buyer's first name.
    first_name: Option<String>,
    /// Buyer's last name.
    last_name: Option<String>,
    /// Buyer's phone, E.164.
    phone: Option<String>,
}

/// Arguments of `create_checkout_session`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateSession {
    /// The cart: 1–100 lines (empty only in `setup` mode).
    line_items: Vec<LineItemArgs>,
    /// What the session is for: `payment` (one-time), `subscription` (recurring prices),
    /// `setup` (save a card), `off_session` (charge a saved card) or `reimbursement`. Sent to
    /// Flex as the session's `mode`; it has nothing to do with test/live mode.
    #[serde(rename(deserialize = "session_mode", serialize = "mode"))]
    session_mode: SessionMode,
    /// Where the buyer lands after paying (https://…); may contain `{CHECKOUT_SESSION_ID}`.
    success_url: String,
    /// Where the buyer lands if they abandon checkout (https://…).
    cancel_url: Option<String>,
    /// Existing customer (`fcus_…`); required for `setup` and `off_session`.
    customer: Option<CustomerId>,
    /// Saved payment method to charge (`fpm_…`), for `off_session` mode.
    payment_method: Option<PaymentMethodId>,
    /// The merchant's own reference (e.g. an order number).
    client_reference_id: Option<String>,
    /// `automatic` (charge on completion, default) or `manual` (authorize now, capture later
    /// with `capture_checkout_session`).
    capture_method: Option<CaptureMethod>,
    /// Let the buyer enter promo codes.
    allow_promotion_codes: Option<bool>,
    /// Ask the buyer for a shipping address.
    shipping_address_collection: Option<bool>,
    /// Save the card for later off-session charges: `off_session`.
    setup_future_use: Option<String>,
    /// Values prefilled on the checkout page.
    defaults: Option<Defaults>,
    /// Merchant metadata.
    metadata: Option<Metadata>,
    /// Reuse on a retry: never a duplicate.
    idempotency_key: Option<IdempotencyKey>,
}

async fn create_checkout_session(ctx: ToolCtx, a: CreateSession) -> Result<Value, ToolError> {
    if a.line_items.is_empty() && a.session_mode != SessionMode::Setup {
        return Err(ToolError::field(
            "line_items",
            "must hold at least one line (only session_mode `setup` takes an empty cart)",
        ));
    }
    if a.line_items.len() > 100 {
        return Err(ToolError::field("line_items", "at most 100 lines"));
    }
    check_line_items("line_items", &a.line_items)?;
    if !a.success_url.starts_with("https://") && !a.success_url.starts_with("http://") {
        return Err(ToolError::field(
            "success_url",
            "must be an absolute URL starting with https://",
        ));
    }
    let session = ctx
        .api
        .checkout_sessions()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .create(&input(&a, &[])?)
        .await?;
    Ok(view::<SessionOut, _>(&session))
}

/// How much of one line to capture.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CaptureLine {
    /// The line's product (`fprod_…`).
    product: Option<ProductId>,
    /// The line's price (`fprice_…`), when the product alone is ambiguous.
    price: Option<PriceId>,
    /// Amount to capture for this line, integer cents (omit for the whole line).
    amount_to_capture: Option<Cents>,
}

/// Arguments of `capture_checkout_session` and `preview_capture_allocation`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CaptureSession {
    /// Checkout session id (`fcs_…`), status `paid` (authorized, manual capture).
    checkout_session_id: CheckoutSessionId,
    /// true (default) releases whatever is not captured now; false keeps the rest authorized
    /// for a later capture.
    final_capture: Option<bool>,
    /// Lines to capture; omit to capture the whole authorized cart.
    line_items: Option<Vec<CaptureLine>>,
    /// Shipping to capture, integer cents.
    amount_shipping: Option<CentsOrZero>,
    /// Discount to apply, integer cents.
    amount_discount: Option<CentsOrZero>,
    /// Tax to capture, integer cents.
    amount_tax: Option<CentsOrZero>,
    /// Metadata to set on the session.
    metadata: Option<Metadata>,
    /// Metadata for the capture object (`fcap_…`).
    capture_metadata: Option<Metadata>,
    /// Reuse on a retry: never captures twice.
    idempotency_key: Option<IdempotencyKey>,
}

async fn capture_checkout_session(ctx: ToolCtx, a: CaptureSession) -> Result<Value, ToolError> {
    let session = ctx
        .api
        .checkout_sessions()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .capture(
            &a.checkout_session_id.0,
            &input(&a, &["checkout_session_id"])?,
        )
        .await?;
    Ok(view::<SessionOut, _>(&session))
}

async fn preview_capture_allocation(ctx: ToolCtx, a: CaptureSession) -> Result<Value, ToolError> {
    let preview = ctx
        .api
        .checkout_sessions()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .capture_allocation(
            &a.checkout_session_id.0,
            &input(&a, &["checkout_session_id"])?,
        )
        .await?;
    Ok(view::<AllocationsOut, _>(&preview))
}

/// Arguments of the session actions that take nothing but the session.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SessionAction {
    /// Checkout session id (`fcs_…`).
    checkout_session_id: CheckoutSessionId,
    /// Reuse on a retry: applied once.
    idempotency_key: Option<IdempotencyKey>,
}

async fn cancel_checkout_session_authorization(
    ctx: ToolCtx,
    a: SessionAction,
) -> Result<Value, ToolError> {
    let session = ctx
        .api
        .checkout_sessions()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .cancel(&a.checkout_session_id.0)
        .await?;
    Ok(view::<SessionOut, _>(&session))
}

async fn reauth_checkout_session(ctx: ToolCtx, a: SessionAction) -> Result<Value, ToolError> {
    let session = ctx
        .api
        .checkout_sessions()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .reauth(&a.checkout_session_id.0)
        .await?;
    Ok(view::<SessionOut, _>(&session))
}

/// How much of one line to refund.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefundLine {
    /// The line's product (`fprod_…`). Give `product` or `price`.
    product: Option<ProductId>,
    /// The line's price (`fprice_…`). Give `product` or `price`.
    price: Option<PriceId>,
    /// Amount to refund for this line, integer cents, at least 1.
    amount_to_refund: Cents,
}

/// Where a refund goes, for the allocation preview.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefundTarget {
    /// Payment method to refund to (`fpm_…`).
    payment_method_id: PaymentMethodId,
    /// Amount to refund to it, integer cents.
    amount: Cents,
}

/// Arguments of `refund_checkout_session` and `preview_refund_allocation`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefundSession {
    /// Checkout session id (`fcs_…`); its status must be `complete`.
    checkout_session_id: CheckoutSessionId,
    /// Total to refund, integer cents. Omit this and `line_items` for a full refund.
    amount: Option<Cents>,
    /// Refund per line instead of a total.
    line_items: Option<Vec<RefundLine>>,
    /// Tax to refund, integer cents.
    amount_tax: Option<CentsOrZero>,
    /// Shipping to refund, integer cents.
    amount_shipping: Option<CentsOrZero>,
    /// Discount to take back into account, integer cents.
    amount_discount: Option<CentsOrZero>,
    /// Metadata for the refund objects.
    refund_metadata: Option<Metadata>,
    /// Preview only: how to split across payment methods.
    payment_methods: Option<Vec<RefundTarget>>,
    /// Reuse on a retry: never refunds twice.
    idempotency_key: Option<IdempotencyKey>,
}

fn check_refund_lines(a: &RefundSession) -> Result<(), ToolError> {
    for (i, line) in a.line_items.iter().flatten().enumerate() {
        if line.product.is_none() && line.price.is_none() {
            return Err(ToolError::field(
                &format!("line_items[{i}]"),
                "give `product` (`fprod_…`) or `price` (`fprice_…`) to say which line",
            ));
        }
    }
    Ok(())
}

async fn refund_checkout_session(ctx: ToolCtx, a: RefundSession) -> Result<Value, ToolError> {
    check_refund_lines(&a)?;
    if a.payment_methods.is_some() {
        return Err(ToolError::field(
            "payment_methods",
            "only `preview_refund_allocation` takes payment_methods; remove it here",
        ));
    }
    let session = ctx
        .api
        .checkout_sessions()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .refund(
            &a.checkout_session_id.0,
            &input(&a, &["checkout_session_id"])?,
        )
        .await?;
    Ok(view::<SessionOut, _>(&session))
}

async fn preview_refund_allocation(ctx: ToolCtx, a: RefundSession) -> Result<Value, ToolError> {
    check_refund_lines(&a)?;
    let preview = ctx
        .api
        .checkout_sessions()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .refund_allocation(
            &a.checkout_session_id.0,
            &input(&a, &["checkout_session_id"])?,
        )
        .await?;
    Ok(view::<AllocationsOut, _>(&preview))
}

pub(super) const TOOLS: &[ToolDef] = &[
    tool!(list_checkout_sessions {
        group: Group::Support,
        title: "List checkout sessions",
        description: "List checkout sessions (`fcs_…`, Flex's orders), newest first, with status, \
amounts in integer cents USD, buyer email, payment intents, refunds and disputes. Filter by \
`email`, `customer`, `status`, `payment_intent`, `interval` (last N days) or created-at bounds. \
Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListSessions>,
        output_schema: schema_out::<Page<SessionOut>>,
    }),
    tool!(get_checkout_session {
        group: Group::Support,
        title: "Get checkout session",
        description: "Get one checkout session (`fcs_…`): status, amounts in integer cents USD \
(total, received, refunded, disputed), buyer email, payment intents (`fpi_…`; two on a split \
cart), captures, refunds and disputes. Read-only. Use it before refunding or capturing.",
        kind: Kind::Read,
        input_schema: schema_in::<GetSession>,
        output_schema: schema_out::<SessionOut>,
    }),
    tool!(list_checkout_session_line_items {
        group: Group::Support,
        title: "List checkout session line items",
        description: "List the cart of a checkout session (`fcs_…`): each line's price \
(`fprice_…`), quantity, HSA/FSA eligibility and amounts in integer cents USD. Read-only. Use the \
products/prices here for per-line refunds or captures.",
        kind: Kind::Read,
        input_schema: schema_in::<ListLineItems>,
        output_schema: schema_out::<Page<LineItemOut>>,
    }),
    tool!(create_checkout_session {
        group: Group::Checkout,
        title: "Create checkout session",
        description: "Create a hosted checkout for a cart and return its `redirect_url`, the page \
to send the buyer to. Lines take a price (`fprice_…`) or `price_data` (product + unit_amount in \
integer cents USD). No money moves until the buyer pays; with capture_method `manual` the money \
is only authorized until `capture_checkout_session`. Creates a new session each call (pass \
`idempotency_key` to retry safely).",
        kind: Kind::Create,
        input_schema: schema_in::<CreateSession>,
        output_schema: schema_out::<SessionOut>,
    }),
    tool!(capture_checkout_session {
        group: Group::Checkout,
        title: "Capture checkout session",
        description: "Capture the authorized money of a `paid` checkout session (`fcs_…`, manual \
capture), fully or per line. Moves money: the buyer is charged; it cannot be undone (only \
refunded). With final_capture true (default) the uncaptured rest is released. Check \
`preview_capture_allocation` first to see how it splits across cards. Returns the session; its \
`captures` list the new capture (`fcap_…`).",
        kind: Kind::Destructive,
        input_schema: schema_in::<CaptureSession>,
        output_schema: schema_out::<SessionOut>,
    }),
    tool!(cancel_checkout_session_authorization {
        group: Group::Checkout,
        title: "Cancel checkout session authorization",
        description: "Void the authorization of a checkout session (`fcs_…`): its payment intents \
are canceled, the hold on the buyer's card is released, and the session becomes `canceled`. \
Gives up the sale; cannot be undone. No money is charged. Repeating it has no further effect.",
        kind: Kind::DestructiveIdempotent,
        input_schema: schema_in::<SessionAction>,
        output_schema: schema_out::<SessionOut>,
    }),
    tool!(reauth_checkout_session {
        group: Group::Checkout,
        title: "Re-authorize checkout session",
        description: "Re-authorize a checkout session (`fcs_…`) whose card hold expired, placing \
a new hold for the same amount. No money is captured (capture it later with \
`capture_checkout_session`); the buyer's bank may decline.",
        kind: Kind::Create,
        input_schema: schema_in::<SessionAction>,
        output_schema: schema_out::<SessionOut>,
    }),
    tool!(refund_checkout_session {
        group: Group::Refunds,
        title: "Refund checkout session",
        description: "Refund a `complete` checkout session (`fcs_…`): the main refund path. Give \
`amount` (integer cents USD) or per-line `line_items`, or neither for a full refund. Moves money \
back to the buyer; cannot be undone. Flex answers 422 when the session is not complete or the \
amount exceeds what remains (check `amount_total` − `amount_refunded` with \
`get_checkout_session`). Split carts are refunded across both cards; see \
`preview_refund_allocation`. Returns the session with its `refunds` (`fre_…`).",
        kind: Kind::Destructive,
        input_schema: schema_in::<RefundSession>,
        output_schema: schema_out::<SessionOut>,
    }),
    tool!(preview_capture_allocation {
        group: Group::Checkout,
        title: "Preview capture allocation",
        description: "Preview how a capture of a checkout session (`fcs_…`) would split across \
its payment methods (cents per card). Same arguments as `capture_checkout_session`; no side \
effects, nothing is captured. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<CaptureSession>,
        output_schema: schema_out::<AllocationsOut>,
    }),
    tool!(preview_refund_allocation {
        group: Group::Checkout,
        title: "Preview refund allocation",
        description: "Preview how a refund of a checkout session (`fcs_…`) would split across its \
payment methods (cents per card, HSA/FSA card first on split carts). Same arguments as \
`refund_checkout_session`, plus optional `payment_methods`; no side effects, nothing is \
refunded. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<RefundSession>,
        output_schema: schema_out::<AllocationsOut>,
    }),
];
