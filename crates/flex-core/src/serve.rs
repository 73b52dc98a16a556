//! Composition of the MCP server from what is on this machine: settings (re-read when the file
//! changes), credentials (`FLEX_API_KEY`, else the keychain slot of the current mode), the
//! activity store, and the approver.
//!
//! Start-up cost matters (an MCP client spawns `flex-mcp stdio` and waits for it), so building a
//! server reads only the settings file. The keychain is read, and the HTTPS client built, on the
//! first tool call that needs them; SQLite is opened on the first record.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use flex_api::Mode;
use flex_mcp::approval::{Approver, HeadlessApprover};
use flex_mcp::gateway::Gateway;
use flex_mcp::groups::Selection;
use flex_mcp::server::{CallSettings, Context, FlexServer, NotReady, not_signed_in, watch};

use crate::activity::ActivityStore;
use crate::events::{Events, HostEvent};
use crate::flex_sign_in::FlexSignIn;
use crate::guard::{Guard, Loosening};
use crate::key_rule::{self, KeyRuleError};
use crate::paths::Paths;
use crate::settings::{Settings, write_atomic};

/// Looks up the stored API key of a mode (the keychain, in production).
pub type KeyLookup = Arc<dyn Fn(&Paths, Mode) -> anyhow::Result<Option<String>> + Send + Sync>;

pub use crate::key_rule::API_KEY_ENV;

/// The key lookup of this build: the OS keychain slot of the mode.
pub fn stored_key_lookup() -> KeyLookup {
    Arc::new(|paths: &Paths, mode: Mode| crate::credentials::api_key(paths, mode))
}

/// A [`Context`] over this machine's settings file and credentials.
pub struct HostContext {
    paths: Paths,
    env_key: Option<String>,
    lookup: KeyLookup,
    settings: Mutex<Loaded>,
    /// Per mode: the client, and the base URL and credentials file state it was built from.
    clients: Mutex<HashMap<Mode, CachedClient>>,
    /// Bumped when the `tools` section of settings changes (see [`Context::catalogue_epoch`]).
    epoch: Arc<watch::Sender<u64>>,
    /// Whether the settings poll that bumps `epoch` has been started.
    polling: std::sync::Once,
    /// In the host: the guard between the file and what applies, and where changes are told.
    guarded: Option<(Mutex<Guard>, Events)>,
    /// The Flex sign-in (one refresher, one gateway), when this process may use it.
    flex: Option<Arc<FlexSignIn>>,
    /// The app's built-in demo (its base URL): serves test mode while no key is configured.
    demo: Option<String>,
    /// Per mode: whether the Flex sign-in serves it, and when that was decided (the rule reads
    /// the keychain, so it is re-decided at most every [`SERVING_TTL`]).
    serving: Mutex<HashMap<Mode, (Instant, bool)>>,
}

/// How long a decision of which sign-in serves a mode is reused before the keychain is read
/// again (a `login` or `logout` in another process is seen within this time).
const SERVING_TTL: Duration = Duration::from_secs(2);

/// How often the settings file is checked for a changed `tools` section. The host's settings
/// watcher can bump the epoch sooner through [`HostContext::tools_changed`].
const TOOLS_POLL: Duration = Duration::from_secs(1);

impl std::fmt::Debug for HostContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostContext")
            .field("paths", &self.paths)
            .field("env_key", &self.env_key.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// The settings as last read, and the file identity they were read from.
struct Loaded {
    stamp: Option<FileStamp>,
    result: Result<Settings, String>,
}

/// What tells us the settings file changed: mtime, size and (on unix) inode, since settings are
/// replaced by rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
    ino: u64,
}

fn stamp(path: &std::path::Path) -> Option<FileStamp> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let ino = 0;
    Some(FileStamp {
        modified: meta.modified().ok(),
        len: meta.len(),
        ino,
    })
}

