//! `flex-mcp doctor`: check everything a working setup needs — this binary, settings, the
//! keychain and the key of each mode, Flex at the base URL (one GET), and each MCP client's entry
//! — and print the fix for every problem. Exits non-zero when something is wrong, so scripts and
//! support can rely on it.

use std::path::Path;
use std::process::ExitCode;

use flex_api::Mode;
use flex_auth::{ApiKey, Verification};
use flex_clients::{ClientEnv, ClientStatus};
use flex_core::credentials::{self, SlotStatus};
use flex_core::{Paths, Settings, working};

use super::login::runtime;
use super::status::describe_slot;

/// Arguments of `flex-mcp doctor`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Ok,
    Note,
    Warn,
    Fail,
}

impl Level {
    fn label(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Note => "note",
            Level::Warn => "warn",
            Level::Fail => "FAIL",
        }
    }
}

struct Finding {
    level: Level,
    text: String,
    fix: Option<String>,
}

#[derive(Default)]
struct Report(Vec<Finding>);

impl Report {
    fn add(&mut self, level: Level, text: impl Into<String>, fix: Option<String>) {
        self.0.push(Finding {
            level,
            text: text.into(),
            fix,
        });
    }
}

// The signature is the one main.rs dispatches to; errors are printed here (plain message, then
// the code) rather than by main, whose `{err:#}` would append the code to the sentence.
#[allow(clippy::needless_pass_by_value)]
pub(crate) fn run(_args: Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    doctor(paths)
}

fn doctor(paths: &Paths) -> anyhow::Result<ExitCode> {
    let mut report = Report::default();

    // 1. This binary: what client configs should point at.
    let binary = flex_core::program::current_entry_program();
    match &binary {
        Ok(p) => report.add(Level::Ok, format!("flex-mcp binary: {}", p.display()), None),
        Err(e) => report.add(
            Level::Fail,
            format!("could not find this program's own path: {e}"),
            Some("run flex-mcp by its full path".to_string()),
        ),
    }

    // 2. Settings.
    let settings = match Settings::load(paths) {
        Ok(s) => {
            report.add(
                Level::Ok,
                format!(
                    "settings: {} (mode: {})",
                    paths.settings_file().display(),
                    s.mode
                ),
                None,
            );
            s
        }
        Err(e) => {
            report.add(Level::Fail, format!("{e:#}"), None);
            Settings::default()
        }
    };
    let base_url = settings.effective_api_base();
    let env_key = flex_core::key_rule::env_key();

    // 3. Keychain and the key of each mode.
    let current_key = check_credentials(&mut report, paths, &settings, env_key.as_deref());

    // 3b. The Flex sign-in (OAuth), if any: reported, never required.
    if let Ok(store) = flex_core::credentials::keychain() {
        let (signed_in, text) = super::oauth::describe(&store);
        report.add(
            if signed_in { Level::Ok } else { Level::Note },
            format!("Flex sign-in: {text}"),
            None,
        );
        for mode in [flex_api::Mode::Test, flex_api::Mode::Live] {
            let (word, sentence) = super::oauth::serving(&store, paths, &settings, signed_in, mode);
            let level = match word {
                "error" => Level::Fail,
                "none" => Level::Note,
                _ => Level::Ok,
            };
            report.add(level, format!("{mode} mode is served by {sentence}"), None);
        }
    }

    // 4. Flex at the base URL: one GET, with the current mode's key when there is one.
    check_flex(&mut report, paths, &settings, &base_url, current_key)?;

    // 5. MCP clients.
    if let Ok(binary) = &binary {
        check_clients(&mut report, paths, binary);
    }

    let fails = report.0.iter().filter(|f| f.level == Level::Fail).count();
    for f in &report.0 {
        println!("{:<5} {}", f.level.label(), f.text);
        if let Some(fix) = &f.fix {
            println!("      fix: {fix}");
        }
    }
    if fails == 0 {
        println!("\nEverything needed works.");
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "\n{fails} problem{} found; each has its fix above.",
            if fails == 1 { "" } else { "s" }
        );
        Ok(ExitCode::FAILURE)
    }
}

/// Where the key used for the reachability check came from.
enum CurrentKey {
    /// FLEX_API_KEY (its prefix decides the mode).
    Env(String),
    /// The keychain slot of the current mode.
    Stored(String),
    /// None available.
    Missing,
}

