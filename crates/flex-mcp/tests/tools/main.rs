//! Each tool's behaviour against a real flex-sim over HTTP, one file per tool module
//! (`src/tools/<module>.rs` ↔ `tests/tools/<module>.rs`), beside the cross-tool sweeps in
//! `sweep.rs`. The static promises of the catalogue (names, classes, schemas, the golden
//! `tools/list`) are in `tests/catalogue.rs`, which needs no network.
//!
//! The simulator sandbox is the contract tests' own (`crates/flex-api/tests/contract/common.rs`),
//! included here rather than copied: the tools and the client they call share one set-up.

#![allow(
    clippy::unwrap_used,
    clippy::missing_panics_doc,
    clippy::result_large_err,
    unreachable_pub
)]

#[path = "../../../flex-api/tests/contract/common.rs"]
#[allow(dead_code)]
mod sim;

mod call;

mod billing;
mod checkout;
mod customers;
mod disputes;
mod links;
mod payments;
mod products;
mod sweep;
