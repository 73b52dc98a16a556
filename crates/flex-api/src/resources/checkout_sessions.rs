//! Checkout sessions (reference §3.4, §4.6): hosted checkout, capture, cancel, re-auth, refunds
//! and the two side-effect-free allocation previews (which answer bare `{"allocations":[…]}`).
//! Action bodies are wrapped in `{"checkout_session":{…}}` like creates.

use futures::stream::BoxStream;
use serde_json::json;

use crate::models::{
    Expand, Expandable, Metadata, Timestamp, handle, input, list_query, model, to_query,
};
use crate::page::Page;
use crate::resources::captures::Capture;
use crate::resources::customers::{Address, Customer};
use crate::resources::disputes::Dispute;
use crate::resources::invoices::Invoice;
use crate::resources::payment_intents::PaymentIntent;
use crate::resources::prices::{Price, RecurringInput};
use crate::resources::refunds::Refund;
use crate::resources::setup_intents::SetupIntent;
use crate::resources::subscriptions::Subscription;
use crate::{Error, Request, path_segment};

model! {
    /// Totals of discounts, tax and shipping, in cents.
    pub struct TotalDetails {
        /// Discount.
        amount_discount: i64,
        /// Tax.
        amount_tax: i64,
        /// Shipping.
        amount_shipping: i64,
    }
}

model! {
    /// A checkout session. Its `created_at`/`expires_at` are integers (epoch seconds).
    pub struct CheckoutSession {
        id: checkout_session_id,
        /// `open`, `paid`, `complete`, `canceled`, `expired`.
        status: String,
        /// `payment`, `subscription`, `setup`, `off_session`, `reimbursement`.
        mode: String,
        /// Promotion codes allowed.
        allow_promotion_codes: bool,
        /// Total, in cents.
        amount_total: i64,
        /// Subtotal, in cents.
        amount_subtotal: i64,
        /// Received, in cents.
        amount_received: i64,
        /// Refunded so far, in cents.
        amount_refunded: i64,
        /// Disputed, in cents.
        amount_disputed: i64,
        /// Discounts, tax, shipping.
        total_details: TotalDetails,
        /// Where the buyer goes on cancel.
        cancel_url: String,
        /// Where the buyer goes on success.
        success_url: String,
        /// Hosted checkout page to send the buyer to.
        redirect_url: String,
        /// Same page (some responses use `url`).
        url: String,
        /// `automatic` or `manual`.
        capture_method: String,
        /// Captures.
        captures: Vec<Capture>,
        /// Disputes.
        disputes: Vec<Dispute>,
        /// Refunds.
        refunds: Vec<Refund>,
        /// Merchant's own reference.
        client_reference_id: String,
        /// When created (integer, or ISO string in some renderings).
        created_at: Timestamp,
        /// When it expires.
        expires_at: Timestamp,
        /// Customer.
        customer: Expandable<Customer>,
        /// Prefill values.
        defaults: serde_json::Value,
        /// Invoice.
        invoice: Expandable<Invoice>,
        /// Whether anything in it is HSA/FSA eligible.
        hsa_fsa_eligible: bool,
        /// Whether an LMN is required.
        letter_of_medical_necessity_required: bool,
        /// Metadata.
        metadata: Metadata,
        /// e.g. `shopify`.
        origin: String,
        /// Main payment intent.
        payment_intent: Expandable<PaymentIntent>,
        /// All payment intents (two on split carts).
        payment_intents: Vec<Expandable<PaymentIntent>>,
        /// Setup intent.
        setup_intent: Expandable<SetupIntent>,
        /// Shipping option.
        shipping_options: serde_json::Value,
        /// Collect a shipping address.
        shipping_address_collection: bool,
        /// Shipping address.
        shipping_details: Address,
        /// Split-cart info.
        split_cart: serde_json::Value,
        /// Subscription.
        subscription: Expandable<Subscription>,
        /// Subscription options.
        subscription_data: serde_json::Value,
        /// Tax rate.
        tax_rate: serde_json::Value,
        /// e.g. `exclusive`.
        tax_calculation_mode: String,
        /// Visit type.
        visit_type: String,
        /// What the buyer must do next.
        next_action: serde_json::Value,
        /// Test or live.
        test_mode: bool,
    }
}

