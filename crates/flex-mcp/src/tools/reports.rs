//! Money out: balance transactions and payouts, for reconciliation against the bank.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::args::{BalanceTransactionId, Limit, PayoutId};
use super::out::{Page, Timestamp, projection};
use super::rest::{page_view, query};
use super::{Kind, ToolCtx, ToolDef, ToolError, schema_in, schema_out, tool};
use crate::groups::Group;

projection!(
    /// A balance transaction, trimmed.
    BalanceTransactionOut = "balance_transactions", balance_transaction_id from flex_api::BalanceTransaction {
    /// Balance transaction id (`fbt_…`).
    balance_transaction_id: String,
    /// What it is (e.g. `charge`, `refund`, `payout`).
    r#type: String = transaction_kind,
    /// Reporting category.
    reporting_category: String,
    /// Gross amount, integer cents USD (negative for money out).
    amount: i64,
    /// Flex fees, cents.
    fee: i64,
    /// Net = amount − fee, cents.
    net: i64,
    /// `available` or `pending`.
    status: String,
    /// When the money becomes available (ISO-8601).
    available_on: Timestamp,
    /// Checkout session it belongs to (`fcs_…`).
    checkout_session_id: String,
    /// Payment intent it belongs to (`fpi_…`).
    flex_payment_intent_id: String,
    /// The merchant's own reference.
    client_reference_id: String,
    /// Source object id.
    source_id: String,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

projection!(
    /// A payout, trimmed.
    PayoutOut = "payouts", payout_id from flex_api::Payout {
    /// Payout id (`fpo_…`).
    payout_id: String,
    /// `paid`, `in_transit`, `pending`, `failed` or `canceled`.
    status: String,
    /// Amount sent to the bank, integer cents USD.
    amount: i64,
    /// When it reaches (or reached) the bank (ISO-8601).
    arrival_date: Timestamp,
    /// Source type (e.g. `card`).
    source_type: String,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

/// `charge`, `refund`, `payout`, … (Flex's `type`).
fn transaction_kind(t: &flex_api::BalanceTransaction) -> Option<String> {
    t.kind.clone()
}

/// Arguments of `list_balance_transactions`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListBalanceTransactions {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<BalanceTransactionId>,
    /// Cursor for the previous page.
    ending_before: Option<BalanceTransactionId>,
    /// Only the entries settled in this payout (`fpo_…`): what made up one bank deposit.
    payout_id: Option<PayoutId>,
    /// Only this balance transaction (`fbt_…`).
    balance_transaction_id: Option<BalanceTransactionId>,
}

async fn list_balance_transactions(
    ctx: ToolCtx,
    a: ListBalanceTransactions,
) -> Result<Value, ToolError> {
    let page = ctx
        .api
        .balance_transactions()
        .list(&query(&a, &[])?)
        .await?;
    Ok(page_view::<BalanceTransactionOut, _>(&page))
}

/// Arguments of `list_payouts`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListPayouts {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<PayoutId>,
    /// Only this payout (`fpo_…`).
    payout_id: Option<PayoutId>,
    /// Only payouts created after this date (ISO-8601, e.g. `2026-01-01` or `2026-01-01T00:00:00Z`).
    start_date: Option<String>,
    /// Only payouts created before this date (ISO-8601).
    end_date: Option<String>,
}

fn check_date(field: &str, value: Option<&String>) -> Result<(), ToolError> {
    let Some(v) = value else { return Ok(()) };
    let ok = chrono::DateTime::parse_from_rfc3339(v).is_ok()
        || chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok();
    if ok {
        Ok(())
    } else {
        Err(ToolError::field(
            field,
            format!(
                "`{v}` is not an ISO-8601 date; write e.g. `2026-01-31` or `2026-01-31T00:00:00Z`"
            ),
        ))
    }
}

async fn list_payouts(ctx: ToolCtx, a: ListPayouts) -> Result<Value, ToolError> {
    check_date("start_date", a.start_date.as_ref())?;
    check_date("end_date", a.end_date.as_ref())?;
    let page = ctx.api.payouts().list(&query(&a, &[])?).await?;
    Ok(page_view::<PayoutOut, _>(&page))
}

pub(super) const TOOLS: &[ToolDef] = &[
    tool!(list_balance_transactions {
        group: Group::Reporting,
        title: "List balance transactions",
        description: "List balance transactions (`fbt_…`): each money movement with gross \
`amount`, Flex `fee` and `net` in integer cents USD, and its checkout session / payment intent. \
Filter by `payout_id` to see what made up one bank deposit (reconciliation). Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListBalanceTransactions>,
        output_schema: schema_out::<Page<BalanceTransactionOut>>,
    }),
    tool!(list_payouts {
        group: Group::Reporting,
        title: "List payouts",
        description: "List payouts (`fpo_…`) to the merchant's bank, newest first: amount in \
integer cents USD, status and arrival date. Filter by `start_date` / `end_date` (ISO-8601). Next: \
`list_balance_transactions` with `payout_id` for the entries inside one payout. Paged: pass `next_cursor` as `starting_after`. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<ListPayouts>,
        output_schema: schema_out::<Page<PayoutOut>>,
    }),
];
