//! Customers and their saved payment methods (`/v1/customers`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::args::{
    CheckoutSessionId, CustomerId, IdempotencyKey, Limit, Metadata, PaymentMethodId,
};
use super::out::{Address, IdRef, Page, Timestamp, projection};
use super::rest::{input, key, page_view, query, view};
use super::{Kind, ToolCtx, ToolDef, ToolError, schema_in, schema_out, tool};
use crate::groups::Group;

projection!(
    /// A customer, trimmed.
    CustomerOut = "customers", customer_id from flex_api::Customer {
    /// Customer id (`fcus_…`).
    customer_id: String,
    /// First name.
    first_name: String,
    /// Last name.
    last_name: String,
    /// Email address.
    email: String,
    /// Phone, E.164 (e.g. `+15555555555`).
    phone: String,
    /// Employer, when given.
    employer: String,
    /// Shipping address.
    shipping: Address,
    /// Merchant metadata.
    metadata: Metadata,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was created (ISO-8601).
    created_at: Timestamp,
});

projection!(
    /// Card details of a payment method (never the full number).
    CardOut from flex_api::Card {
    /// Card brand (e.g. `visa`, `american_express`).
    brand: String,
    /// Last four digits.
    last4: String,
    /// Expiry month, 1–12.
    exp_month: i64,
    /// Expiry year.
    exp_year: i64,
    /// `credit`, `debit`, ….
    funding: String,
});

projection!(
    /// A saved payment method, trimmed.
    PaymentMethodOut = "payment_methods", payment_method_id from flex_api::PaymentMethod {
    /// Payment method id (`fpm_…`).
    payment_method_id: String,
    /// Owner (`fcus_…`).
    customer: IdRef,
    /// Card details.
    card: CardOut,
    /// True when it may be charged without the customer present.
    off_session: bool,
    /// True for test-mode objects.
    test_mode: bool,
    /// When it was saved (ISO-8601).
    created_at: Timestamp,
});

/// A postal address in a request.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddressArgs {
    /// Street line 1.
    line1: String,
    /// Street line 2 (apartment, suite).
    line2: Option<String>,
    /// City.
    city: String,
    /// State: two-letter US state code (e.g. `CA`).
    state: String,
    /// Postal (ZIP) code.
    postal_code: String,
    /// Two-letter country code (`US`).
    country: String,
}

/// Arguments of `list_customers`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListCustomers {
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<CustomerId>,
    /// Cursor for the previous page.
    ending_before: Option<CustomerId>,
    /// Only the customer(s) with exactly this email address.
    email: Option<String>,
}

async fn list_customers(ctx: ToolCtx, a: ListCustomers) -> Result<Value, ToolError> {
    let page = ctx.api.customers().list(&query(&a, &[])?).await?;
    Ok(page_view::<CustomerOut, _>(&page))
}

/// Arguments of `get_customer`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetCustomer {
    /// Customer id (`fcus_…`).
    customer_id: CustomerId,
}

async fn get_customer(ctx: ToolCtx, a: GetCustomer) -> Result<Value, ToolError> {
    let customer = ctx.api.customers().retrieve(&a.customer_id.0).await?;
    Ok(view::<CustomerOut, _>(&customer))
}

/// Arguments of `create_customer`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateCustomer {
    /// First name (recommended).
    first_name: Option<String>,
    /// Last name (recommended).
    last_name: Option<String>,
    /// Email address (recommended; `list_customers` finds customers by it).
    email: Option<String>,
    /// Phone in E.164 form, e.g. `+15555555555` (recommended).
    phone: Option<String>,
    /// Employer (some HSA/FSA plans ask for it).
    employer: Option<String>,
    /// Shipping address.
    shipping: Option<AddressArgs>,
    /// Attach the customer to this checkout session (`fcs_…`).
    checkout_session_id: Option<CheckoutSessionId>,
    /// Merchant metadata.
    metadata: Option<Metadata>,
    /// Reuse on a retry: never a duplicate.
    idempotency_key: Option<IdempotencyKey>,
}

async fn create_customer(ctx: ToolCtx, a: CreateCustomer) -> Result<Value, ToolError> {
    if let Some(email) = &a.email {
        check_email(email)?;
    }
    let customer = ctx
        .api
        .customers()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .create(&input(&a, &[])?)
        .await?;
    Ok(view::<CustomerOut, _>(&customer))
}

fn check_email(email: &str) -> Result<(), ToolError> {
    let ok = email
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !email.contains(' '));
    if ok {
        Ok(())
    } else {
        Err(ToolError::field(
            "email",
            format!("`{email}` is not an email address (expected name@example.com)"),
        ))
    }
}

