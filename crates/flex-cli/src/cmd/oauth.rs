//! Sign in with Flex from the command line: `login --oauth [--no-browser]`, the sign-out part of
//! `logout`, and the sign-in lines of `status` and `doctor`. Never prints a token.

use std::process::ExitCode;
use std::time::Duration;

use flex_auth::SecretStore as _;
use flex_auth::oauth::{self, Browser, Link, LoginOptions, SignInStatus};
use flex_core::{Paths, Settings, credentials};

/// Shorter sign-in timeout, in seconds (tests); the default is five minutes.
pub(crate) const TIMEOUT_ENV: &str = "FLEX_MCP_OAUTH_TIMEOUT_SECS";
/// A fixed loopback port instead of an ephemeral one (machines whose firewall allows one port).
pub(crate) const PORT_ENV: &str = "FLEX_MCP_OAUTH_PORT";

fn env_number<T: std::str::FromStr>(name: &str) -> anyhow::Result<Option<T>> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| anyhow::anyhow!("{name} must be a number (got '{}')", v.trim())),
        _ => Ok(None),
    }
}

fn oauth_failure(e: &oauth::OauthError) -> anyhow::Error {
    let code = e.code();
    anyhow::anyhow!("{e} (code: {code})")
}

/// `flex-mcp login --oauth [--no-browser]`.
pub(crate) fn login(paths: &Paths, no_browser: bool) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(paths)?;
    let mcp_url = oauth::oauth_endpoint(&settings.effective_mcp_url());
    let store = credentials::keychain()?;
    let mut options = LoginOptions::new(mcp_url);
    options.browser = if no_browser {
        Browser::LinkOnly
    } else {
        Browser::Open
    };
    if let Some(secs) = env_number::<u64>(TIMEOUT_ENV)? {
        options.timeout = Duration::from_secs(secs);
    }
    if let Some(port) = env_number::<u16>(PORT_ENV)? {
        options.port = port;
    }
    let on_link = |link: &Link| match link {
        Link::Opened(url) => println!(
            "Your browser was opened to sign in with Flex. If it did not open, open this link:\n{url}"
        ),
        Link::OpenFailed(url) => println!(
            "Could not open a browser here. Open this link in a browser on this computer to sign in with Flex:\n{url}"
        ),
        Link::Show(url) => {
            println!("Open this link in a browser on this computer to sign in with Flex:\n{url}");
        }
    };
    let cancel = options.cancel.clone();
    let runtime = super::login::runtime()?;
    let result = runtime.block_on(async {
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel();
            }
        });
        oauth::login(&store, &options, &on_link).await
    });
    let signed_in = result.map_err(|e| oauth_failure(&e))?;
    println!(
        "Signed in with Flex ({}). The sign-in is stored in the {} and reaches both test and \
         live mode; the mode switch decides which one each tool call uses.",
        signed_in.issuer,
        flex_auth::SecretStore::describe(&store)
    );
    Ok(ExitCode::SUCCESS)
}

/// Revoke and remove the Flex sign-in; prints what happened. `Ok(true)` when there was one.
pub(crate) fn logout() -> anyhow::Result<bool> {
    let store = credentials::keychain()?;
    let had = matches!(oauth::status(&store), Ok(SignInStatus::SignedIn { .. }))
        || matches!(
            store.load(oauth::slot(flex_auth::SecretKind::OauthClient)),
            Ok(Some(_))
        );
    if !had {
        return Ok(false);
    }
    let out = super::login::runtime()?
        .block_on(oauth::sign_out(&store))
        .map_err(|e| oauth_failure(&e))?;
    if out.revoked {
        println!("Flex sign-in: revoked at Flex and removed from the keychain.");
    } else {
        println!(
            "Flex sign-in: removed from the keychain. Flex could not be reached to revoke it; it \
             ends by itself when its tokens expire, or revoke it in the Flex Dashboard."
        );
    }
    Ok(true)
}

/// The sign-in in one line for `status` and `doctor`: `(signed_in, text)`.
pub(crate) fn describe(store: &dyn flex_auth::SecretStore) -> (bool, String) {
    match oauth::status(store) {
        Ok(SignInStatus::SignedOut) => (false, "not signed in (`flex-mcp login --oauth`)".into()),
        Ok(SignInStatus::SignedIn {
            issuer,
            expires_at,
            can_refresh,
            ..
        }) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
            let token = if expires_at > now {
                format!("access valid for {} more minutes", (expires_at - now) / 60)
            } else if can_refresh {
                "access expired, renewed on the next call".into()
            } else {
                "expired; sign in again with `flex-mcp login --oauth`".into()
            };
            (true, format!("signed in at {issuer} ({token})"))
        }
        Err(e) => (false, format!("unreadable: {e}")),
    }
}

/// Which sign-in serves `mode`, by the one credential rule (`key_rule::sign_in_for`): a short
/// word for `--json` (`api_key`, `flex`, `none`, `error`) and a sentence for people.
pub(crate) fn serving(
    store: &dyn flex_auth::SecretStore,
    paths: &flex_core::Paths,
    settings: &flex_core::Settings,
    flex_signed_in: bool,
    mode: flex_api::Mode,
) -> (&'static str, String) {
    use flex_core::key_rule::{self, KeySource, Serving};
    let env = key_rule::env_key();
    let chosen = key_rule::sign_in_for(
        env.as_deref(),
        mode,
        settings.sign_in.for_mode(mode),
        flex_signed_in,
        |m| flex_core::credentials::api_key_in(store, paths, m),
    );
    match chosen {
        Ok(Some(Serving::ApiKey(_, KeySource::Environment))) => (
            "api_key",
            format!("the API key in {}", key_rule::API_KEY_ENV),
        ),
        Ok(Some(Serving::ApiKey(..))) => ("api_key", "the API key in the keychain".to_owned()),
        Ok(Some(Serving::FlexSignIn)) => (
            "flex",
            "the Flex sign-in (tools via Flex hosted MCP)".to_owned(),
        ),
        Ok(None) => (
            "none",
            "nothing: sign in with `flex-mcp login --api-key` or `flex-mcp login --oauth`"
                .to_owned(),
        ),
        Err(e) => ("error", e.to_string()),
    }
}