fn check_credentials(
    report: &mut Report,
    paths: &Paths,
    settings: &Settings,
    env_key: Option<&str>,
) -> CurrentKey {
    let store = match credentials::keychain() {
        Ok(s) => s,
        Err(e) => {
            report.add(Level::Fail, e.to_string(), None);
            return env_key.map_or(CurrentKey::Missing, |k| CurrentKey::Env(k.to_string()));
        }
    };
    let slots: Vec<SlotStatus> = match credentials::api_key_status_in(&store, paths) {
        Ok(s) => s,
        Err(e) => {
            report.add(Level::Fail, format!("{e:#}"), None);
            Vec::new()
        }
    };
    if let Some(e) = slots.iter().find_map(|s| s.in_keychain.as_ref().err()) {
        // Only a problem if something depends on it.
        let needed = env_key.is_none();
        report.add(
            if needed { Level::Fail } else { Level::Warn },
            format!("keychain: {e}"),
            None,
        );
    } else {
        report.add(
            Level::Ok,
            format!("keychain: {}", flex_auth::SecretStore::describe(&store)),
            None,
        );
    }
    for s in &slots {
        let mode = s.slot.mode;
        let line = format!("{mode} key: {}", describe_slot(s));
        let is_current = mode == settings.mode;
        let (level, fix) = match (&s.in_keychain, is_current) {
            (Ok(true), _)
                if s.record
                    .as_ref()
                    .is_some_and(|r| !r.missing_scopes.is_empty()) =>
            {
                (
                    Level::Warn,
                    Some(
                        "tools needing the missing scopes will fail; sign in with a key that has \
                     them if you need those tools: flex-mcp login --api-key"
                            .to_string(),
                    ),
                )
            }
            (Ok(true), _) => (Level::Ok, None),
            (Ok(false), true) if env_key.is_none() => (
                Level::Fail,
                Some(format!(
                    "you are in {mode} mode without a {mode} key: run `flex-mcp login --api-key` \
                     with a {} key, or switch mode with `flex-mcp mode {}`",
                    if mode == Mode::Test {
                        "fsk_test_…"
                    } else {
                        "fsk_…"
                    },
                    if mode == Mode::Test { "live" } else { "test" },
                )),
            ),
            (Ok(false), _) => (
                Level::Note,
                Some(format!(
                    "only needed for {mode} mode: flex-mcp login --api-key"
                )),
            ),
            (Err(_), _) => (Level::Warn, None),
        };
        report.add(level, line, fix);
    }
    if let Some(k) = env_key {
        match flex_core::key_rule::mode_in_force(Some(k.trim()), Mode::Test).ok() {
            Some(m) => report.add(
                Level::Note,
                format!(
                    "FLEX_API_KEY is set (a {m} key): the MCP server uses it, in {m} mode, \
                     instead of the keychain"
                ),
                None,
            ),
            None => report.add(
                Level::Fail,
                "FLEX_API_KEY is set but is not a Flex key (fsk_… / fsk_test_…)",
                Some("unset FLEX_API_KEY or set it to a Flex secret key".to_string()),
            ),
        }
        return CurrentKey::Env(k.trim().to_string());
    }
    match credentials::api_key_in(&store, paths, settings.mode) {
        Ok(Some(k)) => CurrentKey::Stored(k),
        _ => CurrentKey::Missing,
    }
}

fn check_flex(
    report: &mut Report,
    paths: &Paths,
    settings: &Settings,
    base_url: &str,
    key: CurrentKey,
) -> anyhow::Result<()> {
    let rt = runtime()?;
    let (key, stored) = match key {
        CurrentKey::Env(k) => (Some(k), false),
        CurrentKey::Stored(k) => (Some(k), true),
        CurrentKey::Missing => (None, false),
    };
    let parsed = key.as_deref().map(ApiKey::parse);
    match parsed {
        Some(Ok(key)) => match rt.block_on(flex_auth::verify_api_key(&key, base_url)) {
            Ok(v) => {
                if stored {
                    // Best effort: the check itself succeeded even if the note cannot be saved.
                    let _ = credentials::mark_verified(paths, key.mode(), &v, base_url);
                }
                match v {
                    Verification::Accepted => report.add(
                        Level::Ok,
                        format!("Flex at {base_url} accepted the {} key", key.mode()),
                        None,
                    ),
                    Verification::Scoped { missing_scope, .. } => report.add(
                        Level::Warn,
                        format!(
                            "Flex at {base_url} knows the {} key, but it is scoped (missing \
                             {missing_scope})",
                            key.mode()
                        ),
                        None,
                    ),
                }
            }
            Err(e @ flex_auth::Error::KeyRejected { .. }) => report.add(
                Level::Fail,
                e.to_string(),
                Some(format!(
                    "the {} key was revoked or is wrong: create a new one and run \
                     `flex-mcp login --api-key`",
                    settings.mode
                )),
            ),
            Err(e) => report.add(Level::Fail, e.to_string(), None),
        },
        Some(Err(e)) => report.add(Level::Fail, e.to_string(), None),
        None => match rt.block_on(flex_auth::reach(base_url)) {
            Ok(status) => report.add(
                Level::Ok,
                format!("Flex is reachable at {base_url} (HTTP {status} without a key)"),
                None,
            ),
            Err(e) => report.add(Level::Fail, e.to_string(), None),
        },
    }
    Ok(())
}

fn check_clients(report: &mut Report, paths: &Paths, binary: &Path) {
    let env = ClientEnv::from_process(&paths.home);
    let mut connected = 0;
    for r in flex_clients::list(&env, binary) {
        let name = r.client.display_name();
        let cli = r.client.cli_name();
        match &r.status {
            ClientStatus::NotInstalled => {}
            ClientStatus::Connected => {
                connected += 1;
                report.add(
                    Level::Ok,
                    format!("{name}: connected ({})", r.path.display()),
                    None,
                );
                // Connected on paper; now run the entry the way the client will.
                let w = working::check(r.client, binary, working::INITIALIZE_TIMEOUT);
                let level = if w.working { Level::Ok } else { Level::Fail };
                report.add(level, w.sentence, None);
            }
            ClientStatus::NotConnected => report.add(
                Level::Note,
                format!("{name}: installed, not connected"),
                Some(format!("flex-mcp clients connect {cli}")),
            ),
            ClientStatus::Outdated { reason } => report.add(
                Level::Fail,
                format!(
                    "{name}: our entry in {} is outdated: {reason}",
                    r.path.display()
                ),
                Some("flex-mcp clients repair".to_string()),
            ),
            ClientStatus::ConfigBroken { reason } => {
                report.add(Level::Fail, format!("{name}: {reason}"), None);
            }
        }
    }
    if connected == 0 {
        report.add(
            Level::Warn,
            "no MCP client is connected to flex-mcp yet",
            Some(
                "connect one, e.g. `flex-mcp clients connect claude-desktop` (see `flex-mcp \
                 clients list`)"
                    .to_string(),
            ),
        );
    }
}