/// Arguments of `update_customer`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateCustomer {
    /// Customer id (`fcus_…`).
    customer_id: CustomerId,
    /// New first name.
    first_name: Option<String>,
    /// New last name.
    last_name: Option<String>,
    /// New email address.
    email: Option<String>,
    /// New phone, E.164 (e.g. `+15555555555`).
    phone: Option<String>,
    /// New employer.
    employer: Option<String>,
    /// New shipping address (replaces the old one).
    shipping: Option<AddressArgs>,
    /// Replaces the metadata.
    metadata: Option<Metadata>,
    /// Reuse on a retry: applied once.
    idempotency_key: Option<IdempotencyKey>,
}

async fn update_customer(ctx: ToolCtx, a: UpdateCustomer) -> Result<Value, ToolError> {
    if let Some(email) = &a.email {
        check_email(email)?;
    }
    let customer = ctx
        .api
        .customers()
        .with_idempotency_key_opt(key(a.idempotency_key.as_ref()))
        .update(&a.customer_id.0, &input(&a, &["customer_id"])?)
        .await?;
    Ok(view::<CustomerOut, _>(&customer))
}

/// Arguments of `list_customer_payment_methods`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListPaymentMethods {
    /// Customer id (`fcus_…`).
    customer_id: CustomerId,
    /// Page size.
    limit: Option<Limit>,
    /// `next_cursor` of the previous page.
    starting_after: Option<PaymentMethodId>,
}

async fn list_customer_payment_methods(
    ctx: ToolCtx,
    a: ListPaymentMethods,
) -> Result<Value, ToolError> {
    let page = ctx
        .api
        .customers()
        .list_payment_methods(&a.customer_id.0, &query(&a, &["customer_id"])?)
        .await?;
    Ok(page_view::<PaymentMethodOut, _>(&page))
}

/// Arguments of `get_customer_payment_method`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetPaymentMethod {
    /// Customer id (`fcus_…`).
    customer_id: CustomerId,
    /// Payment method id (`fpm_…`).
    payment_method_id: PaymentMethodId,
}

async fn get_customer_payment_method(
    ctx: ToolCtx,
    a: GetPaymentMethod,
) -> Result<Value, ToolError> {
    let pm = ctx
        .api
        .customers()
        .retrieve_payment_method(&a.customer_id.0, &a.payment_method_id.0)
        .await?;
    Ok(view::<PaymentMethodOut, _>(&pm))
}

pub(super) const TOOLS: &[ToolDef] = &[
    tool!(list_customers {
        group: Group::Support,
        title: "List customers",
        description: "List customers (`fcus_…`), newest first; filter by exact `email` to find \
someone. Paged: pass `next_cursor` as `starting_after`. \
Read-only. Next: `list_payment_intents` or `list_checkout_sessions` with `customer`.",
        kind: Kind::Read,
        input_schema: schema_in::<ListCustomers>,
        output_schema: schema_out::<Page<CustomerOut>>,
    }),
    tool!(get_customer {
        group: Group::Support,
        title: "Get customer",
        description: "Get one customer by id (`fcus_…`): name, email, phone, shipping address, \
metadata. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<GetCustomer>,
        output_schema: schema_out::<CustomerOut>,
    }),
    tool!(create_customer {
        group: Group::Subscriptions,
        title: "Create customer",
        description: "Create a customer. Give first_name, last_name, email and phone when known. \
Creates a new object each call (pass `idempotency_key` to retry safely); no money moves. Check \
`list_customers` with `email` first to avoid duplicates.",
        kind: Kind::Create,
        input_schema: schema_in::<CreateCustomer>,
        output_schema: schema_out::<CustomerOut>,
    }),
    tool!(update_customer {
        group: Group::Subscriptions,
        title: "Update customer",
        description: "Change a customer's (`fcus_…`) name, email, phone, employer, shipping \
address or metadata. Only the fields given change. No money moves.",
        kind: Kind::Update,
        input_schema: schema_in::<UpdateCustomer>,
        output_schema: schema_out::<CustomerOut>,
    }),
    tool!(list_customer_payment_methods {
        group: Group::Support,
        title: "List customer payment methods",
        description: "List a customer's saved payment methods (`fpm_…`): card brand, last four \
digits, expiry, and whether it can be charged off-session. Never shows full card numbers. \
Read-only; page with `next_cursor` → `starting_after`.",
        kind: Kind::Read,
        input_schema: schema_in::<ListPaymentMethods>,
        output_schema: schema_out::<Page<PaymentMethodOut>>,
    }),
    tool!(get_customer_payment_method {
        group: Group::Support,
        title: "Get customer payment method",
        description: "Get one saved payment method (`fpm_…`) of a customer (`fcus_…`): card \
brand, last four digits, expiry. Read-only.",
        kind: Kind::Read,
        input_schema: schema_in::<GetPaymentMethod>,
        output_schema: schema_out::<PaymentMethodOut>,
    }),
];
