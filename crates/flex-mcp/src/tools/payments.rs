//! Payment intents, captures and refunds (`/v1/payment_intents`, `/v1/captures`,
//! `/v1/refunds`), plus `refund_capture`, which Flex has no endpoint for (reference §6.5): it
//! reads the capture and refunds its items through `POST /v1/refunds`, one per payment intent,
//! until the requested amount is covered.

use flex_api::{Expand, Expandable};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::args::{
    CaptureId, Cents, CheckoutSessionId, CustomerId, IdempotencyKey, Limit, Metadata,
    PaymentIntentId, RefundId,
};
use super::out::{IdRef, Page, Timestamp, projection};
use super::rest::{input, key, page_view, query, to_json, view};
use super::{Kind, ToolCtx, ToolDef, ToolError, schema_in, schema_out, tool};
use crate::groups::Group;

projection!(
    /// Why the last payment attempt failed.
    PaymentError from flex_api::PaymentError {
    /// Error code (e.g. `card_declined`).
    code: String,
    /// Bank's decline code (e.g. `insufficient_funds`).
    decline_code: String,
    /// Message.
    message: String,
});

projection!(
    /// A payment intent, trimmed.
    PaymentIntentOut = "payment_intents", payment_intent_id from flex_api::PaymentIntent {
    /// Payment intent id (`fpi_…`).
    payment_intent_id: String,
    /// `requires_payment_method`, `requires_capture`, `processing`, `succeeded`, `canceled`, ….
    status: String,
    /// Amount, integer cents USD.
    amount: i64,
    /// Authorized and still capturable, cents.
    amount_capturable: i64,
    /// Received, cents.
    amount_received: i64,
    /// `automatic` or `manual`.
    capture_method: String,
    /// `primary` or `secondary` card on a split cart.
    payment_card_type: String,
    /// Buyer (`fcus_…`).
    customer: IdRef,
    /// Buyer's email (when Flex expanded the customer).
    customer_email: String = intent_email,
    /// Payment method charged (`fpm_…` or a Stripe id).
    payment_method: IdRef,
    /// Invoice paid by it (`fin_…`).
    invoice: IdRef,
    /// Letter-of-medical-necessity fee, cents.
    letter_fee_amount: i64,
    /// Flex transaction fee, cents.
    transaction_fee: i64,
    /// Why the last attempt failed.
    last_payment_error: PaymentError,
    /// Merchant metadata.
    metadata: Metadata,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

projection!(
    /// One payment intent's part of a capture.
    CaptureItemOut from flex_api::CaptureItem {
    /// Capture item id (`fcapi_…`).
    capture_item_id: String,
    /// Payment intent charged (`fpi_…`).
    payment_intent: IdRef,
    /// Price captured (`fprice_…`).
    price: IdRef,
    /// Captured, cents.
    amount_captured: i64,
});

projection!(
    /// A capture, trimmed.
    CaptureOut = "captures", capture_id from flex_api::Capture {
    /// Capture id (`fcap_…`).
    capture_id: String,
    /// Checkout session captured (`fcs_…`), when Flex says.
    checkout_session: IdRef,
    /// Total captured, integer cents USD.
    amount_captured: i64,
    /// Shipping part, cents.
    amount_shipping_captured: i64,
    /// Discount part, cents.
    amount_discount_captured: i64,
    /// Tax part, cents.
    amount_tax_captured: i64,
    /// One item per payment intent charged.
    items: Vec<CaptureItemOut>,
    /// Merchant metadata.
    metadata: Metadata,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was captured (ISO-8601).
    created_at: Timestamp,
});

projection!(
    /// One payment intent's part of a refund (split carts).
    RefundItemOut from flex_api::RefundItem {
    /// Payment intent refunded (`fpi_…`).
    payment_intent: IdRef,
    /// Payment method credited (`fpm_…`).
    payment_method_id: String,
    /// Refunded, cents.
    amount_refunded: i64,
});

projection!(
    /// A refund, trimmed.
    RefundOut = "refunds", refund_id from flex_api::Refund {
    /// Refund id (`fre_…`).
    refund_id: String,
    /// Payment intent refunded (`fpi_…`).
    payment_intent_id: String,
    /// Amount, integer cents USD.
    amount: i64,
    /// `pending`, `requires_action`, `succeeded`, `failed` or `canceled`.
    status: String,
    /// `duplicate`, `fraudulent`, `requested_by_customer`, ….
    reason: String,
    /// Acquirer reference number (ARN) once available: give it to a buyer asking where the money is.
    reference_id: String,
    /// `pending`, `available` or `unavailable`.
    reference_status: String,
    /// Split-cart breakdown.
    items: Vec<RefundItemOut>,
    /// Subscription refunded (`fsub_…`).
    subscription_id: String,
    /// Invoice refunded (`fin_…`).
    invoice_id: String,
    /// Merchant metadata.
    metadata: Metadata,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

/// The buyer's email, when Flex expanded the customer.
fn intent_email(pi: &flex_api::PaymentIntent) -> Option<String> {
    pi.customer
        .as_ref()
        .and_then(Expandable::object)
        .and_then(|c| c.email.clone())
}

/// Payment intent reads expand the customer, so the result carries the buyer's email.
const EXPAND_CUSTOMER: Expand = Expand {
    expand: None,
    expand_customer: Some(true),
    expand_payment_intent: None,
    expand_product: None,
};

/// Arguments of `list_payment_intents`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListIntents {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<PaymentIntentId>,
    /// Cursor for the previous page.
    ending_before: Option<PaymentIntentId>,
    /// Only this customer's payments (`fcus_…`). To search by email, find the customer with
    /// `list_customers` first.
    customer: Option<CustomerId>,
    /// Only the payments of this checkout session (`fcs_…`).
    checkout_session: Option<CheckoutSessionId>,
    /// Only payments created in the last N days (e.g. 7), 0–3650.
    #[schemars(range(max = 3650))]
    interval: Option<u16>,
}

async fn list_payment_intents(ctx: ToolCtx, a: ListIntents) -> Result<Value, ToolError> {
    if a.interval.is_some_and(|d| d > 3650) {
        return Err(ToolError::field(
            "interval",
            "must be between 0 and 3650 days",
        ));
    }
    let mut q: flex_api::ListPaymentIntents = query(&a, &[])?;
    q.expand_customer = Some(true);
    let page = ctx.api.payment_intents().list(&q).await?;
    Ok(page_view::<PaymentIntentOut, _>(&page))
}

/// Arguments of `get_payment_intent`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetIntent {
    /// Payment intent id (`fpi_…`).
    payment_intent_id: PaymentIntentId,
}

async fn get_payment_intent(ctx: ToolCtx, a: GetIntent) -> Result<Value, ToolError> {
    let pi = ctx
        .api
        .payment_intents()
        .retrieve_with(&a.payment_intent_id.0, &EXPAND_CUSTOMER)
        .await?;
    Ok(view::<PaymentIntentOut, _>(&pi))
}

/// Arguments of `cancel_payment_intent`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CancelIntent {
    /// Payment intent id (`fpi_…`); it must not have succeeded yet.
    payment_intent_id: PaymentIntentId,
    /// Reuse on a retry: applied once.
    idempotency_key: Option<IdempotencyKey>,
}

async fn cancel_payment_intent(ctx: ToolCtx, a: CancelIntent) -> Result<Value, ToolError> {
    let pi = ctx
        .api
        .payment_intents()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .cancel(&a.payment_intent_id.0)
        .await?;
    Ok(view::<PaymentIntentOut, _>(&pi))
}

/// Arguments of `list_captures`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListCaptures {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<CaptureId>,
    /// Cursor for the previous page.
    ending_before: Option<CaptureId>,
    /// Only captures of this checkout session (`fcs_…`).
    checkout_session: Option<CheckoutSessionId>,
}

