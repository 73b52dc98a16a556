//! The rest of the API surface: payment links, setup intents, exports, files, and re-delivery
//! of webhook events.
//!
//! File upload (multipart) is left out on purpose: a model cannot hand over file bytes through
//! a JSON argument sensibly; files are uploaded in the dashboard and referenced by id.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::args::{
    CheckoutSessionId, CustomerId, IdempotencyKey, Limit, Metadata, OpaqueId, PaymentLinkId,
    SetupIntentId,
};
use super::checkout::{CaptureMethod, LineItemArgs, check_line_items};
use super::out::{IdRef, Page, Timestamp, projection};
use super::rest::{input, key, page_view, query, view};
use super::{Kind, ToolCtx, ToolDef, ToolError, schema_in, schema_out, tool};
use crate::groups::Group;

projection!(
    /// One line of a payment link.
    LinkLineOut from flex_api::PaymentLinkLineItem {
    /// Price sold (`fprice_…`).
    price: IdRef,
    /// Quantity.
    quantity: i64,
});

projection!(
    /// A payment link, trimmed.
    PaymentLinkOut = "payment_links", payment_link_id from flex_api::PaymentLink {
    /// Payment link id (`fplink_…`).
    payment_link_id: String,
    /// The shareable URL; every visit starts a new checkout session.
    url: String,
    /// Internal label.
    label: String,
    /// False once deactivated.
    active: bool,
    /// What it sells.
    line_items: Vec<LinkLineOut>,
    /// Buyers may enter promo codes.
    allow_promotion_codes: bool,
    /// Merchant metadata.
    metadata: Metadata,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

projection!(
    /// A setup intent (saving a card for later), trimmed. Its client secret is never returned.
    SetupIntentOut = "setup_intents", setup_intent_id from flex_api::SetupIntent {
    /// Setup intent id (`fsi_…`).
    setup_intent_id: String,
    /// `requires_payment_method`, `succeeded`, `canceled`, ….
    status: String,
    /// Customer (`fcus_…`).
    customer: IdRef,
    /// Saved payment method (`fpm_…`), once set up.
    payment_method: IdRef,
    /// `off_session` or `on_session`.
    usage: String,
    /// Subscription it belongs to (`fsub_…`).
    subscription_id: String,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

projection!(
    /// An export job, trimmed.
    ExportOut = "exports", export_id from flex_api::Export {
    /// Export id.
    export_id: String,
    /// What is exported.
    r#type: String = export_kind,
    /// `created`, `processing`, `completed`, `canceled`, `failed`, ….
    status: String,
    /// Description.
    description: String,
    /// When it started (ISO-8601).
    started_at: Timestamp,
    /// When it finished (ISO-8601).
    completed_at: Timestamp,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

projection!(
    /// An uploaded file, trimmed.
    FileOut = "files", file_id from flex_api::File {
    /// File id: use it in dispute evidence fields.
    file_id: String,
    /// Purpose (e.g. `dispute_evidence`).
    purpose: String,
    /// Original file name.
    filename: String,
    /// Size in bytes.
    size: i64,
    /// File type (`pdf`, `png`, `jpg`).
    r#type: String = file_kind,
    /// When it was uploaded (ISO-8601).
    created_at: Timestamp,
    /// When it expires (ISO-8601).
    expires_at: Timestamp,
});

projection!(
    /// A webhook event, trimmed.
    EventOut = "events", event_id from flex_api::Event {
    /// Event id.
    event_id: String,
    /// Event type (e.g. `checkout_session.completed`).
    event_type: String,
    /// True for test-mode events.
    test_mode: bool,
    /// When it happened (ISO-8601).
    created_at: Timestamp,
});

/// The kind of export (Flex's `type`).
fn export_kind(e: &flex_api::Export) -> Option<String> {
    e.kind.clone()
}

/// The file's MIME type or kind (Flex's `type`).
fn file_kind(f: &flex_api::File) -> Option<String> {
    f.kind.clone()
}

/// Arguments of `list_payment_links`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListPaymentLinks {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<PaymentLinkId>,
    /// Cursor for the previous page.
    ending_before: Option<PaymentLinkId>,
}

async fn list_payment_links(ctx: ToolCtx, a: ListPaymentLinks) -> Result<Value, ToolError> {
    let page = ctx.api.payment_links().list(&query(&a, &[])?).await?;
    Ok(page_view::<PaymentLinkOut, _>(&page))
}

/// Arguments of `get_payment_link`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetPaymentLink {
    /// Payment link id (`fplink_…`).
    payment_link_id: PaymentLinkId,
}

async fn get_payment_link(ctx: ToolCtx, a: GetPaymentLink) -> Result<Value, ToolError> {
    let link = ctx
        .api
        .payment_links()
        .retrieve(&a.payment_link_id.0)
        .await?;
    Ok(view::<PaymentLinkOut, _>(&link))
}

/// How payments made through the link are captured.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PaymentIntentData {
    /// `automatic` (default) or `manual` (authorize, capture later).
    capture_method: Option<CaptureMethod>,
}

/// Where to send the buyer to after a redirect completion.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RedirectArgs {
    /// Absolute URL (https://…).
    url: String,
}

/// The message on Flex's own confirmation page.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfirmationArgs {
    /// Message shown after payment.
    custom_message: Option<String>,
}

/// What happens after payment.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CompletionType {
    Redirect,
    HostedConfirmation,
}

