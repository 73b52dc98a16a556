//! Disputes (`/v1/disputes`). Flex's one update endpoint both saves evidence and, with
//! `submit: true`, submits it for good; here that is two tools, so a model (and the policy)
//! can tell the reversible save from the irreversible submission.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::args::{DisputeId, IdempotencyKey, Limit};
use super::out::{Page, Timestamp, projection};
use super::rest::{fields, key, page_view, query, view};
use super::{Kind, ToolCtx, ToolDef, ToolError, schema_in, schema_out, tool};
use crate::groups::Group;

projection!(
    /// Evidence deadline and state.
    EvidenceDetails from flex_api::EvidenceDetails {
    /// Evidence must be submitted before this (ISO-8601).
    due_by: Timestamp,
    /// True once some evidence is saved.
    has_evidence: bool,
    /// True when the deadline has passed.
    past_due: bool,
    /// Times evidence was submitted.
    submission_count: i64,
});

projection!(
    /// A dispute, trimmed.
    DisputeOut = "disputes", dispute_id from flex_api::Dispute {
    /// Dispute id (`fdsp_…`).
    dispute_id: String,
    /// Disputed payment intent (`fpi_…`).
    payment_intent_id: String,
    /// Amount disputed, integer cents USD.
    amount: i64,
    /// `needs_response`, `under_review`, `won`, `lost`, `warning_needs_response`, ….
    status: String,
    /// Card network reason: `fraudulent`, `duplicate`, `product_not_received`, ….
    reason: String,
    /// True when the charge can still be refunded instead of fought.
    is_charge_refundable: bool,
    /// Evidence deadline and state.
    evidence_details: EvidenceDetails,
    /// The merchant's own reference.
    client_reference_id: String,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was opened (ISO-8601).
    created_at: Timestamp,
});

/// Arguments of `list_disputes`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListDisputes {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<DisputeId>,
    /// Cursor for the previous page.
    ending_before: Option<DisputeId>,
}

async fn list_disputes(ctx: ToolCtx, a: ListDisputes) -> Result<Value, ToolError> {
    let page = ctx.api.disputes().list(&query(&a, &[])?).await?;
    Ok(page_view::<DisputeOut, _>(&page))
}

/// Arguments of `get_dispute`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetDispute {
    /// Dispute id (`fdsp_…`).
    dispute_id: DisputeId,
}

async fn get_dispute(ctx: ToolCtx, a: GetDispute) -> Result<Value, ToolError> {
    let dispute = ctx.api.disputes().retrieve(&a.dispute_id.0).await?;
    Ok(view::<DisputeOut, _>(&dispute))
}

/// Evidence for a dispute. Text fields take plain text; `*_documentation`, `receipt`,
/// `*_policy`, `customer_signature` and `uncategorized_file` take a file id from `list_files`.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Evidence {
    /// Log of the buyer's access to the product or service (text).
    access_activity_log: Option<String>,
    /// Buyer's billing address (text).
    billing_address: Option<String>,
    /// Cancellation policy (file id).
    cancellation_policy: Option<String>,
    /// How the cancellation policy was shown to the buyer (text).
    cancellation_policy_disclosure: Option<String>,
    /// Why the buyer was not entitled to cancel (text).
    cancellation_rebuttal: Option<String>,
    /// Correspondence with the buyer (file id).
    customer_communication: Option<String>,
    /// Buyer's email address.
    customer_email_address: Option<String>,
    /// Buyer's name.
    customer_name: Option<String>,
    /// Buyer's IP address at purchase.
    customer_purchase_ip: Option<String>,
    /// Buyer's signature (file id).
    customer_signature: Option<String>,
    /// Proof the other charge is separate (file id).
    duplicate_charge_documentation: Option<String>,
    /// Why the charges are not duplicates (text).
    duplicate_charge_explanation: Option<String>,
    /// The other charge's id.
    duplicate_charge_id: Option<String>,
    /// What was sold (text).
    product_description: Option<String>,
    /// Receipt (file id).
    receipt: Option<String>,
    /// Refund policy (file id).
    refund_policy: Option<String>,
    /// How the refund policy was shown to the buyer (text).
    refund_policy_disclosure: Option<String>,
    /// Why no refund was given (text).
    refund_refusal_explanation: Option<String>,
    /// When the service was provided (text, e.g. `2026-01-31`).
    service_date: Option<String>,
    /// Proof of service (file id).
    service_documentation: Option<String>,
    /// Shipping address (text).
    shipping_address: Option<String>,
    /// Carrier (text, e.g. `UPS`).
    shipping_carrier: Option<String>,
    /// Ship date (text, e.g. `2026-01-31`).
    shipping_date: Option<String>,
    /// Proof of shipping (file id).
    shipping_documentation: Option<String>,
    /// Tracking number.
    shipping_tracking_number: Option<String>,
    /// Any other document (file id).
    uncategorized_file: Option<String>,
    /// Any other explanation (text).
    uncategorized_text: Option<String>,
}

/// Arguments of `update_dispute`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateDispute {
    /// Dispute id (`fdsp_…`).
    dispute_id: DisputeId,
    /// Evidence to save; only the fields given change. Saved, not submitted.
    evidence: Evidence,
    /// Reuse on a retry: applied once.
    idempotency_key: Option<IdempotencyKey>,
}