async fn list_captures(ctx: ToolCtx, a: ListCaptures) -> Result<Value, ToolError> {
    let page = ctx.api.captures().list(&query(&a, &[])?).await?;
    Ok(page_view::<CaptureOut, _>(&page))
}

/// Arguments of `get_capture`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetCapture {
    /// Capture id (`fcap_…`).
    capture_id: CaptureId,
}

async fn get_capture(ctx: ToolCtx, a: GetCapture) -> Result<Value, ToolError> {
    let capture = ctx.api.captures().retrieve(&a.capture_id.0).await?;
    Ok(view::<CaptureOut, _>(&capture))
}

/// Arguments of `update_capture`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateCapture {
    /// Capture id (`fcap_…`).
    capture_id: CaptureId,
    /// Replaces the metadata.
    metadata: Metadata,
    /// Reuse on a retry: applied once.
    idempotency_key: Option<IdempotencyKey>,
}

async fn update_capture(ctx: ToolCtx, a: UpdateCapture) -> Result<Value, ToolError> {
    let capture = ctx
        .api
        .captures()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .update(&a.capture_id.0, &input(&a, &["capture_id"])?)
        .await?;
    Ok(view::<CaptureOut, _>(&capture))
}

/// Why a refund is made.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RefundReason {
    Duplicate,
    Fraudulent,
    RequestedByCustomer,
}

