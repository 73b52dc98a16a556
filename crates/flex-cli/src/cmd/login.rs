//! `flex-mcp login --api-key`: read a Flex secret key from a hidden prompt (or from stdin when it
//! is not a terminal), check its format, verify it with one call to Flex, and store it in the
//! keychain slot of its mode. The key never comes from an argument: arguments are visible to
//! every process on the machine and land in shell history.

use std::io::{IsTerminal as _, Read as _};
use std::process::ExitCode;

use anyhow::Context as _;
use flex_auth::Verification;
use flex_core::{Code, Paths, Settings, credentials};

/// Arguments of `flex-mcp login`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Sign in with a Flex API key. The key is read from a hidden prompt, or from stdin when stdin
    /// is not a terminal (e.g. `pass show flex | flex-mcp login --api-key`); it is never taken
    /// from the command line.
    #[arg(long = "api-key", num_args = 0..=1, default_missing_value = "", value_name = "NOTHING")]
    api_key: Option<String>,

    /// Sign in with Flex in the browser (your Flex Dashboard login; reaches test and live).
    #[arg(long, conflicts_with = "api_key")]
    oauth: bool,

    /// With --oauth: print the sign-in link instead of opening a browser.
    #[arg(long, requires = "oauth")]
    no_browser: bool,

    /// Catches a key typed after the command, so it can be refused without being echoed.
    #[arg(hide = true, num_args = 0..)]
    stray: Vec<String>,
}

/// A current-thread runtime for the one or two HTTP calls these commands make.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

// The signature is the one main.rs dispatches to; errors are printed here (plain message, then
// the code) rather than by main, whose `{err:#}` would append the code to the sentence.
#[allow(clippy::needless_pass_by_value)]
pub(crate) fn run(args: Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    login(&args, paths)
}

fn refuse_argument() -> anyhow::Error {
    anyhow::Error::new(Code::InvalidKey).context(
        "The API key must not be given on the command line: other programs can read it there, \
         and it stays in your shell history (consider deleting that history line, or rotating \
         the key at https://dashboard.withflex.com/apikeys). Nothing was stored. Run \
         `flex-mcp login --api-key` and paste the key at the hidden prompt, or pipe it on stdin.",
    )
}

fn login(args: &Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    if !args.stray.is_empty() || args.api_key.as_deref().is_some_and(|v| !v.is_empty()) {
        return Err(refuse_argument());
    }
    if args.oauth {
        return super::oauth::login(paths, args.no_browser);
    }
    if args.api_key.is_none() {
        anyhow::bail!(
            "choose how to sign in: `flex-mcp login --oauth` (your Flex Dashboard login in the \
             browser) or `flex-mcp login --api-key` (paste a Flex secret key; create one at \
             https://dashboard.withflex.com/apikeys)."
        );
    }
    let settings = Settings::load(paths)?;
    let base_url = settings.effective_api_base();
    let store = credentials::keychain()?;
    let input = read_key()?;
    let signed_in = runtime()?.block_on(credentials::sign_in_with_api_key(
        &store, paths, &input, &base_url,
    ))?;
    drop(input);

    let mode = signed_in.mode;
    println!(
        "Signed in: your {mode}-mode API key is stored in the {}{}.",
        flex_auth::SecretStore::describe(&store),
        if signed_in.replaced {
            ", replacing the key stored there before"
        } else {
            ""
        }
    );
    println!("Flex accepted it at {}.", signed_in.base_url);
    if let Verification::Scoped {
        missing_scope,
        message,
    } = &signed_in.verification
    {
        println!(
            "Warning: this is a scoped key. Flex refused to list products with it (missing scope \
             `{missing_scope}`{}). It was stored anyway, because a scoped key is a legitimate \
             choice: tools that need `{missing_scope}` (or other scopes the key lacks) will fail \
             with a clear error until you sign in with a key that has them.",
            message
                .as_deref()
                .map(|m| format!(": \"{m}\""))
                .unwrap_or_default()
        );
    }
    if settings.mode == mode {
        println!("You are in {mode} mode: MCP clients use this key from their next tool call.");
    } else {
        println!(
            "You are in {} mode now, so this key is not used yet. To use it, switch with: \
             flex-mcp mode {mode}",
            settings.mode
        );
    }
    if std::env::var("FLEX_API_KEY").is_ok_and(|v| !v.trim().is_empty()) {
        println!(
            "Note: FLEX_API_KEY is set in this environment; an MCP server started with it uses \
             that key instead of the stored one. Unset it to use the key you just stored."
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The key from a hidden prompt (terminal) or from stdin (pipe), as typed; `ApiKey::parse`
/// trims and checks it.
fn read_key() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return rpassword::prompt_password(
            "Paste your Flex API key (fsk_… or fsk_test_…; input is hidden): ",
        )
        .context("could not read the key from the terminal");
    }
    // A key is short; a bounded read keeps a mistaken `cat bigfile |` from eating memory.
    let mut input = String::new();
    stdin
        .lock()
        .take(64 * 1024)
        .read_to_string(&mut input)
        .map_err(|e| {
            anyhow::Error::new(Code::InvalidKey)
                .context(format!("could not read the key from stdin as text ({e})"))
        })?;
    Ok(input)
}
