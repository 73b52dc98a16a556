//! THE access table: what each tool can change. The policy decides per class; a tool not listed
//! here is denied. A test fails when a tool is missing from this table, when an entry names no
//! tool, or when a tool's annotations disagree with its class.
//!
//! Classes follow the money: reads change nothing; writes create or change objects without
//! moving money; destructive calls move money or give something up for good (refunds,
//! captures, cancellations, submitting or closing a dispute).

use crate::policy::Access;

use Access::{Destructive as D, Read as R, Write as W};

/// Every tool and its class, in catalogue order.
pub const TOOLS: &[(&str, Access)] = &[
    // Products and prices
    ("list_products", R),
    ("get_product", R),
    ("create_product", W),
    ("update_product", W),
    ("list_prices", R),
    ("get_price", R),
    ("create_price", W),
    ("update_price", W),
    // Customers
    ("list_customers", R),
    ("get_customer", R),
    ("create_customer", W),
    ("update_customer", W),
    ("list_customer_payment_methods", R),
    ("get_customer_payment_method", R),
    // Checkout sessions
    ("list_checkout_sessions", R),
    ("get_checkout_session", R),
    ("list_checkout_session_line_items", R),
    ("create_checkout_session", W),
    ("capture_checkout_session", D),
    ("cancel_checkout_session_authorization", D),
    ("reauth_checkout_session", W),
    ("refund_checkout_session", D),
    ("preview_capture_allocation", R),
    ("preview_refund_allocation", R),
    // Payment intents, captures, refunds
    ("list_payment_intents", R),
    ("get_payment_intent", R),
    ("cancel_payment_intent", D),
    ("list_captures", R),
    ("get_capture", R),
    ("update_capture", W),
    ("refund_capture", D),
    ("create_refund", D),
    ("list_refunds", R),
    ("get_refund", R),
    ("update_refund", W),
    // Subscriptions, invoices, coupons, promo codes, shipping rates
    ("list_subscriptions", R),
    ("get_subscription", R),
    ("update_subscription", W),
    ("cancel_subscription", D),
    ("get_subscription_refund_preview", R),
    ("list_invoices", R),
    ("get_invoice", R),
    ("create_coupon", W),
    ("get_coupon", R),
    ("create_promo_code", W),
    ("list_promo_codes", R),
    ("create_shipping_rate", W),
    ("update_shipping_rate", W),
    ("get_shipping_rate", R),
    // Money out: balance transactions, payouts
    ("list_balance_transactions", R),
    ("list_payouts", R),
    // Disputes
    ("list_disputes", R),
    ("get_dispute", R),
    ("update_dispute", W),
    ("submit_dispute", D),
    ("close_dispute", D),
    // Payment links, setup intents, exports, files, events
    ("list_payment_links", R),
    ("get_payment_link", R),
    ("create_payment_link", W),
    ("list_setup_intents", R),
    ("create_setup_intent", W),
    ("create_export", W),
    ("get_export", R),
    ("cancel_export", D),
    ("list_files", R),
    ("get_file", R),
    ("retry_event", W),
];

/// The class of tool `name`, or `None` for a tool we do not know (the policy denies those).
pub fn access_of(name: &str) -> Option<Access> {
    TOOLS.iter().find(|(n, _)| *n == name).map(|(_, a)| *a)
}