/// One refund `refund_capture` makes: a capture item's payment intent, its share of the amount.
#[derive(Serialize)]
struct ItemRefund<'a> {
    payment_intent_id: &'a str,
    amount: i64,
    reason: Option<RefundReason>,
    metadata: Option<&'a Metadata>,
}

/// Arguments of `refund_capture`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefundCapture {
    /// Capture id (`fcap_…`).
    capture_id: CaptureId,
    /// Amount to refund, integer cents USD, at most what of the capture is still unrefunded.
    /// Omit to refund all of that.
    amount: Option<Cents>,
    /// Why it is refunded.
    reason: Option<RefundReason>,
    /// Metadata for each refund.
    metadata: Option<Metadata>,
    /// Optional Idempotency-Key: each refund this call makes uses `<key>-<item number>`, so a
    /// retry with the same key never refunds twice.
    idempotency_key: Option<IdempotencyKey>,
}

/// What `refund_capture` did.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct RefundCaptureOut {
    /// The capture refunded (`fcap_…`).
    capture_id: String,
    /// Amount asked for, integer cents (all that was still unrefunded when no amount was given).
    amount_requested: i64,
    /// Amount actually refunded by this call, integer cents.
    amount_refunded: i64,
    /// True when `amount_refunded` covers `amount_requested`.
    complete: bool,
    /// The refunds created (`fre_…`), one per payment intent touched.
    refunds: Vec<RefundOut>,
    /// When a later refund failed after earlier ones succeeded: what Flex said. Money already
    /// refunded stays refunded; check `list_refunds` with the payment intent before retrying.
    error: Option<String>,
}

async fn refund_capture(ctx: ToolCtx, a: RefundCapture) -> Result<Value, ToolError> {
    let capture = ctx.api.captures().retrieve(&a.capture_id.0).await?;
    // (payment intent, refundable amount) per item, in the capture's order.
    let mut items: Vec<(String, i64)> = Vec::new();
    for item in capture.items.iter().flatten() {
        let (Some(pi), Some(captured)) = (&item.payment_intent, item.amount_captured) else {
            continue;
        };
        if captured > 0 && !pi.id().is_empty() {
            let left = unrefunded(&ctx, pi.id()).await?;
            items.push((pi.id().to_owned(), captured.min(left)));
        }
    }
    items.retain(|(_, amount)| *amount > 0);
    let refundable: i64 = items.iter().map(|(_, a)| a).sum();
    if refundable == 0 {
        return Err(ToolError::field(
            "capture_id",
            format!(
                "capture {} has nothing left to refund (never captured, or already refunded); \
                 check `get_capture` and `list_refunds`",
                a.capture_id.0
            ),
        ));
    }
    let requested = a.amount.map_or(refundable, |c| c.0);
    if requested > refundable {
        return Err(ToolError::field(
            "amount",
            format!(
                "{requested} cents is more than the {refundable} cents of this capture still \
                 unrefunded; give at most {refundable} (or omit `amount` to refund all of it)"
            ),
        ));
    }

    let mut refunds = Vec::new();
    let mut remaining = requested;
    let mut error = None;
    for (n, (payment_intent, item_amount)) in items.iter().enumerate() {
        if remaining == 0 {
            break;
        }
        let amount = remaining.min(*item_amount);
        let body: flex_api::CreateRefund = input(
            &ItemRefund {
                payment_intent_id: payment_intent,
                amount,
                reason: a.reason,
                metadata: a.metadata.as_ref(),
            },
            &[],
        )?;
        let handle = ctx.api.refunds().with_idempotency_key_opt(
            a.idempotency_key
                .as_ref()
                .map(|k| format!("{}-{}", k.0, n + 1)),
        );
        match handle.create(&body).await {
            Ok(refund) => {
                let r = RefundOut::from(&refund);
                remaining -= r.amount.unwrap_or(amount);
                refunds.push(r);
            }
            // Nothing refunded yet: a plain Flex error, surfaced as such.
            Err(e) if refunds.is_empty() => return Err(e.into()),
            // Some money already went back: say so rather than hide it behind an error.
            Err(e) => {
                error = Some(format!(
                    "refund of {amount} cents on {payment_intent} failed: {e}"
                ));
                break;
            }
        }
    }
    let refunded = requested - remaining;
    Ok(to_json(&RefundCaptureOut {
        capture_id: a.capture_id.0,
        amount_requested: requested,
        amount_refunded: refunded,
        complete: remaining == 0,
        refunds,
        error,
    }))
}