/// What the buyer sees after paying.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AfterCompletion {
    /// `redirect` (then give `redirect.url`) or `hosted_confirmation`.
    r#type: CompletionType,
    /// Redirect target, for type `redirect`.
    redirect: Option<RedirectArgs>,
    /// Confirmation page text, for type `hosted_confirmation`.
    hosted_confirmation: Option<ConfirmationArgs>,
}

/// Arguments of `create_payment_link`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreatePaymentLink {
    /// What the link sells: 1–20 lines, each a price (`fprice_…`) or `price_data`.
    line_items: Vec<LineItemArgs>,
    /// Internal label (e.g. `Instagram spring campaign`).
    label: Option<String>,
    /// Let buyers enter promo codes.
    allow_promotion_codes: Option<bool>,
    /// Ask buyers for a shipping address.
    shipping_address_collection: Option<bool>,
    /// Capture settings for the payments made through the link.
    payment_intent_data: Option<PaymentIntentData>,
    /// What the buyer sees after paying.
    after_completion: Option<AfterCompletion>,
    /// Merchant metadata.
    metadata: Option<Metadata>,
    /// Reuse on a retry: never a duplicate.
    idempotency_key: Option<IdempotencyKey>,
}

async fn create_payment_link(ctx: ToolCtx, a: CreatePaymentLink) -> Result<Value, ToolError> {
    if a.line_items.is_empty() || a.line_items.len() > 20 {
        return Err(ToolError::field("line_items", "give 1 to 20 lines"));
    }
    check_line_items("line_items", &a.line_items)?;
    if let Some(done) = &a.after_completion
        && matches!(done.r#type, CompletionType::Redirect)
        && done.redirect.is_none()
    {
        return Err(ToolError::field(
            "after_completion.redirect",
            "required when type is `redirect`: give {\"url\": \"https://…\"}",
        ));
    }
    let link = ctx
        .api
        .payment_links()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .create(&input(&a, &[])?)
        .await?;
    Ok(view::<PaymentLinkOut, _>(&link))
}

/// Arguments of `list_setup_intents`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListSetupIntents {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<SetupIntentId>,
    /// Cursor for the previous page.
    ending_before: Option<SetupIntentId>,
    /// Only this customer's setup intents (`fcus_…`).
    customer: Option<CustomerId>,
}

async fn list_setup_intents(ctx: ToolCtx, a: ListSetupIntents) -> Result<Value, ToolError> {
    let page = ctx.api.setup_intents().list(&query(&a, &[])?).await?;
    Ok(page_view::<SetupIntentOut, _>(&page))
}

/// Arguments of `create_setup_intent`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateSetupIntent {
    /// The merchant's Flex partner id, as shown in the dashboard.
    partner_id: Option<String>,
    /// Checkout session (`fcs_…`) whose buyer saves a card.
    checkout_session: Option<CheckoutSessionId>,
    /// Reuse on a retry: never a duplicate.
    idempotency_key: Option<IdempotencyKey>,
}