model! {
    /// A line item of a session (`GET …/line_items`).
    pub struct LineItem {
        id: line_item_id,
        /// Discount, in cents.
        amount_discount: i64,
        /// Subtotal, in cents.
        amount_subtotal: i64,
        /// Tax, in cents.
        amount_tax: i64,
        /// Total, in cents.
        amount_total: i64,
        /// Shipping, in cents.
        amount_shipping: i64,
        /// Description.
        description: String,
        /// The price (expanded).
        price: Expandable<Price>,
        /// Quantity.
        quantity: u32,
        /// Eligibility of this item.
        eligibility: String,
        /// Shipping rate ID.
        shipping_rate: String,
    }
}

model! {
    /// One payment method's share in an allocation preview.
    pub struct Allocation {
        /// Payment method.
        payment_method_id: String,
        /// Last four digits.
        last4: String,
        /// Amount, in cents.
        amount: i64,
    }
}

model! {
    /// Bare answer of the allocation previews: `{"allocations":[…]}`.
    pub struct Allocations {
        /// Per payment method.
        allocations: Vec<Allocation>,
    }
}

input! {
    /// Inline price for a line item.
    pub struct PriceData {
        /// Product ID.
        product: Option<String>,
        /// Cents, ≥ 1.
        unit_amount: Option<i64>,
        /// Description.
        description: Option<String>,
        /// Recurring terms.
        recurring: Option<RecurringInput>,
        /// Metadata.
        metadata: Option<Metadata>,
    }
}

input! {
    /// A line item in a request (checkout sessions and payment links).
    pub struct LineItemInput {
        /// Price ID (`fprice_…`).
        price: Option<String>,
        /// Product ID (reimbursement usage).
        product: Option<String>,
        /// Inline price instead of `price`.
        price_data: Option<PriceData>,
        /// Quantity.
        quantity: Option<u32>,
        /// Shipping options.
        shipping_options: Option<serde_json::Value>,
        /// Tax rate `{amount}`.
        tax_rate: Option<serde_json::Value>,
    }
}

input! {
    /// Body of `POST /v1/checkout/sessions` (sent as `{"checkout_session":{…}}`).
    pub struct CreateCheckoutSession {
        /// What is sold.
        line_items: Vec<LineItemInput>,
        /// `payment`, `subscription`, `setup`, `off_session`, `reimbursement`.
        mode: Option<String>,
        /// May contain `{CHECKOUT_SESSION_ID}`.
        success_url: Option<String>,
        /// Cancel URL.
        cancel_url: Option<String>,
        /// Customer ID.
        customer: Option<String>,
        /// Merchant reference.
        client_reference_id: Option<String>,
        /// Promotion codes allowed.
        allow_promotion_codes: Option<bool>,
        /// `automatic` or `manual`.
        capture_method: Option<String>,
        /// Metadata.
        metadata: Option<Metadata>,
        /// `off_session`.
        setup_future_use: Option<String>,
        /// Payment method (off-session mode).
        payment_method: Option<String>,
        /// Shipping options.
        shipping_options: Option<serde_json::Value>,
        /// Collect a shipping address.
        shipping_address_collection: Option<bool>,
        /// Subscription options.
        subscription_data: Option<serde_json::Value>,
        /// Custom text.
        custom_text: Option<serde_json::Value>,
        /// Prefill values.
        defaults: Option<serde_json::Value>,
        /// Tax rate.
        tax_rate: Option<serde_json::Value>,
        /// Discounts.
        discounts: Option<Vec<serde_json::Value>>,
        /// Expiry (epoch seconds).
        expires_at: Option<i64>,
        /// Visit type.
        visit_type: Option<String>,
    }
}