/// What remains unrefunded on a payment intent: received minus refunds that did not fail.
async fn unrefunded(ctx: &ToolCtx, payment_intent: &str) -> Result<i64, ToolError> {
    let pi = ctx.api.payment_intents().retrieve(payment_intent).await?;
    let received = pi.amount_received.unwrap_or(0);
    let refunds = ctx
        .api
        .refunds()
        .list(&flex_api::ListRefunds {
            payment_intent: Some(payment_intent.to_owned()),
            limit: Some(100),
            ..Default::default()
        })
        .await?;
    let refunded: i64 = refunds
        .items
        .iter()
        .filter(|r| !matches!(r.status.as_deref(), Some("failed" | "canceled")))
        .filter_map(|r| r.amount)
        .sum();
    Ok((received - refunded).max(0))
}

/// Arguments of `create_refund`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateRefund {
    /// Payment intent to refund (`fpi_…`).
    payment_intent_id: PaymentIntentId,
    /// Amount, integer cents USD (4999 = $49.99), at most what remains unrefunded. Omit to
    /// refund everything that remains.
    amount: Option<Cents>,
    /// Why it is refunded.
    reason: Option<RefundReason>,
    /// Merchant metadata (e.g. a support ticket id).
    metadata: Option<Metadata>,
    /// Reuse on a retry: never refunds twice.
    idempotency_key: Option<IdempotencyKey>,
}

async fn create_refund(ctx: ToolCtx, a: CreateRefund) -> Result<Value, ToolError> {
    let refund = ctx
        .api
        .refunds()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .create(&input(&a, &[])?)
        .await?;
    Ok(view::<RefundOut, _>(&refund))
}

/// Refund status, for filtering.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RefundStatus {
    Pending,
    RequiresAction,
    Succeeded,
    Failed,
    Canceled,
}

/// Arguments of `list_refunds`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListRefunds {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<RefundId>,
    /// Cursor for the previous page.
    ending_before: Option<RefundId>,
    /// Only refunds in this status.
    status: Option<RefundStatus>,
    /// Only refunds of this payment intent (`fpi_…`).
    payment_intent: Option<PaymentIntentId>,
    /// Only refunds of this checkout session (`fcs_…`).
    checkout_session: Option<CheckoutSessionId>,
}

async fn list_refunds(ctx: ToolCtx, a: ListRefunds) -> Result<Value, ToolError> {
    let page = ctx.api.refunds().list(&query(&a, &[])?).await?;
    Ok(page_view::<RefundOut, _>(&page))
}

/// Arguments of `get_refund`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetRefund {
    /// Refund id (`fre_…`).
    refund_id: RefundId,
}

async fn get_refund(ctx: ToolCtx, a: GetRefund) -> Result<Value, ToolError> {
    let refund = ctx.api.refunds().retrieve(&a.refund_id.0).await?;
    Ok(view::<RefundOut, _>(&refund))
}

/// Arguments of `update_refund`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateRefund {
    /// Refund id (`fre_…`).
    refund_id: RefundId,
    /// New reason: `duplicate`, `fraudulent` or `requested_by_customer`.
    reason: Option<RefundReason>,
    /// Replaces the metadata.
    metadata: Option<Metadata>,
    /// Reuse on a retry: applied once.
    idempotency_key: Option<IdempotencyKey>,
}

async fn update_refund(ctx: ToolCtx, a: UpdateRefund) -> Result<Value, ToolError> {
    let refund = ctx
        .api
        .refunds()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .update(&a.refund_id.0, &input(&a, &["refund_id"])?)
        .await?;
    Ok(view::<RefundOut, _>(&refund))
}

