//! `flex-mcp login`.

use std::process::ExitCode;

use flex_core::Paths;

/// Arguments of `flex-mcp login`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args, _paths: &Paths) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`flex-mcp login` is not available yet")
}
