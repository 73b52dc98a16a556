//! Sign in with Flex from the command line: `login --oauth [--no-browser]`, the sign-out part of
//! `logout`, and the sign-in lines of `status` and `doctor`. Never prints a token.

use std::process::ExitCode;

use flex_auth::oauth::{self, Browser, Link, SignInStatus};
use flex_core::{Paths, Settings, browser_sign_in, credentials};

fn oauth_failure(e: &oauth::OauthError) -> anyhow::Error {
    let code = e.code();
    anyhow::anyhow!("{e} (code: {code})")
}

/// `flex-mcp login --oauth [--no-browser]`: the same sign-in as the app's "Sign in with Flex"
/// (flex-core `browser_sign_in`), with the link printed.
pub(crate) fn login(paths: &Paths, no_browser: bool) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(paths)?;
    let store = credentials::keychain()?;
    let browser = if no_browser {
        Browser::LinkOnly
    } else {
        Browser::Open
    };
    let options = browser_sign_in::login_options(&settings, browser)?;
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
        browser_sign_in::sign_in(&store, paths, &options, &on_link).await
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

/// Revoke and remove the Flex sign-in (flex-core `browser_sign_in::sign_out`, as the app's
/// Account page does); prints what happened. `Ok(true)` when there was one.
pub(crate) fn logout(paths: &Paths) -> anyhow::Result<bool> {
    let store = credentials::keychain()?;
    let out = super::login::runtime()?.block_on(browser_sign_in::sign_out(&store, paths))?;
    if out.was_signed_in {
        println!("{}", out.sentence);
    }
    Ok(out.was_signed_in)
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
