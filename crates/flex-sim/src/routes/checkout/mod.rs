//! Checkout sessions and the money that flows through them: payment intents, captures, refunds,
//! allocation previews, and the buyer-side completion (§3.4–3.7, §9; `/__sim` drives it).
//!
//! A session owns one payment intent, or two on a split cart (eligible items on the HSA/FSA card,
//! the rest on a regular card). Money moves only through the state machines here, so the remaining
//! amounts checked by refunds and captures are always consistent.
//!
//! One module per section: [`sessions`] (carts, create and list), [`completion`] (the buyer's
//! side), [`capture`] (capture, cancel, reauth), [`refunds`], [`intents`] (payment intents and
//! captures). The money primitives they share are in `routes::ledger`.

mod capture;
mod completion;
mod intents;
mod refunds;
mod sessions;

use super::prelude::*;
use capture::{cancel_session, capture_allocation, capture_session, reauth_session};
use intents::{cancel_payment_intent, list_captures, list_payment_intents, update_capture};
use refunds::{create_refund, list_refunds, refund_allocation, refund_session, update_refund};
use sessions::{create_session, list_line_items, list_sessions};

pub(crate) use completion::complete;
pub(crate) use sessions::{parse_cart, rendered_session, session_status, shipping_option};

pub(super) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route(
            "/v1/checkout/sessions",
            post(create_session).get(list_sessions),
        )
        .route(
            "/v1/checkout/sessions/{id}",
            get_by_id(Kind::CheckoutSession),
        )
        .route(
            "/v1/checkout/sessions/{id}/line_items",
            get(list_line_items),
        )
        .route("/v1/checkout/sessions/{id}/capture", post(capture_session))
        .route("/v1/checkout/sessions/{id}/cancel", post(cancel_session))
        .route("/v1/checkout/sessions/{id}/reauth", post(reauth_session))
        .route("/v1/checkout/sessions/{id}/refund", post(refund_session))
        .route(
            "/v1/checkout/sessions/{id}/capture_allocation",
            post(capture_allocation),
        )
        .route(
            "/v1/checkout/sessions/{id}/refund_allocation",
            post(refund_allocation),
        )
        .route("/v1/payment_intents", get(list_payment_intents))
        .route("/v1/payment_intents/{id}", get_by_id(Kind::PaymentIntent))
        .route(
            "/v1/payment_intents/{id}/cancel",
            post(cancel_payment_intent),
        )
        .route("/v1/captures", get(list_captures))
        .route(
            "/v1/captures/{id}",
            get_by_id(Kind::Capture).patch(update_capture),
        )
        .route("/v1/refunds", post(create_refund).get(list_refunds))
        .route(
            "/v1/refunds/{id}",
            get_by_id(Kind::Refund).patch(update_refund),
        )
}
