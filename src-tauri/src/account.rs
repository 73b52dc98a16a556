//! Which Flex the window talks to: the account the one rule chooses (`flex_core::account_in_use`),
//! or — when nothing is configured — the built-in demo the host runs for assistants too (asked
//! over the window channel), so the window and the assistants see one sample account.

use std::sync::{Arc, PoisonError, RwLock};

use flex_core::account_in_use::{self, Choice};
use flex_core::app_status::Account;
use flex_core::demo::{DEMO_KEY, Demo};
use flex_core::{Paths, Settings};

use crate::error::CommandError;
use crate::host_link::{HostCommand, HostLink};

/// The managed state every command reads.
pub(crate) struct Connected {
    /// The account in use (key never shown).
    pub(crate) account: Account,
    /// Something the user should know, with its fix (shown as a banner).
    pub(crate) notice: Option<String>,
    /// The API client, or why there is none (shown where the payments would be).
    pub(crate) client: Result<flex_api::Client, String>,
    /// The window's own demo, only when the host has none to share (held, only tests read it).
    #[allow(dead_code)]
    demo: Option<Demo>,
    /// Where our files live; `None` when no home folder could be found.
    pub(crate) paths: Option<Paths>,
    /// The settings read at start.
    pub(crate) settings: Settings,
}

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

/// Resolve the account by the one rule (`flex_core::account_in_use`): the Flex sign-in, else
/// `FLEX_API_KEY` or the stored key of the current mode, else the built-in demo: the host's
/// (through `link`), or one of our own when the host has none.
pub(crate) async fn connect(link: Option<&HostLink>) -> Connected {
    let paths = Paths::from_env();
    let (settings, notice) = match paths.as_ref().map(Settings::load) {
        Some(Ok(s)) => (s, None),
        Some(Err(e)) => (Settings::default(), Some(format!("{e:#}"))),
        None => (Settings::default(), None),
    };
    let choice = account_in_use::now(paths.as_ref(), &settings);
    let host_demo = match (&choice, link) {
        (Choice::Demo { .. }, Some(link)) => link
            .call(HostCommand::DemoAddress)
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string)),
        _ => None,
    };
    let mut connected = connected_for(choice, &settings, notice, host_demo).await;
    connected.paths = paths;
    connected
}

/// Read the account again (a sign-in, a sign-out, a mode switch) and use it from now on.
pub(crate) async fn reconnect(app: &tauri::AppHandle) {
    use tauri::Manager as _;
    let link = app.try_state::<HostLink>();
    let connected = connect(link.as_deref()).await;
    if let Some(state) = app.try_state::<AppState>() {
        state.replace(connected);
    }
}

/// The account for `choice`; on the demo, the one at `host_demo`, else one started here.
async fn connected_for(
    choice: Choice,
    settings: &Settings,
    notice: Option<String>,
    host_demo: Option<String>,
) -> Connected {
    let (account, demo, notice) = match choice {
        // The host's gateway serves the assistants; the window has no REST client (the tokens
        // are for the hosted MCP only) and no demo.
        Choice::FlexSignIn => (
            Account::flex_sign_in(settings.mode, &settings.effective_mcp_url()),
            None,
            notice,
        ),
        Choice::Key(account) => (account, None, notice),
        Choice::Demo { notice: why } => match host_demo {
            Some(url) => (Account::demo(url, DEMO_KEY), None, why.or(notice)),
            None => match Demo::start().await {
                Ok(demo) => (
                    Account::demo(demo.base_url(), DEMO_KEY),
                    Some(demo),
                    why.or(notice),
                ),
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
        },
    };
    let client =
        flex_core::app_status::api_client(&account).map_err(|e| flex_core::Code::message(&e));
    Connected {
        account,
        notice,
        client,
        demo,
        paths: None,
        settings: settings.clone(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use flex_api::Mode;
    use flex_core::app_status::{self, KeySource, RECENT_PAYMENTS};

    use super::*;

    #[tokio::test]
    async fn the_demo_starts_its_simulator_and_lists_its_payments() {
        let c = connected_for(
            Choice::Demo { notice: None },
            &Settings::default(),
            None,
            None,
        )
        .await;
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
    async fn the_demo_is_the_hosts_when_the_host_has_one() {
        let hosts = Demo::start().await.unwrap();
        let c = connected_for(
            Choice::Demo { notice: None },
            &Settings::default(),
            None,
            Some(hosts.base_url()),
        )
        .await;
        assert!(c.account.is_demo());
        assert!(c.demo.is_none(), "no second simulator");
        assert_eq!(c.account.api_base, hosts.base_url());
        let rows = app_status::recent_payments(c.client.as_ref().unwrap(), RECENT_PAYMENTS)
            .await
            .unwrap();
        assert!(!rows.is_empty(), "the host's demo has its sample payments");
    }

    #[tokio::test]
    async fn the_demo_says_why_a_configuration_was_not_used() {
        let why = "the keychain is locked. Showing the built-in demo meanwhile.";
        let c = connected_for(
            Choice::Demo {
                notice: Some(why.into()),
            },
            &Settings::default(),
            Some("the settings file could not be read".into()),
            None,
        )
        .await;
        assert!(c.account.is_demo());
        assert_eq!(c.notice.as_deref(), Some(why));
    }

    #[tokio::test]
    async fn a_configured_key_is_used_without_starting_the_demo() {
        let settings = Settings {
            api_base: Some("http://127.0.0.1:9".into()),
            ..Settings::default()
        };
        let choice = account_in_use::by_key(Some("fsk_live_abc"), |_| Ok(None), &settings);
        let c = connected_for(choice, &settings, None, None).await;
        assert_eq!(c.account.source, KeySource::Environment);
        assert_eq!(c.account.mode, Mode::Live);
        assert!(
            c.demo.is_none(),
            "no simulator when an account is configured"
        );
        assert!(c.client.is_ok());
    }
}
