//! Typed client for the Flex REST API (envelopes, pagination, errors, retries, idempotency keys).
//! Must not depend on MCP, Tauri or the keychain.
//!
//! Layers: [`Request`] + [`Client::send`] reach any endpoint with raw JSON (what the MCP tools
//! use when they pass a model's arguments through); the typed resource APIs
//! (`client.refunds().create(..)`) sit on top, with permissive models that keep unknown fields.

// `Error::Api(ApiError)` is part of the published contract; boxing it to shrink `Result` would
// break every caller that matches on it, and the size only matters on the error path.
#![allow(clippy::result_large_err)]
#![warn(missing_docs)]
// Tests may unwrap: a panic there is a failed assertion.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod client;
mod config;
mod error;
mod mode;
mod models;
mod page;
mod request;
pub mod resources;
mod retry;

pub use client::{Client, Response};
pub use config::{ClientConfig, DEFAULT_BASE_URL};
pub use error::{ApiError, Error, FieldError};
pub use mode::Mode;
pub use models::{Expand, Expandable, Extra, FlexObject, ListQuery, Metadata, Skip, Timestamp};
pub use page::{Page, STREAM_PAGE_SIZE};
pub use request::{Body, FilePart, Method, Multipart, Request, path_segment};
pub use resources::balance_transactions::*;
pub use resources::captures::*;
pub use resources::checkout_sessions::*;
pub use resources::coupons::*;
pub use resources::customers::*;
pub use resources::disputes::*;
pub use resources::events::*;
pub use resources::exports::*;
pub use resources::files::*;
pub use resources::invoices::*;
pub use resources::payment_intents::*;
pub use resources::payment_links::*;
pub use resources::payouts::*;
pub use resources::prices::*;
pub use resources::products::*;
pub use resources::promo_codes::*;
pub use resources::refunds::*;
pub use resources::setup_intents::*;
pub use resources::shipping_rates::*;
pub use resources::subscriptions::*;
