//! `flex-mcp status [--json]`: the mode, the Flex base URL, and which credential slots are filled
//! and when each was last verified. Never a secret, not even a fragment.

use std::process::ExitCode;

use flex_core::credentials::{self, SlotStatus};
use flex_core::key_rule::API_KEY_ENV;
use flex_core::{Paths, Settings};
use serde_json::json;

/// Arguments of `flex-mcp status`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Print JSON (for scripts) instead of text.
    #[arg(long)]
    json: bool,
}

// The signature is the one main.rs dispatches to; errors are printed here (plain message, then
// the code) rather than by main, whose `{err:#}` would append the code to the sentence.
#[allow(clippy::needless_pass_by_value)]
pub(crate) fn run(args: Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    status(&args, paths)
}

/// The mode a `FLEX_API_KEY` value implies, without ever keeping the value.
fn env_key_mode() -> Option<Result<flex_api::Mode, ()>> {
    let value = flex_core::key_rule::env_key()?;
    // The same rule as the server's: the key's prefix fixes the mode.
    Some(flex_core::key_rule::mode_in_force(Some(&value), flex_api::Mode::Test).map_err(drop))
}

fn status(args: &Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(paths)?;
    let base_url = settings.effective_api_base();
    let store = credentials::keychain()?;
    let slots = credentials::api_key_status_in(&store, paths)?;
    let keychain_error = slots
        .iter()
        .find_map(|s| s.in_keychain.as_ref().err().cloned());
    let env_mode = env_key_mode();
    let (signed_in, sign_in) = super::oauth::describe(&store);
    let mcp_url = flex_auth::oauth::oauth_endpoint(&settings.effective_mcp_url());
    let serves: Vec<(flex_api::Mode, (&str, String))> =
        [flex_api::Mode::Test, flex_api::Mode::Live]
            .into_iter()
            .map(|m| {
                (
                    m,
                    super::oauth::serving(&store, paths, &settings, signed_in, m),
                )
            })
            .collect();

    if args.json {
        let mut creds = serde_json::Map::new();
        for s in &slots {
            let rec = s.record.as_ref();
            creds.insert(
                s.slot.mode.as_str().to_string(),
                json!({
                    "api_key": {
                        "stored": s.in_keychain.as_ref().ok().copied(),
                        "stored_at": rec.map(|r| r.stored_at.to_rfc3339()),
                        "last_verified_at": rec.and_then(|r| r.last_verified_at).map(|t| t.to_rfc3339()),
                        "verified_at_base_url": rec.and_then(|r| r.verified_at_base_url.clone()),
                        "missing_scopes": rec.map(|r| r.missing_scopes.clone()).unwrap_or_default(),
                    }
                }),
            );
        }
        let out = json!({
            "mode": settings.mode,
            "api_base": base_url,
            "keychain": {
                "store": flex_auth::SecretStore::describe(&store),
                "service": store.service(),
                "available": keychain_error.is_none(),
                "error": keychain_error,
            },
            "credentials": creds,
            "flex_sign_in": { "signed_in": signed_in, "detail": sign_in, "mcp_url": mcp_url },
            "serves": serves
                .iter()
                .map(|(m, (word, _))| (m.as_str().to_owned(), json!(word)))
                .collect::<serde_json::Map<_, _>>(),
            "env_api_key": env_mode.map(|m| json!({
                "set": true,
                "mode": m.ok(),
            })),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }

    println!("Mode:      {}", settings.mode);
    println!("Flex API:  {base_url}");
    match &keychain_error {
        None => println!("Keychain:  {}", flex_auth::SecretStore::describe(&store)),
        Some(e) => println!("Keychain:  unavailable. {e}"),
    }
    for s in &slots {
        println!(
            "{:<10} {}",
            format!("{} key:", s.slot.mode),
            describe_slot(s)
        );
    }
    println!("{:<10} {sign_in}", "Flex sign-in:");
    for (mode, (_, sentence)) in &serves {
        println!("{:<10} {sentence}", format!("{mode} mode:"));
    }
    if let Some(m) = env_mode {
        match m {
            Ok(mode) => println!(
                "Note: {API_KEY_ENV} is set (a {mode} key). The MCP server uses it instead of the \
                 keychain, in {mode} mode."
            ),
            Err(()) => println!(
                "Note: {API_KEY_ENV} is set but is not a Flex key (fsk_… / fsk_test_…); the \
                 server will refuse it. Unset it or fix it."
            ),
        }
    }
    let current = slots.iter().find(|s| s.slot.mode == settings.mode);
    if current.is_some_and(|s| matches!(s.in_keychain, Ok(false))) {
        // The app's host serves test mode from its built-in demo while no test key is set up.
        let meanwhile = match settings.mode {
            flex_api::Mode::Test => {
                "While the Flex MCP app runs, assistants get its built-in demo (sample data); \
                 without the app their tool calls fail."
            }
            flex_api::Mode::Live => "Assistants' tool calls fail until then.",
        };
        println!(
            "No key is stored for {} mode. To use your account, run `flex-mcp login --api-key` \
             with a {} key. {meanwhile}",
            settings.mode,
            prefix_of(settings.mode)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn prefix_of(mode: flex_api::Mode) -> &'static str {
    match mode {
        flex_api::Mode::Test => "fsk_test_…",
        flex_api::Mode::Live => "fsk_…",
    }
}

/// One line about a slot: stored or not, verified when and where, missing scopes.
pub(crate) fn describe_slot(s: &SlotStatus) -> String {
    let verified = s.record.as_ref().and_then(|r| {
        r.last_verified_at.map(|t| {
            let at = r
                .verified_at_base_url
                .as_deref()
                .map(|u| format!(" at {u}"))
                .unwrap_or_default();
            format!("last verified {}{at}", t.format("%Y-%m-%d %H:%M UTC"))
        })
    });
    let scopes = s
        .record
        .as_ref()
        .filter(|r| !r.missing_scopes.is_empty())
        .map(|r| format!("; scoped key, missing {}", r.missing_scopes.join(", ")))
        .unwrap_or_default();
    match &s.in_keychain {
        Ok(true) => format!(
            "stored{}{scopes}",
            verified.map(|v| format!(", {v}")).unwrap_or_default()
        ),
        Ok(false) if s.record.is_some() => "missing from the keychain (it was stored before; \
                                             sign in again with `flex-mcp login --api-key`)"
            .to_string(),
        Ok(false) => "not stored".to_string(),
        // The keychain's own error is shown once, on its own line.
        Err(_) => "unknown (the keychain could not be read, see above)".to_string(),
    }
}