async fn create_setup_intent(ctx: ToolCtx, a: CreateSetupIntent) -> Result<Value, ToolError> {
    let intent = ctx
        .api
        .setup_intents()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .create(&input(&a, &[])?)
        .await?;
    Ok(view::<SetupIntentOut, _>(&intent))
}

/// Arguments of `create_export`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateExport {
    /// What to export: `payment`, `subscription`, `customer`, `checkout_session` or `product`.
    #[schemars(regex(pattern = r"^[a-z_]{1,40}$"))]
    r#type: String,
    /// Filters per kind, e.g. `{"payment": {"customer": "fcus_…", "limit": 1000}}`.
    filters: Option<BTreeMap<String, Value>>,
    /// Description, for finding it later.
    description: Option<String>,
    /// Merchant metadata.
    metadata: Option<Metadata>,
    /// Optional Idempotency-Key: send the same key to retry safely without starting a second export.
    idempotency_key: Option<IdempotencyKey>,
}

async fn create_export(ctx: ToolCtx, a: CreateExport) -> Result<Value, ToolError> {
    let ok = !a.r#type.is_empty()
        && a.r#type.len() <= 40
        && a.r#type
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_');
    if !ok {
        return Err(ToolError::field(
            "type",
            "give a kind in lowercase snake_case: `payment`, `subscription`, `customer`, \
             `checkout_session` or `product`",
        ));
    }
    let export = ctx
        .api
        .exports()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .create(&input(&a, &[])?)
        .await?;
    Ok(view::<ExportOut, _>(&export))
}

/// Arguments of `get_export`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetExport {
    /// Export id, as returned by `create_export`.
    export_id: OpaqueId,
}

async fn get_export(ctx: ToolCtx, a: GetExport) -> Result<Value, ToolError> {
    let export = ctx.api.exports().retrieve(&a.export_id.0).await?;
    Ok(view::<ExportOut, _>(&export))
}

/// Arguments of `cancel_export`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CancelExport {
    /// Export id, as returned by `create_export`.
    export_id: OpaqueId,
    /// Reuse on a retry: applied once.
    idempotency_key: Option<IdempotencyKey>,
}

async fn cancel_export(ctx: ToolCtx, a: CancelExport) -> Result<Value, ToolError> {
    let export = ctx
        .api
        .exports()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .cancel(&a.export_id.0)
        .await?;
    Ok(view::<ExportOut, _>(&export))
}

/// Arguments of `list_files`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListFiles {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<OpaqueId>,
    /// Cursor for the previous page.
    ending_before: Option<OpaqueId>,
    /// Only files with this purpose (e.g. `dispute_evidence`).
    #[schemars(regex(pattern = r"^[a-z_]{1,60}$"))]
    purpose: Option<String>,
}

async fn list_files(ctx: ToolCtx, a: ListFiles) -> Result<Value, ToolError> {
    let page = ctx.api.files().list(&query(&a, &[])?).await?;
    Ok(page_view::<FileOut, _>(&page))
}

/// Arguments of `get_file`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetFile {
    /// File id, as returned by `list_files`.
    file_id: OpaqueId,
}

async fn get_file(ctx: ToolCtx, a: GetFile) -> Result<Value, ToolError> {
    let file = ctx.api.files().retrieve(&a.file_id.0).await?;
    Ok(view::<FileOut, _>(&file))
}

/// Arguments of `retry_event`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RetryEvent {
    /// Event id to deliver again.
    event_id: OpaqueId,
    /// Webhook endpoint id to deliver it to.
    webhook_id: OpaqueId,
    /// Reuse on a retry: never delivers twice.
    idempotency_key: Option<IdempotencyKey>,
}

async fn retry_event(ctx: ToolCtx, a: RetryEvent) -> Result<Value, ToolError> {
    let event = ctx
        .api
        .events()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .retry(&a.event_id.0, &input(&a, &["event_id"])?)
        .await?;
    Ok(view::<EventOut, _>(&event))
}