pub(super) const TOOLS: &[ToolDef] = &[
    tool!(list_payment_intents {
        group: Group::Support,
        title: "List payment intents",
        description: "List payment intents (`fpi_…`, individual card payments), newest first: \
status, amount in integer cents USD, buyer email. Filter by `customer` (`fcus_…`; to search by \
email, call `list_customers` with `email` first), `checkout_session` or `interval` (last N days). \
Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListIntents>,
        output_schema: schema_out::<Page<PaymentIntentOut>>,
    }),
    tool!(get_payment_intent {
        group: Group::Support,
        title: "Get payment intent",
        description: "Get one payment intent (`fpi_…`): status, amount, capturable and received \
amounts in integer cents USD, buyer and email, split-cart role, last failure. Read-only. For its \
refunds call `list_refunds` with `payment_intent`; for its session `list_checkout_sessions` with \
`payment_intent`.",
        kind: Kind::Read,
        input_schema: schema_in::<GetIntent>,
        output_schema: schema_out::<PaymentIntentOut>,
    }),
    tool!(cancel_payment_intent {
        group: Group::Checkout,
        title: "Cancel payment intent",
        description: "Cancel a payment intent (`fpi_…`) that has not succeeded: the authorization \
is voided and it can no longer be captured. Gives up the payment; cannot be undone. No money is \
charged. Repeating it has no further effect. For a whole order prefer \
`cancel_checkout_session_authorization`.",
        kind: Kind::DestructiveIdempotent,
        input_schema: schema_in::<CancelIntent>,
        output_schema: schema_out::<PaymentIntentOut>,
    }),
    tool!(list_captures {
        group: Group::Support,
        title: "List captures",
        description: "List captures (`fcap_…`), the records of money actually taken, newest \
first, with amounts in integer cents USD and one item per payment intent. Filter by \
`checkout_session`. Captures have no date filter: page and compare `created_at` yourself. \
Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListCaptures>,
        output_schema: schema_out::<Page<CaptureOut>>,
    }),
    tool!(get_capture {
        group: Group::Support,
        title: "Get capture",
        description: "Get one capture (`fcap_…`): total and parts captured in integer cents USD, \
and its items (payment intent `fpi_…` and amount each). Read-only. To refund it use \
`refund_capture`.",
        kind: Kind::Read,
        input_schema: schema_in::<GetCapture>,
        output_schema: schema_out::<CaptureOut>,
    }),
    tool!(update_capture {
        group: Group::Checkout,
        title: "Update capture",
        description: "Replace the metadata of a capture (`fcap_…`), e.g. to record a fulfillment \
reference. No money moves.",
        kind: Kind::Update,
        input_schema: schema_in::<UpdateCapture>,
        output_schema: schema_out::<CaptureOut>,
    }),
    tool!(refund_capture {
        group: Group::Refunds,
        title: "Refund capture",
        description: "Refund a capture (`fcap_…`). Flex has no capture-refund endpoint, so this \
reads the capture, then refunds its items in order through `POST /v1/refunds`, one refund per \
payment intent, each at most what is still unrefunded of that item, until `amount` (integer \
cents USD) is covered; without `amount` all that is still unrefunded goes back. Moves money back \
to the buyer; cannot be undone. An amount above what remains is refused before any refund is \
sent. If a later refund \
fails after earlier ones succeeded, the result says so (`complete` false, `error`) and lists the \
refunds made. Pass `idempotency_key` so a retry never refunds twice.",
        kind: Kind::Destructive,
        input_schema: schema_in::<RefundCapture>,
        output_schema: schema_out::<RefundCaptureOut>,
    }),
    tool!(create_refund {
        group: Group::Refunds,
        title: "Create refund",
        description: "Refund a payment intent (`fpi_…`), fully or by `amount` in integer cents USD \
(4999 = $49.99). Moves money back to the buyer's card; cannot be undone. Flex answers 422 when \
the amount exceeds what remains unrefunded: check `get_payment_intent` and `list_refunds` first. \
For an order as a whole prefer `refund_checkout_session`, which handles split carts. Pass \
`idempotency_key` so a retry never refunds twice. Returns the refund (`fre_…`).",
        kind: Kind::Destructive,
        input_schema: schema_in::<CreateRefund>,
        output_schema: schema_out::<RefundOut>,
    }),
    tool!(list_refunds {
        group: Group::Refunds,
        title: "List refunds",
        description: "List refunds (`fre_…`), newest first, with amounts in integer cents USD and \
status. Filter by `payment_intent`, `checkout_session` or `status`. Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListRefunds>,
        output_schema: schema_out::<Page<RefundOut>>,
    }),
    tool!(get_refund {
        group: Group::Refunds,
        title: "Get refund",
        description: "Get one refund (`fre_…`): amount in integer cents USD, status, reason, and \
the acquirer reference number (`reference_id`) to give a buyer who asks where the money is. \
Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<GetRefund>,
        output_schema: schema_out::<RefundOut>,
    }),
    tool!(update_refund {
        group: Group::Refunds,
        title: "Update refund",
        description: "Change the reason or metadata of a refund (`fre_…`). The amount cannot \
change. No money moves.",
        kind: Kind::Update,
        input_schema: schema_in::<UpdateRefund>,
        output_schema: schema_out::<RefundOut>,
    }),
];
