//! Contract tests: flex-api against a running flex-sim over real HTTP (issue 2 §4). Every
//! operation gets its happy path and at least one error path; pagination, retries under injected
//! faults and bad input have their own modules. Each test starts its own simulator in-process on
//! a free loopback port, so tests share nothing and can run in parallel.

#![allow(
    clippy::unwrap_used,
    clippy::missing_panics_doc,
    clippy::result_large_err,
    unreachable_pub
)]

mod common;

mod bad_input;
mod billing;
mod catalog;
mod checkout;
mod misc;
mod money;
mod pagination;
mod retries;