input! {
    /// A line item in a capture or refund action.
    pub struct ActionLineItem {
        /// Product ID.
        product: Option<String>,
        /// Price ID.
        price: Option<String>,
        /// Cents to refund from this item (≥ 1).
        amount_to_refund: Option<i64>,
        /// Cents to capture from this item.
        amount_to_capture: Option<i64>,
        /// Quantity.
        quantity: Option<u32>,
    }
}

input! {
    /// Body of `…/capture` and `…/capture_allocation`.
    pub struct CaptureCheckoutSession {
        /// Release what is not captured.
        final_capture: Option<bool>,
        /// Per item.
        line_items: Vec<ActionLineItem>,
        /// Metadata.
        metadata: Option<Metadata>,
        /// Metadata for the capture object.
        capture_metadata: Option<Metadata>,
        /// Shipping, in cents.
        amount_shipping: Option<i64>,
        /// Discount, in cents.
        amount_discount: Option<i64>,
        /// Tax, in cents.
        amount_tax: Option<i64>,
    }
}

input! {
    /// A payment method's share, for refund allocation previews.
    pub struct PaymentMethodAmount {
        /// Payment method ID.
        payment_method_id: Option<String>,
        /// Cents.
        amount: Option<i64>,
    }
}

input! {
    /// Body of `…/refund` and `…/refund_allocation`. All empty = full refund.
    pub struct RefundCheckoutSession {
        /// Per item.
        line_items: Vec<ActionLineItem>,
        /// Cents.
        amount: Option<i64>,
        /// Tax, in cents.
        amount_tax: Option<i64>,
        /// Shipping, in cents.
        amount_shipping: Option<i64>,
        /// Discount, in cents.
        amount_discount: Option<i64>,
        /// Metadata for the refund.
        refund_metadata: Option<Metadata>,
        /// Split across payment methods (allocation preview only).
        payment_methods: Vec<PaymentMethodAmount>,
    }
}

list_query! {
    /// Query of `GET /v1/checkout/sessions`.
    pub struct ListCheckoutSessions {
        /// Objects to skip.
        offset: Option<u32>,
        /// Only the last N days.
        interval: Option<u32>,
        /// Only sessions with this payment intent.
        payment_intent: Option<String>,
        /// Only this status.
        status: Option<String>,
        /// Only this customer's.
        customer: Option<String>,
        /// Only this email's.
        email: Option<String>,
        /// Only this subscription's.
        subscription: Option<String>,
        /// Merchant reference.
        client_reference_id: Option<String>,
        /// Expand `customer`.
        expand_customer: Option<bool>,
        /// Expand `payment_intent`.
        expand_payment_intent: Option<bool>,
        /// Expand list.
        expand: Option<String>,
        /// Created strictly after (ISO-8601).
        #[serde(rename = "created[gt]")]
        created_gt: Option<String>,
        /// Created at or after.
        #[serde(rename = "created[gte]")]
        created_gte: Option<String>,
        /// Created strictly before.
        #[serde(rename = "created[lt]")]
        created_lt: Option<String>,
        /// Created at or before.
        #[serde(rename = "created[lte]")]
        created_lte: Option<String>,
    }
}

list_query! {
    /// Query of `GET /v1/checkout/sessions/{id}/line_items`.
    pub struct ListLineItems {}
}

handle!(
    /// `client.checkout_sessions()`.
    CheckoutSessions, checkout_sessions
);

fn session_path(id: &str, action: &str) -> String {
    format!("/v1/checkout/sessions/{}{action}", path_segment(id))
}

