//! `flex-sim --port 0 [--seed demo] [--api-key KEY[:scope,scope…]]… [--oauth-user EMAIL:PASSWORD]…`
//!
//! Prints exactly `listening on http://127.0.0.1:PORT` as its first stdout line (tests parse it),
//! then serves until killed (Ctrl-C / SIGTERM).

use std::io::Write;

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use flex_sim::{Seed, SimConfig};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SeedArg {
    /// Realistic demo data in both stores, plus the keys fsk_test_demo_key and fsk_demo_live_key.
    Demo,
}

/// A faithful local Flex (HSA/FSA payments API) for tests and the demo. Binds 127.0.0.1 only.
#[derive(Debug, Parser)]
#[command(name = "flex-sim", version)]
struct Args {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Start with data.
    #[arg(long, value_enum)]
    seed: Option<SeedArg>,
    /// Register an API key, optionally with scopes: `fsk_test_x` or `fsk_test_x:products:read,refunds:write`.
    #[arg(long = "api-key", value_name = "KEY[:SCOPES]")]
    api_keys: Vec<String>,
    /// A Flex Dashboard login for the OAuth sign-in pages: `EMAIL:PASSWORD` (repeatable).
    #[arg(long = "oauth-user", value_name = "EMAIL:PASSWORD")]
    oauth_users: Vec<String>,
}

fn parse_user(arg: &str) -> anyhow::Result<(String, String)> {
    match arg.split_once(':') {
        Some((email, password)) if email.contains('@') && !password.is_empty() => {
            Ok((email.to_owned(), password.to_owned()))
        }
        _ => bail!(
            "--oauth-user must look like EMAIL:PASSWORD (got '{}')",
            arg.split(':').next().unwrap_or_default()
        ),
    }
}

fn parse_key(arg: &str) -> anyhow::Result<(String, Vec<String>)> {
    let (key, scopes) = match arg.split_once(':') {
        Some((k, s)) => (
            k,
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        None => (arg, Vec::new()),
    };
    if !key.starts_with("fsk_") {
        bail!("--api-key '{key}': Flex keys start with fsk_test_ (test) or fsk_ (live)");
    }
    for s in &scopes {
        let ok = s
            .split_once(':')
            .is_some_and(|(r, l)| !r.is_empty() && (l == "read" || l == "write"));
        if !ok {
            bail!("--api-key {key}: scope '{s}' must look like resource:read or resource:write");
        }
    }
    Ok((key.to_owned(), scopes))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let keys = args
        .api_keys
        .iter()
        .map(|k| parse_key(k))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let users = args
        .oauth_users
        .iter()
        .map(|u| parse_user(u))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let config = SimConfig {
        port: args.port,
        seed: args.seed.map(|SeedArg::Demo| Seed::Demo),
        keys,
    };
    let handle = flex_sim::start(config)
        .await
        .context("starting the simulator")?;
    for (email, password) in &users {
        handle.add_oauth_user(email, password);
    }
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", handle.base_url()).context("writing to stdout")?;
        out.flush().context("flushing stdout")?;
    }
    shutdown_signal().await;
    handle.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let term = async {
            if let Ok(mut s) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                s.recv().await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::parse_key;

    #[test]
    #[allow(clippy::unwrap_used)]
    fn user_argument_needs_email_and_password() {
        assert_eq!(
            super::parse_user("a@b.test:pw:with:colons").unwrap(),
            ("a@b.test".to_owned(), "pw:with:colons".to_owned())
        );
        assert!(super::parse_user("nobody").is_err());
        assert!(super::parse_user("a@b.test:").is_err());
    }

    #[test]
    fn key_argument_splits_scopes() {
        let (k, s) = parse_key("fsk_test_x:products:read,refunds:write").expect("valid argument");
        assert_eq!(k, "fsk_test_x");
        assert_eq!(s, vec!["products:read", "refunds:write"]);
        assert!(parse_key("sk_test_x").is_err(), "non-Flex keys are refused");
        assert!(
            parse_key("fsk_test_x:products").is_err(),
            "a scope needs :read or :write"
        );
    }
}
