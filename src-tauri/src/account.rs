//! Which Flex the app talks to, decided once at start: the account configured in the
//! environment, or — when nothing is configured — the built-in demo, a seeded flex-sim running
//! inside the app on a free loopback port.

use std::sync::{Arc, PoisonError, RwLock};

use flex_api::Mode;
use flex_core::app_status::Account;
use flex_core::{Paths, Settings};

use crate::error::CommandError;

/// The managed state every command reads.
pub(crate) struct Connected {
    /// The account in use (key never shown).
    pub(crate) account: Account,
    /// Something the user should know, with its fix (shown as a banner).
    pub(crate) notice: Option<String>,
    /// The API client, or why there is none (shown where the payments would be).
    pub(crate) client: Result<flex_api::Client, String>,
    /// Keeps the demo simulator alive as long as the app runs (held, only tests read it).
    #[allow(dead_code)]
    demo: Option<flex_sim::SimHandle>,
    /// Where our files live; `None` when no home folder could be found.
    pub(crate) paths: Option<Paths>,
    /// The settings read at start.
    pub(crate) settings: Settings,
}

/// The event the window listens to (`EVENTS.statusChanged` in ui/src/api.ts).
pub(crate) const STATUS_CHANGED: &str = "flex://status-changed";

/// The managed state: the account in use, replaceable when the user signs in. Commands take a
/// cheap `Arc` of the current one, so no lock is held across a network call.
pub(crate) struct AppState(RwLock<Arc<Connected>>);

impl AppState {
    pub(crate) fn new(connected: Connected) -> AppState {
        AppState(RwLock::new(Arc::new(connected)))
    }

    /// The account in use now.
    pub(crate) fn current(&self) -> Arc<Connected> {
        // A poisoned lock only means a panic elsewhere; the value is still whole.
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Use `connected` from now on (the old one, and its demo simulator, end with its last user).
    pub(crate) fn replace(&self, connected: Connected) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(connected);
    }
}

impl Connected {
    /// Our folders, or the error a command returns without them.
    pub(crate) fn paths(&self) -> Result<&Paths, CommandError> {
        self.paths.as_ref().ok_or_else(|| {
            CommandError::unknown(
                "Flex MCP could not find your home folder, so it cannot read or change any \
                 settings. Set HOME (or FLEX_MCP_HOME) and start it again.",
            )
        })
    }

    /// Our folders and the `flex-mcp` program client entries run (installed next to the app).
    pub(crate) fn assistants_context(&self) -> Result<(&Paths, std::path::PathBuf), CommandError> {
        let paths = self.paths()?;
        let exe = std::env::current_exe().map_err(|e| {
            CommandError::unknown(format!("Flex MCP could not find its own program file: {e}"))
        })?;
        Ok((paths, flex_core::assistants::flex_mcp_binary(&exe)?))
    }
}

/// Resolve the account: `FLEX_API_KEY`, else the key stored for the current mode, else the
/// built-in demo. A configuration that cannot be used also falls back to the demo, with a notice
/// saying why, so a typo in a key never silently looks like real data.
pub(crate) async fn connect() -> Connected {
    let paths = Paths::from_env();
    let (settings, notice) = match paths.as_ref().map(Settings::load) {
        Some(Ok(s)) => (s, None),
        Some(Err(e)) => (Settings::default(), Some(format!("{e:#}"))),
        None => (Settings::default(), None),
    };
    let env_key = flex_core::key_rule::env_key();
    if let Some(p) = &paths
        && flex_serves(p, &settings)
    {
        return flex_sign_in(p.clone(), settings, notice);
    }
    let stored_key = |mode| match &paths {
        Some(p) => flex_core::credentials::api_key(p, mode),
        None => Ok(None),
    };
    let mut connected = connect_with(env_key.as_deref(), stored_key, &settings, notice).await;
    connected.paths = paths;
    connected
}

/// Whether the Flex sign-in serves the current mode, by the one rule (`key_rule::sign_in_for`).
fn flex_serves(paths: &Paths, settings: &Settings) -> bool {
    flex_core::credentials::keychain().is_ok_and(|store| {
        flex_core::sign_in_state::serves_in(&store, paths, settings, settings.mode)
            == flex_core::sign_in_state::Serves::Flex
    })
}

/// The account when the Flex sign-in serves the current mode: the host's gateway serves the
/// assistants; the window has no REST client (the tokens are for the hosted MCP only) and no demo.
fn flex_sign_in(paths: Paths, settings: Settings, notice: Option<String>) -> Connected {
    let account = Account::flex_sign_in(settings.mode, &settings.effective_mcp_url());
    let client =
        flex_core::app_status::api_client(&account).map_err(|e| flex_core::Code::message(&e));
    Connected {
        account,
        notice,
        client,
        demo: None,
        paths: Some(paths),
        settings,
    }
}

