//! One module per Flex resource (reference §3): models, request bodies, list queries and the
//! resource handle (`client.<resource>()`).

pub mod balance_transactions;
pub mod captures;
pub mod checkout_sessions;
pub mod coupons;
pub mod customers;
pub mod disputes;
pub mod events;
pub mod exports;
pub mod files;
pub mod invoices;
pub mod payment_intents;
pub mod payment_links;
pub mod payouts;
pub mod prices;
pub mod products;
pub mod promo_codes;
pub mod refunds;
pub mod setup_intents;
pub mod shipping_rates;
pub mod subscriptions;
