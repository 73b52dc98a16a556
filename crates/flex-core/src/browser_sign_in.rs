//! "Sign in with Flex" (issue 9 §2; issue 8 §2 step 2 and the Account page): the browser sign-in
//! as the window and `flex-mcp login --oauth` run it, and the sign-out both use. The sign-in
//! itself is flex-auth's (`oauth::login`: discovery, registration, PKCE S256, `state` and `iss`
//! checked, a loopback redirect); this adds what a person needs around it: the options both
//! front ends use, the window's split of one sign-in into *start* (the link, and whether the
//! browser opened) and *finish* (wait for the browser), *cancel*, the record of when, and the
//! sentences.
//!
//! The host owns the tokens and refreshes them; after a sign-in or sign-out made in the app's
//! process the app calls `HostHandle::sign_in_changed()` so the host uses it at once (a CLI
//! `login` in another process is seen within the host's 2-second decision cache).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use flex_auth::SecretStore;
pub use flex_auth::oauth::Browser;
use flex_auth::oauth::{self, Link, LoginOptions, OauthError, SignInStatus, SignedIn};
use serde::Serialize;

use crate::error::Code;
use crate::sign_in_state::{self, Serves};
use crate::{Paths, Settings, credentials};

/// A shorter sign-in timeout, in seconds (tests); the default is five minutes.
pub const TIMEOUT_ENV: &str = "FLEX_MCP_OAUTH_TIMEOUT_SECS";
/// A fixed loopback port instead of an ephemeral one (machines whose firewall allows one port).
pub const PORT_ENV: &str = "FLEX_MCP_OAUTH_PORT";

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

/// The sign-in's options from settings (the hosted MCP address) and the environment
/// ([`TIMEOUT_ENV`], [`PORT_ENV`]).
///
/// # Errors
/// When one of those variables is not a number.
pub fn login_options(settings: &Settings, browser: Browser) -> anyhow::Result<LoginOptions> {
    let mut options = LoginOptions::new(oauth::oauth_endpoint(&settings.effective_mcp_url()));
    options.browser = browser;
    if let Some(secs) = env_number::<u64>(TIMEOUT_ENV)? {
        options.timeout = Duration::from_secs(secs);
    }
    if let Some(port) = env_number::<u16>(PORT_ENV)? {
        options.port = port;
    }
    Ok(options)
}

/// Sign in with Flex in the browser and record when (the tokens go to `store` only, by
/// flex-auth). `on_link` is told where the sign-in page is.
///
/// # Errors
/// The sign-in's own error (one sentence with what to do; nothing stored).
pub async fn sign_in(
    store: &dyn SecretStore,
    paths: &Paths,
    options: &LoginOptions,
    on_link: &(dyn Fn(&Link) + Send + Sync),
) -> Result<SignedIn, OauthError> {
    let signed_in = oauth::login(store, options, on_link).await?;
    credentials::record_flex_sign_in(paths, &signed_in.issuer);
    Ok(signed_in)
}

/// A sign-in failure for the window: its sentence, with the [`Code`] the front end can switch on
/// (`cancelled` for Cancel, `network`, `keychain_unavailable`, else `unknown`).
pub fn failure(e: &OauthError) -> anyhow::Error {
    let code = match e {
        OauthError::Cancelled => Code::Cancelled,
        OauthError::Network { .. } | OauthError::TokenServer { .. } => Code::Network,
        OauthError::Keychain(_) => Code::KeychainUnavailable,
        _ => Code::Unknown,
    };
    anyhow::Error::new(code).context(e.to_string())
}

/// The link of a started sign-in, for the window's "Waiting for your browser…".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SignInLink {
    /// Flex's sign-in page for this sign-in (carries no secret: a `state` and a PKCE challenge).
    pub link: String,
    /// The browser was asked to open it; `false`: the person opens the link themselves.
    pub browser_opened: bool,
    /// What to do now, in plain words.
    pub sentence: String,
}

/// A finished sign-in, as the window reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FlexSignedIn {
    /// Flex's sign-in service.
    pub issuer: String,
    /// What happened and which modes it serves.
    pub sentence: String,
}