/// [`connect`] with its inputs passed in, so tests need neither environment variables nor a
/// keychain.
async fn connect_with(
    env_key: Option<&str>,
    stored_key: impl FnOnce(Mode) -> anyhow::Result<Option<String>>,
    settings: &Settings,
    notice: Option<String>,
) -> Connected {
    let mut notice = notice;
    let api_base = settings.effective_api_base();
    // The one rule (flex_core::key_rule): FLEX_API_KEY, else the current mode's stored key.
    let env_key = env_key.map(str::trim).filter(|k| !k.is_empty());
    let chosen = flex_core::key_rule::mode_in_force(env_key, settings.mode)
        .map_err(anyhow::Error::from)
        .and_then(|mode| Account::from_rule(env_key, mode, stored_key, api_base));
    let configured = match chosen {
        Ok(a) => a,
        Err(e) => {
            notice = Some(format!("{e:#} Showing the built-in demo meanwhile."));
            None
        }
    };
    let (account, demo) = match configured {
        Some(account) => (account, None),
        None => match start_demo().await {
            Ok((account, sim)) => (account, Some(sim)),
            Err(e) => {
                let msg = format!("The built-in demo could not start: {e}");
                tracing::error!("{msg}");
                return Connected {
                    account: Account::demo("(not running)", ""),
                    notice: Some(msg.clone()),
                    client: Err(msg),
                    demo: None,
                    paths: None,
                    settings: settings.clone(),
                };
            }
        },
    };
    let client = flex_core::app_status::api_client(&account).map_err(|e| format!("{e:#}"));
    Connected {
        account,
        notice,
        client,
        demo,
        paths: None,
        settings: settings.clone(),
    }
}

/// Start the seeded simulator on a free loopback port, in test mode.
async fn start_demo() -> std::io::Result<(Account, flex_sim::SimHandle)> {
    let sim = flex_sim::start(flex_sim::SimConfig {
        port: 0,
        seed: Some(flex_sim::Seed::Demo),
        ..flex_sim::SimConfig::default()
    })
    .await?;
    tracing::info!(base_url = %sim.base_url(), "built-in demo running");
    Ok((Account::demo(sim.base_url(), flex_sim::DEMO_TEST_KEY), sim))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use flex_core::app_status::{self, KeySource, RECENT_PAYMENTS};

    use super::*;

    #[allow(clippy::unnecessary_wraps)] // matches the keychain lookup's signature
    fn no_stored_key(_: Mode) -> anyhow::Result<Option<String>> {
        Ok(None)
    }

    #[tokio::test]
    async fn a_stored_key_for_the_current_mode_is_used() {
        let mut asked = None;
        let c = connect_with(
            None,
            |mode| {
                asked = Some(mode);
                Ok(Some("fsk_test_saved".to_string()))
            },
            &Settings::default(),
            None,
        )
        .await;
        assert_eq!(asked, Some(Mode::Test), "settings start in test mode");
        assert_eq!(c.account.source, KeySource::Keychain);
        assert!(c.demo.is_none());
        assert!(c.notice.is_none());
    }

    #[tokio::test]
    async fn the_environment_key_wins_over_a_stored_one() {
        let c = connect_with(
            Some("fsk_test_env"),
            |_| panic!("the keychain is not read when FLEX_API_KEY is set"),
            &Settings::default(),
            None,
        )
        .await;
        assert_eq!(c.account.source, KeySource::Environment);
    }

    #[tokio::test]
    async fn an_unreadable_keychain_falls_back_to_the_demo_and_says_why() {
        let c = connect_with(
            None,
            |_| Err(anyhow::anyhow!("the keychain is locked")),
            &Settings::default(),
            None,
        )
        .await;
        assert!(c.account.is_demo());
        let notice = c.notice.unwrap();
        assert!(notice.contains("keychain is locked"), "{notice}");
    }

    #[tokio::test]
    async fn nothing_configured_runs_the_demo_and_lists_its_payments() {
        let c = connect_with(None, no_stored_key, &Settings::default(), None).await;
        assert!(c.account.is_demo());
        assert_eq!(c.account.mode, Mode::Test);
        assert!(c.notice.is_none(), "{:?}", c.notice);
        assert!(
            c.account.api_base.starts_with("http://127.0.0.1:"),
            "the demo is local: {}",
            c.account.api_base
        );
        let client = c.client.as_ref().unwrap();
        let rows = app_status::recent_payments(client, RECENT_PAYMENTS)
            .await
            .unwrap();
        assert!(
            !rows.is_empty() && rows.len() <= RECENT_PAYMENTS,
            "the demo shows 1 to {RECENT_PAYMENTS} payments: {rows:?}"
        );
        for r in &rows {
            assert!(r.id.starts_with("fpi_"), "{r:?}");
            assert_eq!(r.amount, app_status::format_usd(r.amount_cents));
        }
    }

    #[tokio::test]
    async fn a_configured_key_is_used_without_starting_the_demo() {
        let settings = Settings {
            api_base: Some("http://127.0.0.1:9".into()),
            ..Settings::default()
        };
        let c = connect_with(Some("fsk_live_abc"), no_stored_key, &settings, None).await;
        assert_eq!(c.account.source, KeySource::Environment);
        assert_eq!(c.account.mode, Mode::Live);
        assert!(
            c.demo.is_none(),
            "no simulator when an account is configured"
        );
        assert!(c.client.is_ok());
    }

    #[tokio::test]
    async fn a_malformed_key_falls_back_to_the_demo_and_says_why() {
        let c = connect_with(
            Some("sk_test_stripe"),
            no_stored_key,
            &Settings::default(),
            None,
        )
        .await;
        assert!(c.account.is_demo());
        let notice = c.notice.unwrap();
        assert!(
            notice.contains("FLEX_API_KEY") && notice.contains("demo"),
            "{notice}"
        );
    }
}