/// Flex's one update body: the evidence given (if any), and whether to submit it for good.
fn dispute_body(evidence: Option<&Evidence>, submit: bool) -> flex_api::UpdateDispute {
    flex_api::UpdateDispute {
        evidence: evidence.map(|e| fields(e, &[])),
        submit: Some(submit),
        ..Default::default()
    }
}

/// Sends the update and trims the dispute Flex answers with.
async fn update(
    ctx: &ToolCtx,
    id: &DisputeId,
    body: &flex_api::UpdateDispute,
    idempotency_key: Option<&IdempotencyKey>,
) -> Result<Value, ToolError> {
    let dispute = ctx
        .api
        .disputes()
        .with_idempotency_key_opt(key(idempotency_key))
        .update(&id.0, body)
        .await?;
    Ok(view::<DisputeOut, _>(&dispute))
}

async fn update_dispute(ctx: ToolCtx, a: UpdateDispute) -> Result<Value, ToolError> {
    if fields(&a.evidence, &[]).is_empty() {
        return Err(ToolError::field(
            "evidence",
            "give at least one evidence field to save",
        ));
    }
    let body = dispute_body(Some(&a.evidence), false);
    update(&ctx, &a.dispute_id, &body, a.idempotency_key.as_ref()).await
}

/// Arguments of `submit_dispute`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubmitDispute {
    /// Dispute id (`fdsp_…`), status `needs_response`.
    dispute_id: DisputeId,
    /// Last evidence to save before submitting; omit to submit what `update_dispute` saved.
    evidence: Option<Evidence>,
    /// Reuse on a retry: never submits twice.
    idempotency_key: Option<IdempotencyKey>,
}

/// `submit_dispute`'s arguments without a second copy of the 27 evidence fields that
/// `update_dispute` lists (about 1.4 KB of `tools/list`); the arguments are still parsed
/// against the full evidence type, so an unknown field is refused as before.
fn submit_input() -> serde_json::Map<String, Value> {
    let mut schema = schema_in::<SubmitDispute>();
    if let Some(Value::Object(props)) = schema.get_mut("properties") {
        props.insert(
            "evidence".to_owned(),
            serde_json::json!({
                "type": "object",
                "description": "Last evidence to save before submitting, with the fields of \
                                `update_dispute`'s `evidence`; omit to submit what was saved."
            }),
        );
    }
    schema
}

async fn submit_dispute(ctx: ToolCtx, a: SubmitDispute) -> Result<Value, ToolError> {
    let body = dispute_body(a.evidence.as_ref(), true);
    update(&ctx, &a.dispute_id, &body, a.idempotency_key.as_ref()).await
}

/// Arguments of `close_dispute`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CloseDispute {
    /// Dispute id (`fdsp_…`).
    dispute_id: DisputeId,
    /// Reuse on a retry: applied once.
    idempotency_key: Option<IdempotencyKey>,
}

async fn close_dispute(ctx: ToolCtx, a: CloseDispute) -> Result<Value, ToolError> {
    let dispute = ctx
        .api
        .disputes()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .close(&a.dispute_id.0)
        .await?;
    Ok(view::<DisputeOut, _>(&dispute))
}

pub(super) const TOOLS: &[ToolDef] = &[
    tool!(list_disputes {
        group: Group::Refunds,
        title: "List disputes",
        description: "List disputes (chargebacks, `fdsp_…`), newest first: amount in integer \
cents USD, status, reason and evidence deadline (`evidence_details.due_by`, `past_due`). Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListDisputes>,
        output_schema: schema_out::<Page<DisputeOut>>,
    }),
    tool!(get_dispute {
        group: Group::Refunds,
        title: "Get dispute",
        description: "Get one dispute (`fdsp_…`): disputed payment intent (`fpi_…`), amount in \
integer cents USD, status, reason, evidence deadline and submission count. Read-only. Next: \
`update_dispute` to save evidence, `submit_dispute` to submit it, or `close_dispute` to accept it.",
        kind: Kind::Read,
        input_schema: schema_in::<GetDispute>,
        output_schema: schema_out::<DisputeOut>,
    }),
    tool!(update_dispute {
        group: Group::Refunds,
        title: "Save dispute evidence",
        description: "Save evidence on a dispute (`fdsp_…`) without submitting it; only the \
fields given change and it can be edited again until submitted. No money moves. When the \
evidence is complete, call `submit_dispute`.",
        kind: Kind::Update,
        input_schema: schema_in::<UpdateDispute>,
        output_schema: schema_out::<DisputeOut>,
    }),
    tool!(submit_dispute {
        group: Group::Refunds,
        title: "Submit dispute evidence",
        description: "Submit a dispute's (`fdsp_…`) evidence to the card network, optionally \
saving last evidence first. Final: evidence cannot be changed afterwards and the bank decides \
whether the money stays with the merchant. Cannot be undone. Check the saved evidence with \
`get_dispute` first.",
        kind: Kind::Destructive,
        input_schema: submit_input,
        output_schema: schema_out::<DisputeOut>,
    }),
    tool!(close_dispute {
        group: Group::Refunds,
        title: "Close dispute",
        description: "Accept a dispute (`fdsp_…`): the merchant forfeits the disputed money and \
the dispute becomes `lost`. Moves money for good; cannot be undone. Repeating it has no further \
effect. Only when the merchant chooses not to fight it.",
        kind: Kind::DestructiveIdempotent,
        input_schema: schema_in::<CloseDispute>,
        output_schema: schema_out::<DisputeOut>,
    }),
];