/// What signing out of Flex did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FlexSignedOut {
    /// A sign-in (or part of one) was stored.
    pub was_signed_in: bool,
    /// Flex confirmed the revocation.
    pub revoked: bool,
    /// What happened, in plain words.
    pub sentence: String,
}

/// Sign out of Flex: revoke the sign-in at Flex, then delete its keychain items (also when Flex
/// cannot be reached: `revoked` then says so) and the record of when it was made. What
/// `flex-mcp logout` and the Account page's Sign out both run.
///
/// # Errors
/// When the keychain cannot be changed (`keychain_unavailable`).
pub async fn sign_out(store: &dyn SecretStore, paths: &Paths) -> anyhow::Result<FlexSignedOut> {
    let stored = !matches!(oauth::status(store), Ok(SignInStatus::SignedOut))
        || matches!(
            store.load(oauth::slot(flex_auth::SecretKind::OauthClient)),
            Ok(Some(_))
        );
    if !stored {
        return Ok(FlexSignedOut {
            was_signed_in: false,
            revoked: false,
            sentence: "You were not signed in with Flex.".to_owned(),
        });
    }
    let out = oauth::sign_out(store).await.map_err(|e| failure(&e))?;
    credentials::forget_flex_sign_in(paths);
    let sentence = if out.revoked {
        "Signed out of Flex: the sign-in was revoked at Flex and removed from this computer's \
         keychain."
    } else {
        "Signed out of Flex: the sign-in was removed from this computer's keychain. Flex could \
         not be reached to revoke it; it ends by itself when its tokens expire, or revoke it in \
         the Flex Dashboard."
    };
    Ok(FlexSignedOut {
        was_signed_in: true,
        revoked: out.revoked,
        sentence: sentence.to_owned(),
    })
}

/// The sign-in in progress in the window: at most one. Held by the app for its lifetime.
#[derive(Default)]
pub struct BrowserSignIn {
    running: Mutex<Option<Running>>,
}

impl std::fmt::Debug for BrowserSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserSignIn").finish_non_exhaustive()
    }
}

type Outcome = Result<SignedIn, OauthError>;

struct Running {
    /// Cancels this sign-in (its `LoginOptions::cancel`).
    cancel: Box<dyn Fn() + Send + Sync>,
    /// Taken by the one `finish` that waits for it.
    task: Option<tokio::task::JoinHandle<Outcome>>,
}

impl BrowserSignIn {
    /// No sign-in in progress.
    pub fn new() -> BrowserSignIn {
        BrowserSignIn::default()
    }

    /// Start a sign-in ("Sign in with Flex"): open the browser (or not, with
    /// [`Browser::LinkOnly`]) at Flex's sign-in page and return its link at once; the sign-in
    /// then waits in the background for the browser until [`BrowserSignIn::finish`] collects
    /// it. A sign-in already in progress is cancelled first. Must run on a tokio runtime.
    ///
    /// # Errors
    /// What stops a sign-in before the browser is involved (Flex's sign-in service not found, no
    /// loopback port, registration refused), as one sentence.
    pub async fn start(
        &self,
        store: Arc<impl SecretStore + 'static>,
        paths: Paths,
        settings: &Settings,
        browser: Browser,
    ) -> anyhow::Result<SignInLink> {
        self.cancel();
        let options = login_options(settings, browser)?;
        let minutes = options.timeout.as_secs().div_ceil(60);
        let cancel = options.cancel.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<Link>();
        let tx = Mutex::new(Some(tx));
        let mut task = tokio::spawn(async move {
            let on_link = move |link: &Link| {
                if let Some(tx) = tx.lock().unwrap_or_else(PoisonError::into_inner).take() {
                    let _ = tx.send(link.clone());
                }
            };
            sign_in(store.as_ref(), &paths, &options, &on_link).await
        });
        let link = tokio::select! {
            link = rx => link.ok(),
            ended = &mut task => return Err(ended_early(ended)),
        };
        let Some(link) = link else {
            return Err(ended_early(task.await));
        };
        *self.running.lock().unwrap_or_else(PoisonError::into_inner) = Some(Running {
            cancel: Box::new(move || cancel.cancel()),
            task: Some(task),
        });
        let wait = format!(
            "Sign in there with your Flex Dashboard login and choose Allow; Flex MCP waits up to \
             {minutes} minutes."
        );
        Ok(match link {
            Link::Opened(link) => SignInLink {
                link,
                browser_opened: true,
                sentence: format!("Your browser was opened at Flex's sign-in page. {wait}"),
            },
            Link::OpenFailed(link) => SignInLink {
                link,
                browser_opened: false,
                sentence: format!(
                    "Flex MCP could not open a browser on this computer. Copy the link below \
                     into a browser on this computer. {wait}"
                ),
            },
            Link::Show(link) => SignInLink {
                link,
                browser_opened: false,
                sentence: format!("Open the link below in a browser on this computer. {wait}"),
            },
        })
    }