pub(super) const TOOLS: &[ToolDef] = &[
    tool!(list_payment_links {
        group: Group::Offers,
        title: "List payment links",
        description: "List payment links (`fplink_…`), newest first: URL, label, what each sells, \
active flag. Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListPaymentLinks>,
        output_schema: schema_out::<Page<PaymentLinkOut>>,
    }),
    tool!(get_payment_link {
        group: Group::Offers,
        title: "Get payment link",
        description: "Get one payment link (`fplink_…`): its shareable URL, label, lines (price \
`fprice_…` and quantity) and settings. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<GetPaymentLink>,
        output_schema: schema_out::<PaymentLinkOut>,
    }),
    tool!(create_payment_link {
        group: Group::Offers,
        title: "Create payment link",
        description: "Create a reusable payment link (`fplink_…`) for prices (`fprice_…`) or \
`price_data` (product + unit_amount in integer cents USD); share its `url`, and every visit \
starts a new checkout session. No money moves until a buyer pays. Creates a new link each call \
(pass `idempotency_key` to retry safely).",
        kind: Kind::Create,
        input_schema: schema_in::<CreatePaymentLink>,
        output_schema: schema_out::<PaymentLinkOut>,
    }),
    tool!(list_setup_intents {
        group: Group::Subscriptions,
        title: "List setup intents",
        description: "List setup intents (`fsi_…`), the records of buyers saving a card for later \
charges, newest first; filter by `customer`. Client secrets are never shown. Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListSetupIntents>,
        output_schema: schema_out::<Page<SetupIntentOut>>,
    }),
    tool!(create_setup_intent {
        group: Group::Subscriptions,
        title: "Create setup intent",
        description: "Start saving a buyer's card for later off-session charges (`fsi_…`), for a \
checkout session (`fcs_…`). No money moves. Creates a new object each call (pass \
`idempotency_key` to retry safely). A checkout session in `setup` mode is usually simpler.",
        kind: Kind::Create,
        input_schema: schema_in::<CreateSetupIntent>,
        output_schema: schema_out::<SetupIntentOut>,
    }),
    tool!(create_export {
        group: Group::Reporting,
        title: "Create export",
        description: "Start an asynchronous export of payments, subscriptions, customers, \
checkout sessions or products, optionally filtered. No money moves. Creates a new export job \
each call (pass `idempotency_key` to retry safely). Poll it with `get_export` until `status` is \
final.",
        kind: Kind::Create,
        input_schema: schema_in::<CreateExport>,
        output_schema: schema_out::<ExportOut>,
    }),
    tool!(get_export {
        group: Group::Reporting,
        title: "Get export",
        description: "Get an export job's status (`created`, `processing`, `completed`, …), type \
and timing. Read-only; use it to poll after `create_export`.",
        kind: Kind::Read,
        input_schema: schema_in::<GetExport>,
        output_schema: schema_out::<ExportOut>,
    }),
    tool!(cancel_export {
        group: Group::Reporting,
        title: "Cancel export",
        description: "Cancel a running export job. The job stops for good and cannot be resumed \
(start a new one with `create_export`); cannot be undone. No money moves. Repeating it has no \
further effect.",
        kind: Kind::DestructiveIdempotent,
        input_schema: schema_in::<CancelExport>,
        output_schema: schema_out::<ExportOut>,
    }),
    tool!(list_files {
        group: Group::Reporting,
        title: "List files",
        description: "List uploaded files (PDF, PNG, JPEG), newest first, optionally by `purpose` \
(e.g. `dispute_evidence`). Use a file id in dispute evidence fields. Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListFiles>,
        output_schema: schema_out::<Page<FileOut>>,
    }),
    tool!(get_file {
        group: Group::Reporting,
        title: "Get file",
        description: "Get one uploaded file's details: purpose, name, size in bytes, type, \
expiry. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<GetFile>,
        output_schema: schema_out::<FileOut>,
    }),
    tool!(retry_event {
        group: Group::Webhooks,
        title: "Retry webhook event",
        description: "Deliver a webhook event again to one webhook endpoint, e.g. after the \
merchant's server missed it. The receiver sees the event a second time; no money moves. Each \
call sends another delivery (pass `idempotency_key` to retry safely).",
        kind: Kind::Create,
        input_schema: schema_in::<RetryEvent>,
        output_schema: schema_out::<EventOut>,
    }),
];