impl CheckoutSessions<'_> {
    /// `POST /v1/checkout/sessions`.
    pub async fn create(&self, body: &CreateCheckoutSession) -> Result<CheckoutSession, Error> {
        let req = Request::post("/v1/checkout/sessions").json(json!({ "checkout_session": body }));
        self.client
            .fetch_one(self.write(req), "checkout_session")
            .await
    }

    /// `GET /v1/checkout/sessions/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<CheckoutSession, Error> {
        self.retrieve_with(id, &Expand::default()).await
    }

    /// `GET /v1/checkout/sessions/{id}` with expansion.
    pub async fn retrieve_with(&self, id: &str, expand: &Expand) -> Result<CheckoutSession, Error> {
        let req = Request::get(session_path(id, "")).query_pairs(to_query(expand));
        self.client.fetch_one(req, "checkout_session").await
    }

    /// `GET /v1/checkout/sessions`: one page.
    pub async fn list(&self, query: &ListCheckoutSessions) -> Result<Page<CheckoutSession>, Error> {
        let req = Request::get("/v1/checkout/sessions").query_pairs(to_query(query));
        self.client.fetch_page(req, "checkout_sessions").await
    }

    /// `GET /v1/checkout/sessions`: every page.
    pub fn list_all(
        &self,
        query: &ListCheckoutSessions,
    ) -> BoxStream<'static, Result<CheckoutSession, Error>> {
        self.client.stream_list(
            "/v1/checkout/sessions".into(),
            "checkout_sessions",
            to_query(query),
        )
    }

    /// `GET /v1/checkout/sessions/{id}/line_items`.
    pub async fn line_items(&self, id: &str) -> Result<Page<LineItem>, Error> {
        self.list_line_items(id, &ListLineItems::default()).await
    }

    /// `GET /v1/checkout/sessions/{id}/line_items`, one page of the given size and cursor.
    pub async fn list_line_items(
        &self,
        id: &str,
        query: &ListLineItems,
    ) -> Result<Page<LineItem>, Error> {
        let req = Request::get(session_path(id, "/line_items")).query_pairs(to_query(query));
        self.client.fetch_page(req, "line_items").await
    }

    /// `POST …/{id}/capture`: capture authorized funds (moves money).
    pub async fn capture(
        &self,
        id: &str,
        body: &CaptureCheckoutSession,
    ) -> Result<CheckoutSession, Error> {
        let req =
            Request::post(session_path(id, "/capture")).json(json!({ "checkout_session": body }));
        self.client
            .fetch_one(self.write(req), "checkout_session")
            .await
    }

    /// `POST …/{id}/cancel`: void the authorization.
    pub async fn cancel(&self, id: &str) -> Result<CheckoutSession, Error> {
        let req = Request::post(session_path(id, "/cancel"));
        self.client
            .fetch_one(self.write(req), "checkout_session")
            .await
    }

    /// `POST …/{id}/reauth`: authorize again.
    pub async fn reauth(&self, id: &str) -> Result<CheckoutSession, Error> {
        let req = Request::post(session_path(id, "/reauth"));
        self.client
            .fetch_one(self.write(req), "checkout_session")
            .await
    }

    /// `POST …/{id}/refund`: full (empty body), by amount, or per line item (moves money).
    pub async fn refund(
        &self,
        id: &str,
        body: &RefundCheckoutSession,
    ) -> Result<CheckoutSession, Error> {
        let req =
            Request::post(session_path(id, "/refund")).json(json!({ "checkout_session": body }));
        self.client
            .fetch_one(self.write(req), "checkout_session")
            .await
    }

    /// `POST …/{id}/capture_allocation`: preview only; bare `{"allocations":[…]}`.
    pub async fn capture_allocation(
        &self,
        id: &str,
        body: &CaptureCheckoutSession,
    ) -> Result<Allocations, Error> {
        let req = Request::post(session_path(id, "/capture_allocation"))
            .json(json!({ "checkout_session": body }));
        self.client.fetch_bare(self.write(req)).await
    }

    /// `POST …/{id}/refund_allocation`: preview only; bare `{"allocations":[…]}`.
    pub async fn refund_allocation(
        &self,
        id: &str,
        body: &RefundCheckoutSession,
    ) -> Result<Allocations, Error> {
        let req = Request::post(session_path(id, "/refund_allocation"))
            .json(json!({ "checkout_session": body }));
        self.client.fetch_bare(self.write(req)).await
    }
}
