//! Integration tests of flex-sim over real HTTP (reqwest, no flex-api), one binary with modules.

mod common;

mod auth;
mod cli;
mod errors;
mod faults;
mod flows;
mod hosted;
mod idempotency;
mod pagination;
mod seed;
mod sweep;