impl HostContext {
    /// A context over `paths`, with `env_key` (from `FLEX_API_KEY`) taking precedence over
    /// stored keys.
    pub fn new(paths: Paths, env_key: Option<String>, lookup: KeyLookup) -> HostContext {
        let file = paths.settings_file();
        let loaded = Loaded {
            stamp: stamp(&file),
            result: Settings::load(&paths).map_err(|e| format!("{e:#}")),
        };
        HostContext {
            paths,
            env_key: env_key
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty()),
            lookup,
            settings: Mutex::new(loaded),
            clients: Mutex::new(HashMap::new()),
            epoch: Arc::new(watch::Sender::new(0)),
            polling: std::sync::Once::new(),
            guarded: None,
            flex: None,
            demo: None,
            serving: Mutex::new(HashMap::new()),
        }
    }

    /// Serve test mode from the built-in demo at `base_url` while no key is configured for it
    /// (the app's host: "Try the demo first" then means the same sample data for assistants).
    #[must_use]
    pub fn with_demo(mut self, base_url: String) -> HostContext {
        self.demo = Some(base_url);
        self
    }

    /// Let the Flex sign-in serve modes the credential rule gives it (see
    /// [`key_rule::sign_in_for`]): their tools come from the hosted MCP through `flex`'s gateway.
    #[must_use]
    pub fn with_flex_sign_in(mut self, flex: Arc<FlexSignIn>) -> HostContext {
        self.flex = Some(flex);
        self
    }

    /// The Flex sign-in of this context, if any (the app reaches its refresher through it).
    pub fn flex_sign_in(&self) -> Option<&Arc<FlexSignIn>> {
        self.flex.as_ref()
    }

    /// Forget which sign-in serves each mode (after a sign-in or sign-out in this process).
    pub fn sign_in_changed(&self) {
        self.serving
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Whether the Flex sign-in serves `mode` now, by the one credential rule.
    fn flex_serves(&self, flex: &FlexSignIn, mode: Mode) -> bool {
        if let Some((at, serves)) = self
            .serving
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&mode)
            && at.elapsed() < SERVING_TTL
        {
            return *serves;
        }
        let choice = self.current().ok().and_then(|s| s.sign_in.for_mode(mode));
        let serving = key_rule::sign_in_for(
            self.env_key.as_deref(),
            mode,
            choice,
            flex.signed_in(),
            |m| (self.lookup)(&self.paths, m),
        );
        let serves = matches!(serving, Ok(Some(key_rule::Serving::FlexSignIn)));
        self.serving
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(mode, (Instant::now(), serves));
        serves
    }

    /// Tell connected sessions that the tool selection may have changed (they send
    /// `notifications/tools/list_changed`). For the host's settings watcher; the built-in poll
    /// calls it too.
    pub fn tools_changed(&self) {
        self.epoch.send_modify(|e| *e = e.wrapping_add(1));
    }

    /// Start (once) a thread that compares the `tools` section of the settings file every
    /// [`TOOLS_POLL`] and bumps the epoch when it changed. It ends with the context.
    fn start_tools_poll(&self) {
        self.polling.call_once(|| {
            let epoch = Arc::downgrade(&self.epoch);
            let paths = self.paths.clone();
            // Read before returning, so a change made right after subscribing is not missed.
            let file = paths.settings_file();
            let mut seen = stamp(&file);
            let mut tools = Settings::load(&paths).ok().map(|s| s.tools);
            let spawned = std::thread::Builder::new()
                .name("flex-tools-poll".into())
                .stack_size(64 * 1024)
                .spawn(move || {
                    loop {
                        std::thread::sleep(TOOLS_POLL);
                        let Some(epoch) = epoch.upgrade() else { return };
                        let now = stamp(&file);
                        if now == seen {
                            continue;
                        }
                        seen = now;
                        let latest = Settings::load(&paths).ok().map(|s| s.tools);
                        if latest != tools {
                            tools = latest;
                            epoch.send_modify(|e| *e = e.wrapping_add(1));
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::warn!("could not start watching the tools settings: {e}");
            }
        });
    }

    /// A context for the host: the settings on disk now count as confirmed; later changes of
    /// the file that loosen the guard wait for [`HostContext::confirm_pending`] (see
    /// [`crate::guard`]); every change of what applies is sent to `events`.
    pub fn guarded(
        paths: Paths,
        env_key: Option<String>,
        lookup: KeyLookup,
        events: Events,
    ) -> HostContext {
        let mut ctx = HostContext::new(paths, env_key, lookup);
        let start = ctx
            .settings
            .get_mut()
            .map_or_else(|e| e.into_inner().result.clone(), |l| l.result.clone())
            .unwrap_or_default();
        ctx.guarded = Some((Mutex::new(Guard::new(start)), events));
        ctx
    }

    /// The settings in force now (re-read if the file changed, through the guard in the host).
    pub fn settings_now(&self) -> Result<Settings, String> {
        self.current()
    }

    /// What waits for the person's confirmation (empty: nothing).
    pub fn waiting_confirmation(&self) -> Vec<Loosening> {
        self.guarded.as_ref().map_or_else(Vec::new, |(g, _)| {
            g.lock().unwrap_or_else(PoisonError::into_inner).waiting()
        })
    }

    /// The person confirmed the waiting change in the app. `false` if nothing waited.
    pub fn confirm_pending(&self) -> bool {
        let Some((guard, events)) = &self.guarded else {
            return false;
        };
        let mut loaded = self.settings.lock().unwrap_or_else(PoisonError::into_inner);
        let before = loaded.result.clone().ok();
        let Some(now) = guard
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .confirm()
        else {
            return false;
        };
        tell_changes(events, before.as_ref(), &now);
        let _ = events.send(HostEvent::ConfirmationResolved { confirmed: true });
        loaded.result = Ok(now);
        true
    }

    /// The person refused the waiting change: what stays in force is written back to the file,
    /// so the file again says what applies. `false` if nothing waited.
    pub fn reject_pending(&self) -> anyhow::Result<bool> {
        let Some((guard, events)) = &self.guarded else {
            return Ok(false);
        };
        let mut loaded = self.settings.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(kept) = guard
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reject()
        else {
            return Ok(false);
        };
        kept.save(&self.paths)?;
        loaded.stamp = stamp(&self.paths.settings_file());
        loaded.result = Ok(kept);
        let _ = events.send(HostEvent::ConfirmationResolved { confirmed: false });
        Ok(true)
    }

    /// A change the person made in the app (after the app's own confirmation, for live mode):
    /// applied at once and saved.
    pub fn change_by_person(&self, change: impl FnOnce(&mut Settings)) -> anyhow::Result<Settings> {
        let mut loaded = self.settings.lock().unwrap_or_else(PoisonError::into_inner);
        let before = loaded.result.clone().ok();
        let mut next = before.clone().unwrap_or_default();
        change(&mut next);
        next.save(&self.paths)?;
        loaded.stamp = stamp(&self.paths.settings_file());
        if let Some((guard, events)) = &self.guarded {
            guard
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .set_by_person(next.clone());
            tell_changes(events, before.as_ref(), &next);
        }
        loaded.result = Ok(next.clone());
        Ok(next)
    }

    /// The settings now, re-read if the file changed since the last call.
    fn current(&self) -> Result<Settings, String> {
        let file = self.paths.settings_file();
        let now = stamp(&file);
        let mut loaded = self.settings.lock().unwrap_or_else(PoisonError::into_inner);
        if loaded.stamp != now {
            let read = Settings::load(&self.paths).map_err(|e| format!("{e:#}"));
            loaded.stamp = now;
            loaded.result = match (read, &self.guarded) {
                (Ok(from_file), Some((guard, events))) => {
                    let before = loaded.result.clone().ok();
                    let seen = guard
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .observe(from_file);
                    tell_changes(events, before.as_ref(), &seen.applied);
                    if !seen.waiting.is_empty() {
                        tracing::info!(
                            "the settings file loosens the guard; waiting for the person to \
                             confirm in the app"
                        );
                        let sentences = seen.waiting.iter().map(Loosening::describe).collect();
                        let _ = events.send(HostEvent::ConfirmationPending {
                            loosenings: seen.waiting,
                            sentences,
                        });
                    }
                    Ok(seen.applied)
                }
                (read, _) => read,
            };
            if let Ok(s) = &loaded.result {
                tracing::debug!(mode = %s.mode, "settings changed; applying from this call");
            }
        }
        loaded.result.clone()
    }

    /// The key the credential rule gives `mode`; `None` when nothing is configured for it.
    fn configured_key(&self, mode: Mode) -> Result<Option<String>, NotReady> {
        let chosen = key_rule::key_for(self.env_key.as_deref(), mode, |m| {
            (self.lookup)(&self.paths, m)
        });
        match chosen {
            Ok(Some((key, _))) => Ok(Some(key.expose().to_string())),
            Ok(None) => Ok(None),
            Err(e @ KeyRuleError::Keychain { .. }) => Err(NotReady::new(
                crate::error::Code::KeychainUnavailable.as_str(),
                format!("{e}. The user can run `flex-mcp doctor` to see why"),
            )),
            Err(e) => Err(NotReady::new("invalid_key", e.to_string())),
        }
    }
}

impl Context for HostContext {
    fn call_settings(&self) -> Result<CallSettings, NotReady> {
        let settings = self.current().map_err(|message| {
            NotReady::new(
                "settings_unreadable",
                format!(
                    "the settings file cannot be read, so the policy is unknown and no call is \
                     allowed: {message}"
                ),
            )
        })?;
        if settings.paused {
            return Err(NotReady::new("paused", flex_mcp::format::PAUSED_MESSAGE));
        }
        let mode = key_rule::mode_in_force(self.env_key.as_deref(), settings.mode)
            .map_err(|e| NotReady::new("invalid_key", e.to_string()))?;
        Ok(CallSettings {
            mode,
            policy: settings.policy,
            settings_file: Some(self.paths.settings_file().display().to_string()),
        })
    }

    fn tool_selection(&self, client_name: Option<&str>) -> Selection {
        match self.current() {
            Ok(settings) => settings.tools.selection_for(client_name),
            // Calls are refused until the file is fixed; meanwhile list only reads.
            Err(_) => Selection {
                read_only: true,
                ..Selection::default()
            },
        }
    }

    fn catalogue_epoch(&self) -> watch::Receiver<u64> {
        self.start_tools_poll();
        self.epoch.subscribe()
    }

    fn gateway(&self, mode: Mode) -> Option<Arc<Gateway>> {
        let flex = self.flex.as_ref()?;
        self.flex_serves(flex, mode).then(|| flex.gateway())
    }

    fn api(&self, mode: Mode) -> Result<flex_api::Client, NotReady> {
        let base = self.current().map_or_else(
            |_| Settings::default().effective_api_base(),
            |s| s.effective_api_base(),
        );
        // The keychain is slow (a D-Bus round trip) and may prompt: read it once per mode, and
        // again only when the credentials metadata changes (a new `login` or `logout`).
        let creds = stamp(
            &self
                .paths
                .config_dir
                .join(crate::credentials::METADATA_FILE),
        );
        {
            let clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(c) = clients.get(&mode)
                && c.base == base
                && (self.env_key.is_some() || c.creds == creds)
            {
                return Ok(c.client.clone());
            }
        }
        // Nothing configured for test mode: the demo, where the app runs one. A key that is
        // there but unusable stays an error that says so (never silently the demo).
        let (key, url) = match (self.configured_key(mode)?, &self.demo) {
            (Some(key), _) => (key, base.clone()),
            (None, Some(demo)) if mode == Mode::Test => {
                (crate::demo::DEMO_KEY.to_string(), demo.clone())
            }
            (None, _) => return Err(not_signed_in(mode)),
        };
        let config = flex_api::ClientConfig::new(key).with_base_url(url);
        let client = flex_api::Client::new(config)
            .map_err(|e| NotReady::new("invalid_key", e.to_string()))?;
        let cached = CachedClient {
            base,
            creds,
            client: client.clone(),
        };
        self.clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(mode, cached);
        Ok(client)
    }
}

/// Tell the app what changed between two settings in force.
fn tell_changes(events: &Events, before: Option<&Settings>, now: &Settings) {
    if before.is_none_or(|b| b.mode != now.mode) {
        let _ = events.send(HostEvent::ModeChanged { mode: now.mode });
    }
    if before.is_none_or(|b| b.paused != now.paused) {
        let _ = events.send(HostEvent::PauseChanged { paused: now.paused });
    }
}

/// A built client and what it was built from.
struct CachedClient {
    base: String,
    creds: Option<FileStamp>,
    client: flex_api::Client,
}

/// A composed server and the store its records go to (close it before exiting so queued records
/// are written).
#[derive(Debug)]
pub struct Composed {
    /// The MCP server (cheap to clone per session).
    pub server: FlexServer,
    /// Where call records go.
    pub activity: Arc<ActivityStore>,
}

/// Build the server for this machine: settings from `paths`, `FLEX_API_KEY` if set, stored keys
/// through `lookup`, records to the activity store, "ask" answered by `approver`.
pub fn compose(
    paths: &Paths,
    lookup: KeyLookup,
    approver: Arc<dyn Approver>,
) -> anyhow::Result<Composed> {
    let settings = Settings::load(paths).unwrap_or_else(|e| {
        // The server still starts: calls will be refused with this error until it is fixed.
        tracing::warn!("{e:#}");
        Settings::default()
    });
    let env_key = key_rule::env_key();
    let context = Arc::new(HostContext::new(paths.clone(), env_key, lookup));
    let activity = Arc::new(ActivityStore::new(paths.activity_db(), settings.retention));
    let server = FlexServer::with_parts(context, approver, activity.clone());
    Ok(Composed { server, activity })
}

/// [`compose`] for a headless process: keychain lookup, headless approver.
pub fn compose_headless(paths: &Paths) -> anyhow::Result<Composed> {
    compose(paths, stored_key_lookup(), Arc::new(HeadlessApprover))
}

/// The bearer token of the local HTTP endpoint: read from [`Paths::http_token_file`], or
/// generated (256 random bits, hex) and stored there with user-only permissions on first use.
pub fn http_token(paths: &Paths) -> anyhow::Result<String> {
    let file = paths.http_token_file();
    match std::fs::read_to_string(&file) {
        Ok(text) if !text.trim().is_empty() => {
            restrict(&file);
            return Ok(text.trim().to_string());
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(e).with_context(|| format!("reading the HTTP token {}", file.display()));
        }
    }
    let bytes: [u8; 32] = rand::random();
    let token = bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating runtime directory {}", dir.display()))?;
        restrict_dir(dir);
    }
    write_atomic(&file, format!("{token}\n").as_bytes())
        .with_context(|| format!("writing the HTTP token {}", file.display()))?;
    restrict(&file);
    Ok(token)
}

fn restrict(file: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = file;
}

fn restrict_dir(dir: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Where the app's local socket is (the stdio bridge connects here).
pub fn app_socket(paths: &Paths) -> PathBuf {
    paths.socket_path()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use flex_mcp::policy::{Access, Decision};

    fn no_keys() -> KeyLookup {
        Arc::new(|_: &Paths, _: Mode| Ok(None))
    }

    #[test]
    fn settings_changes_apply_on_the_next_call() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path(), dir.path());
        let ctx = HostContext::new(paths.clone(), None, no_keys());
        assert_eq!(ctx.call_settings().unwrap().mode, Mode::Test);
        let mut s = Settings {
            mode: Mode::Live,
            ..Settings::default()
        };
        s.save(&paths).unwrap();
        let now = ctx.call_settings().unwrap();
        assert_eq!(now.mode, Mode::Live, "mode switch applies without restart");
        assert_eq!(now.policy.decide(Mode::Live, Access::Write), Decision::Ask);
        s.policy.live.write = Decision::Deny;
        s.save(&paths).unwrap();
        assert_eq!(
            ctx.call_settings()
                .unwrap()
                .policy
                .decide(Mode::Live, Access::Write),
            Decision::Deny
        );
        std::fs::write(paths.settings_file(), "{not json").unwrap();
        let err = ctx.call_settings().unwrap_err();
        assert_eq!(
            err.code, "settings_unreadable",
            "a broken file refuses calls"
        );
    }

    #[test]
    fn env_key_fixes_the_mode_and_missing_keys_say_how_to_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path(), dir.path());
        Settings {
            mode: Mode::Test,
            ..Settings::default()
        }
        .save(&paths)
        .unwrap();
        let ctx = HostContext::new(paths.clone(), Some("fsk_live_x".into()), no_keys());
        assert_eq!(ctx.call_settings().unwrap().mode, Mode::Live);
        let bad = HostContext::new(paths.clone(), Some("sk_test_x".into()), no_keys());
        assert_eq!(bad.call_settings().unwrap_err().code, "invalid_key");
        let none = HostContext::new(paths, None, no_keys());
        let err = none.api(Mode::Test).unwrap_err();
        assert_eq!(err.code, "not_signed_in");
        assert!(
            err.message.contains("flex-mcp login --api-key"),
            "{}",
            err.message
        );
    }

    #[test]
    fn clients_are_cached_per_mode_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path(), dir.path());
        let ctx = HostContext::new(paths, Some("fsk_test_abc".into()), no_keys());
        let a = ctx.api(Mode::Test).unwrap();
        let b = ctx.api(Mode::Test).unwrap();
        assert_eq!(a.mode(), Mode::Test);
        assert_eq!(a.base_url(), b.base_url());
        assert_eq!(ctx.clients.lock().unwrap().len(), 1);
        assert_eq!(
            ctx.api(Mode::Live).unwrap_err().code,
            "invalid_key",
            "a test key is never used for live"
        );
    }

    #[tokio::test]
    async fn a_change_of_the_tools_settings_reaches_sessions_through_the_epoch() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path(), dir.path());
        Settings::default().save(&paths).unwrap();
        let ctx = HostContext::new(paths.clone(), None, no_keys());
        assert!(!ctx.tool_selection(Some("Cursor")).read_only);
        let mut epoch = ctx.catalogue_epoch();
        let mut s = Settings::default();
        s.tools.set_read_only(Some("cursor"), true);
        s.save(&paths).unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(30), epoch.changed())
            .await
            .expect("the poll noticed the change")
            .unwrap();
        assert!(ctx.tool_selection(Some("Cursor")).read_only);
        assert!(!ctx.tool_selection(Some("claude-ai")).read_only);
        std::fs::write(paths.settings_file(), r#"{"tools": {"groups": ["nope"]}}"#).unwrap();
        let err = ctx.call_settings().unwrap_err();
        assert!(
            err.message.contains("`nope`") && err.message.contains("`support`"),
            "{}",
            err.message
        );
        assert!(
            ctx.tool_selection(None).read_only,
            "unreadable settings list only reads"
        );
    }

    #[test]
    fn http_token_is_generated_once_with_user_only_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path(), dir.path());
        let t1 = http_token(&paths).unwrap();
        let t2 = http_token(&paths).unwrap();
        assert_eq!(t1, t2, "the token is stable across runs");
        assert_eq!(t1.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(paths.http_token_file())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
