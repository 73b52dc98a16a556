//! One module per subcommand; each exposes `Args` and `run(args, &Paths)`.

pub(crate) mod activity;
pub(crate) mod clients;
pub(crate) mod doctor;
pub(crate) mod host;
pub(crate) mod login;
pub(crate) mod logout;
pub(crate) mod mode;
pub(crate) mod oauth;
pub(crate) mod serve;
pub(crate) mod status;
pub(crate) mod stdio;
pub(crate) mod tools;