    /// Wait for the started sign-in to come back from the browser; then it is stored and
    /// serves by the one rule. Says which mode it serves (an API key saved for a mode keeps
    /// serving it unless the person chose the Flex sign-in there).
    ///
    /// # Errors
    /// No sign-in in progress; or the sign-in's own error in one sentence with what to do
    /// (denied, timed out, cancelled, a foreign `state` or `iss`, Flex's token service failing),
    /// with nothing stored.
    pub async fn finish(
        &self,
        store: &dyn SecretStore,
        paths: &Paths,
        settings: &Settings,
    ) -> anyhow::Result<FlexSignedIn> {
        let task = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
            .and_then(|r| r.task.take());
        let Some(task) = task else {
            return Err(anyhow::Error::new(Code::NotSignedIn).context(
                "No sign-in with Flex is in progress. Choose \"Sign in with Flex\" to start one.",
            ));
        };
        let outcome = task.await;
        {
            // Forget it, unless a new sign-in has been started meanwhile.
            let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
            if running.as_ref().is_some_and(|r| r.task.is_none()) {
                *running = None;
            }
        }
        let signed_in = match outcome {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return Err(failure(&e)),
            Err(e) => return Err(stopped(&e)),
        };
        let state = sign_in_state::read_in(store, paths, settings);
        Ok(FlexSignedIn {
            sentence: signed_in_sentence(&state),
            issuer: signed_in.issuer,
        })
    }

    /// Cancel the sign-in in progress (the window's Cancel button); its `finish` then says it
    /// was cancelled. `false` when none was in progress.
    pub fn cancel(&self) -> bool {
        match self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            Some(r) => {
                (r.cancel)();
                true
            }
            None => false,
        }
    }
}

/// The sign-in ended before it handed out a link.
fn ended_early(ended: Result<Outcome, tokio::task::JoinError>) -> anyhow::Error {
    match ended {
        Ok(Err(e)) => failure(&e),
        Ok(Ok(_)) => anyhow::anyhow!(
            "The sign-in finished before its page was shown, which should not happen. Try again."
        ),
        Err(e) => stopped(&e),
    }
}

fn stopped(e: &tokio::task::JoinError) -> anyhow::Error {
    anyhow::anyhow!("The sign-in stopped unexpectedly ({e}). Nothing was stored. Try again.")
}

/// "Signed in with Flex: …" and which modes it serves now.
fn signed_in_sentence(state: &sign_in_state::SignInState) -> String {
    let flex: Vec<String> = state
        .modes
        .iter()
        .filter(|m| m.serves == Serves::Flex)
        .map(|m| m.mode.to_string())
        .collect();
    let others: Vec<String> = state
        .modes
        .iter()
        .filter(|m| m.serves != Serves::Flex)
        .map(|m| format!("{} mode: {}", capitalized(&m.mode.to_string()), m.line))
        .collect();
    let mut sentence = match flex.len() {
        2 => "Signed in with Flex: your assistants now reach your Flex account in test and live \
              mode through Flex's hosted MCP; the mode switch decides which one each call uses."
            .to_owned(),
        1 => format!(
            "Signed in with Flex: your assistants now reach your Flex account in {} mode through \
             Flex's hosted MCP.",
            flex[0]
        ),
        _ => "Signed in with Flex.".to_owned(),
    };
    if !others.is_empty() {
        // The rest keep what serves them now (an API key saved for the mode, unless the person
        // chooses the Flex sign-in for it).
        sentence.push(' ');
        sentence.push_str(&others.join("; "));
        sentence.push_str(" (the Account page shows which sign-in serves each mode).");
    }
    sentence
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
