//! The MCP server: rmcp's `ServerHandler`, written by hand.
//!
//! Why by hand rather than with rmcp's tool macros: every call has to pass the same gate in the
//! same order — find the tool, look up its access class, read the *current* mode and policy, ask
//! or refuse, run it, turn any failure into an error result a model can act on, and record it.
//! Owning `call_tool` makes that gate one function that cannot be bypassed by adding a tool.
//!
//! What the server needs from its host comes through three small traits, so the same server runs
//! headless (`flex-mcp stdio --standalone`), in the desktop app, and in tests:
//! - [`Context`]: the current mode and policy (re-read per call, so `flex-mcp mode live` applies
//!   to the next call without a restart) and the Flex client for a mode (built lazily);
//! - [`Approver`]: answers "ask";
//! - [`Recorder`]: receives one [`CallRecord`] per call and must not block.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use flex_api::Mode;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, GetPromptRequestParams,
    GetPromptResponse, Implementation, ListPromptsResult, ListToolsResult, PaginatedRequestParams,
    ProgressNotificationParam, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use serde_json::{Map, Value};

use rmcp::service::NotificationContext;
use tokio_util::sync::CancellationToken;

use crate::approval::{Approval, ApprovalRequest, Approver, HeadlessApprover};
use crate::discovery;
use crate::format::{self, Failure};
use crate::gateway::{self, Gateway};
use crate::groups::{self, GroupSet, Selection};
use crate::policy::{Access, Decision, Policy};
use crate::record::{CallRecord, NoRecorder, Outcome, Recorder};
use crate::redact::{Facts, redact_map};
use crate::tools::{self, ToolCtx};

/// The channel type of [`Context::catalogue_epoch`], re-exported so hosts need no tokio of their own.
pub use tokio::sync::watch;

/// Plain-text instructions sent to the model at initialize.
pub const INSTRUCTIONS: &str = include_str!("instructions.md");

/// How often a call waiting for approval tells a client that asked for progress.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);

/// What a call runs under, read fresh for every call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallSettings {
    /// Test or live.
    pub mode: Mode,
    /// allow / ask / deny per class and mode.
    pub policy: Policy,
    /// Where the user changes the policy (quoted in refusals), if there is such a file.
    pub settings_file: Option<String>,
}

impl Default for CallSettings {
    fn default() -> Self {
        CallSettings {
            mode: Mode::Test,
            policy: Policy::default(),
            settings_file: None,
        }
    }
}

/// Why a call cannot run yet (no key, unreadable settings, locked keychain). The message is for
/// the model to pass on: it says what the user must do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct NotReady {
    /// Stable code for records (`not_signed_in`, `settings_unreadable`, `keychain_unavailable`).
    pub code: String,
    /// What is wrong and how the user fixes it.
    pub message: String,
}

impl NotReady {
    /// A `NotReady` with a code and message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> NotReady {
        NotReady {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The host's side of a call: settings and credentials.
pub trait Context: Send + Sync + 'static {
    /// The mode and policy for the call about to run. Called once per call; must be cheap
    /// (cache, and re-read only when the source changed).
    fn call_settings(&self) -> Result<CallSettings, NotReady>;

    /// The Flex client for `mode`. Called only when a call is allowed to run, so credentials are
    /// not touched before the first tool call; implementations cache the client.
    fn api(&self, mode: Mode) -> Result<flex_api::Client, NotReady>;

    /// The tools offered to the assistant that called itself `client_name` in `initialize`:
    /// groups, read-only, discovery. Called for every `tools/list` and tool call; must be cheap.
    /// Default: the default groups, not read-only, discovery on.
    fn tool_selection(&self, client_name: Option<&str>) -> Selection {
        let _ = client_name;
        Selection::default()
    }

    /// A counter the host bumps when the configured tool selection may have changed (settings
    /// edited), so each connected session sends `notifications/tools/list_changed`. Called
    /// once per session. Default: a channel whose sender is gone, i.e. it never changes.
    fn catalogue_epoch(&self) -> watch::Receiver<u64> {
        watch::channel(0).1
    }

    /// The gateway to Flex's hosted MCP when the Flex sign-in serves `mode` (the credential
    /// rule decides); `None` when an API key serves it (the local tools run). Called for every
    /// `tools/list` and tool call; must be cheap. Default: never.
    fn gateway(&self, mode: Mode) -> Option<Arc<Gateway>> {
        let _ = mode;
        None
    }
}

/// A [`Context`] whose settings are set in code (tests, benchmarks, embedders). The mode and
/// policy can be changed between calls, as a settings file would be.
#[derive(Debug, Default)]
pub struct StaticContext {
    settings: Mutex<CallSettings>,
    clients: Mutex<HashMap<Mode, flex_api::Client>>,
    selections: Mutex<Selections>,
    epoch: watch::Sender<u64>,
    gateways: Mutex<HashMap<Mode, Arc<Gateway>>>,
}

/// The tool selection of a [`StaticContext`]: one for every assistant, and some by client name.
#[derive(Debug, Default)]
struct Selections {
    every: Selection,
    by_client: HashMap<String, Selection>,
}

impl StaticContext {
    /// A context with these settings and no clients.
    pub fn new(settings: CallSettings) -> StaticContext {
        StaticContext {
            settings: Mutex::new(settings),
            clients: Mutex::new(HashMap::new()),
            selections: Mutex::new(Selections::default()),
            epoch: watch::Sender::new(0),
            gateways: Mutex::new(HashMap::new()),
        }
    }

    /// Serve `mode` through `gateway` (Flex's hosted MCP) instead of the local tools.
    #[must_use]
    pub fn with_gateway(self, mode: Mode, gateway: Arc<Gateway>) -> StaticContext {
        self.gateways
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(mode, gateway);
        self
    }

    /// Use `client` for its mode (the key's prefix decides it).
    #[must_use]
    pub fn with_client(self, client: flex_api::Client) -> StaticContext {
        self.clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(client.mode(), client);
        self
    }

    /// Switch the mode for the next call.
    pub fn set_mode(&self, mode: Mode) {
        self.settings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .mode = mode;
    }

    /// Offer `selection` to every assistant without its own, and tell connected sessions.
    pub fn set_selection(&self, selection: Selection) {
        self.selections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .every = selection;
        self.epoch.send_modify(|e| *e += 1);
    }

    /// Offer `selection` to the assistant called `client_name`, and tell connected sessions.
    pub fn set_assistant_selection(&self, client_name: &str, selection: Selection) {
        self.selections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .by_client
            .insert(client_name.to_owned(), selection);
        self.epoch.send_modify(|e| *e += 1);
    }

    /// Replace the policy for the next call.
    pub fn set_policy(&self, policy: Policy) {
        self.settings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .policy = policy;
    }
}

impl Context for StaticContext {
    fn call_settings(&self) -> Result<CallSettings, NotReady> {
        Ok(self
            .settings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone())
    }

    fn api(&self, mode: Mode) -> Result<flex_api::Client, NotReady> {
        self.clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&mode)
            .cloned()
            .ok_or_else(|| not_signed_in(mode))
    }

    fn tool_selection(&self, client_name: Option<&str>) -> Selection {
        let s = self
            .selections
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        client_name
            .and_then(|name| s.by_client.get(name))
            .copied()
            .unwrap_or(s.every)
    }

    fn catalogue_epoch(&self) -> watch::Receiver<u64> {
        self.epoch.subscribe()
    }

    fn gateway(&self, mode: Mode) -> Option<Arc<Gateway>> {
        self.gateways
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&mode)
            .cloned()
    }
}

/// The standard "no key" answer: what to run to sign in.
pub fn not_signed_in(mode: Mode) -> NotReady {
    let prefix = match mode {
        Mode::Test => "fsk_test_",
        Mode::Live => "fsk_",
    };
    NotReady::new(
        "not_signed_in",
        format!(
            "no Flex API key is set up for {mode} mode. The user can sign in with `flex-mcp login \
             --api-key` (a {mode} key starts with {prefix}), or from the Flex MCP app"
        ),
    )
}

/// Build `tools/list` now, on the calling thread, so even the first `tools/list` answers from the
/// cache. `flex-mcp stdio` calls this before it reads stdin: the ~2 ms go into the initialize
/// round trip (a client's `initialize` simply waits in the pipe), and no extra thread (with its
/// own malloc arena) is started. Each distinct selection's list is built once (from the
/// compiled-in snapshot, [`tools::mcp_tool_list`]) and shared by every session with that
/// selection; this builds the default one.
pub fn prepare_tool_list() {
    groups::tool_list(Selection::default());
}

/// Build `tools/list` on another thread, for long-lived servers (HTTP, the app) where the first
/// request comes much later than startup.
pub fn warm_up() {
    let _ = std::thread::Builder::new()
        .name("flex-warm-up".into())
        .spawn(prepare_tool_list);
}

struct Inner {
    context: Arc<dyn Context>,
    approver: Arc<dyn Approver>,
    recorder: Arc<dyn Recorder>,
    info: ServerConfig,
}

/// The Flex MCP server. Cheap to clone (two `Arc`s). Clones share everything, including the
/// per-session state (groups turned on by discovery): serve each MCP session a
/// [`FlexServer::session`].
#[derive(Clone)]
pub struct FlexServer {
    inner: Arc<Inner>,
    session: Arc<Session>,
}

/// What belongs to one MCP session.
#[derive(Debug, Default)]
struct Session {
    /// Groups turned on through `enable_tool_group`.
    discovered: Mutex<GroupSet>,
    /// Stops the session's list_changed watcher when the session (its handler) is dropped.
    stop: CancellationToken,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl std::fmt::Debug for FlexServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlexServer").finish_non_exhaustive()
    }
}

/// The server's name in `serverInfo`.
pub const SERVER_NAME: &str = "flex-mcp";

impl FlexServer {
    /// A server over `context`, with the headless approver and no recorder.
    pub fn new(context: Arc<dyn Context>) -> FlexServer {
        FlexServer::with_parts(context, Arc::new(HeadlessApprover), Arc::new(NoRecorder))
    }

    /// A server with every part given.
    pub fn with_parts(
        context: Arc<dyn Context>,
        approver: Arc<dyn Approver>,
        recorder: Arc<dyn Recorder>,
    ) -> FlexServer {
        let info = ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_prompts()
                .enable_prompts_list_changed()
                .build(),
        )
        .with_server_info(
            Implementation::new(SERVER_NAME, env!("CARGO_PKG_VERSION")).with_title("Flex MCP"),
        )
        .with_instructions(INSTRUCTIONS);
        FlexServer {
            inner: Arc::new(Inner {
                context,
                approver,
                recorder,
                info,
            }),
            session: Arc::new(Session::default()),
        }
    }

    /// A server for a new MCP session: shares the context, approver and recorder, with fresh
    /// per-session state. Transports call it once per connection.
    #[must_use]
    pub fn session(&self) -> FlexServer {
        FlexServer {
            inner: self.inner.clone(),
            session: Arc::new(Session::default()),
        }
    }

    /// What this session is offered, for the assistant that called itself `client_name`:
    /// the configured selection plus the groups turned on through discovery.
    pub fn selection(&self, client_name: Option<&str>) -> Selection {
        let configured = self.inner.context.tool_selection(client_name);
        let discovered = *self
            .session
            .discovered
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Selection {
            groups: configured.groups.union(discovered),
            ..configured
        }
    }

    /// Replace the approver.
    #[must_use]
    pub fn approver(self, approver: Arc<dyn Approver>) -> FlexServer {
        let i = &self.inner;
        FlexServer::with_parts(i.context.clone(), approver, i.recorder.clone())
    }

    /// Replace the recorder.
    #[must_use]
    pub fn recorder(self, recorder: Arc<dyn Recorder>) -> FlexServer {
        let i = &self.inner;
        FlexServer::with_parts(i.context.clone(), i.approver.clone(), recorder)
    }

    /// Run one tool call through the gate and record it. `client` is `(name, version)` from the
    /// handshake. Returns the result for the model, or a protocol error for an unknown tool.
    pub async fn call(
        &self,
        name: &str,
        arguments: Map<String, Value>,
        client: Option<(String, String)>,
    ) -> Result<CallToolResult, McpError> {
        self.call_and_report(name, arguments, client, None)
            .await
            .map(|(result, _)| result)
    }

    /// [`FlexServer::call`], also saying whether the session's tool list changed (discovery), with
    /// `waiting` set while the call waits for a person's approval (the session sends progress
    /// notifications meanwhile).
    async fn call_and_report(
        &self,
        name: &str,
        arguments: Map<String, Value>,
        client: Option<(String, String)>,
        waiting: Option<&AtomicBool>,
    ) -> Result<(CallToolResult, bool), McpError> {
        let selection = self.selection(client.as_ref().map(|c| c.0.as_str()));
        let started = Instant::now();
        let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let redacted = redact_map(&arguments);
        let settings = self.inner.context.call_settings();
        let mode = settings.as_ref().map_or(Mode::Test, |s| s.mode);
        let access = crate::access::access_of(name);
        let mut draft = Draft {
            started,
            started_at,
            client,
            tool: name.to_string(),
            access,
            mode,
            arguments: redacted,
            approval: None,
        };

        if discovery::is_discovery_tool(name) && selection.discovery {
            draft.access = Some(Access::Read);
            return Ok(self.discover(draft, name, arguments, selection));
        }
        let hosted = settings
            .as_ref()
            .ok()
            .and_then(|s| self.inner.context.gateway(s.mode));
        let (runner, title, access) = if let Some(gateway) = hosted {
            draft.tool = format!("{}{name}", gateway::VIA_HOSTED_PREFIX);
            // Annotations and class come from our catalogue by name; a tool we do not know is
            // treated as destructive (and is in no group, so read-only hides it).
            let local = tools::find(name);
            let access = local.map_or(Access::Destructive, tools::ToolDef::access);
            draft.access = Some(access);
            let listed = match gateway.tool(name).await {
                Ok(listed) => listed,
                Err(e) => {
                    let f = e.failure(name);
                    return Ok((self.fail(draft, Outcome::ApiError, f), false));
                }
            };
            let offered = local.map_or(!selection.read_only, |def| selection.offers(def));
            let Some(listed) = listed.filter(|_| offered) else {
                return Err(self.unknown_tool(draft, name));
            };
            if let Some(f) = gateway::refuse_mode_argument(name, &arguments) {
                return Ok((self.fail(draft, Outcome::InvalidArguments, f), false));
            }
            let title = local.map_or_else(
                || listed.title.clone().unwrap_or_else(|| name.to_owned()),
                |def| def.title.to_owned(),
            );
            (Runner::Hosted(gateway), title, access)
        } else {
            // A tool outside the session's selection is refused exactly like one that does not
            // exist.
            let Some(def) = tools::find(name).filter(|def| selection.offers(def)) else {
                return Err(self.unknown_tool(draft, name));
            };
            // A tool without an access class is a bug in the table; refuse rather than guess.
            let Some(access) = access else {
                let f = format::not_ready(
                    name,
                    "unclassified_tool",
                    "this tool has no access class, so it is refused. This is a bug in Flex MCP; \
                     please report it",
                );
                return Ok((self.fail(draft, Outcome::Refused, f), false));
            };
            (Runner::Local(def), def.title.to_owned(), access)
        };
        let settings = match settings {
            Ok(s) => s,
            Err(e) => {
                let f = format::not_ready(name, &e.code, &e.message);
                return Ok((self.fail(draft, Outcome::Refused, f), false));
            }
        };
        draft.mode = settings.mode;

        match settings.policy.decide(settings.mode, access) {
            Decision::Allow => {}
            Decision::Deny => {
                let f = format::policy_denied(
                    name,
                    settings.mode,
                    access,
                    settings.settings_file.as_deref(),
                );
                return Ok((self.fail(draft, Outcome::Refused, f), false));
            }
            Decision::Ask => {
                let request = ApprovalRequest {
                    tool: name.to_string(),
                    access,
                    mode: settings.mode,
                    arguments: draft.arguments.clone(),
                    client_name: draft.client.as_ref().map(|c| c.0.clone()),
                    title,
                    raw_arguments: arguments.clone(),
                };
                if let Some(w) = waiting {
                    w.store(true, Ordering::Relaxed);
                }
                let answer = self.inner.approver.approve(request).await;
                if let Some(w) = waiting {
                    w.store(false, Ordering::Relaxed);
                }
                draft.approval = Some(answer.as_str());
                match answer {
                    Approval::Approved
                    | Approval::AllowedForAWhile { .. }
                    | Approval::CoveredByAllowance => {}
                    Approval::Declined { reason } => {
                        let f = format::approval_declined(name, reason.as_deref());
                        return Ok((self.fail(draft, Outcome::Refused, f), false));
                    }
                    Approval::Expired { waited_minutes } => {
                        let f = format::approval_expired(name, waited_minutes);
                        return Ok((self.fail(draft, Outcome::Refused, f), false));
                    }
                    Approval::Unavailable => {
                        let f = format::approval_unavailable(
                            name,
                            settings.mode,
                            access,
                            settings.settings_file.as_deref(),
                        );
                        return Ok((self.fail(draft, Outcome::Refused, f), false));
                    }
                }
            }
        }

        let def = match runner {
            Runner::Local(def) => def,
            Runner::Hosted(gateway) => {
                return Ok((self.forward(draft, &gateway, name, arguments).await, false));
            }
        };
        let api = match self.inner.context.api(settings.mode) {
            Ok(api) => api,
            Err(e) => {
                let f = format::not_ready(name, &e.code, &e.message);
                return Ok((self.fail(draft, Outcome::Refused, f), false));
            }
        };
        let mut facts = Facts::default();
        facts.collect(&Value::Object(arguments.clone()), true);
        let ctx = ToolCtx {
            api,
            mode: settings.mode,
        };
        match (def.run)(ctx, arguments).await {
            Ok(value) => {
                facts.collect(&value, false);
                let result = CallToolResult::structured(value);
                self.finish(draft, Outcome::Ok, Ok(()), Some(facts));
                Ok((result, false))
            }
            Err(err) => {
                let outcome = match err {
                    tools::ToolError::InvalidArguments { .. } => Outcome::InvalidArguments,
                    tools::ToolError::Api(_) => Outcome::ApiError,
                };
                let f = format::tool_error(name, settings.mode, &err);
                let result = error_result(&f);
                self.finish(draft, outcome, Err(f), Some(facts));
                Ok((result, false))
            }
        }
    }

    /// Refuse (and record) a call to a tool this session is not offered.
    fn unknown_tool(&self, draft: Draft, name: &str) -> McpError {
        let message = format!("unknown tool `{name}`; tools/list names the available tools");
        self.finish(
            draft,
            Outcome::Refused,
            Err(failure_code("unknown_tool")),
            None,
        );
        McpError::invalid_params(message, None)
    }

    /// Run an allowed call through Flex's hosted MCP, in the mode the gate settled on.
    async fn forward(
        &self,
        draft: Draft,
        gateway: &Gateway,
        name: &str,
        arguments: Map<String, Value>,
    ) -> CallToolResult {
        let mut facts = Facts::default();
        facts.collect(&Value::Object(arguments.clone()), true);
        let mode = draft.mode;
        match gateway.call(name, arguments, mode).await {
            Ok(result) if result.is_error != Some(true) => {
                if let Some(value) = &result.structured_content {
                    facts.collect(value, false);
                }
                self.finish(draft, Outcome::Ok, Ok(()), Some(facts));
                result
            }
            Ok(result) => {
                let text = result
                    .content
                    .iter()
                    .filter_map(|c| c.as_text().map(|t| t.text.as_str()))
                    .collect::<Vec<_>>()
                    .join(" ");
                let f = format::hosted_tool_error(name, mode, &text);
                let result = error_result(&f);
                self.finish(draft, Outcome::ApiError, Err(f), Some(facts));
                result
            }
            Err(e) => {
                let outcome = match e {
                    gateway::GatewayError::NotReady(_) => Outcome::Refused,
                    _ => Outcome::ApiError,
                };
                let f = e.failure(name);
                let result = error_result(&f);
                self.finish(draft, outcome, Err(f), Some(facts));
                result
            }
        }
    }

    /// `tools/list` through the gateway: the hosted tools this session is offered, with our
    /// title and annotations (destructive for a tool we do not know), plus discovery.
    async fn hosted_tool_list(
        gateway: &Gateway,
        selection: Selection,
    ) -> Result<ListToolsResult, McpError> {
        let hosted = gateway
            .tools()
            .await
            .map_err(|e| McpError::internal_error(e.failure("tools/list").text, None))?;
        let mut listed: Vec<Tool> = hosted
            .iter()
            .filter_map(|tool| {
                let name: &str = &tool.name;
                let mut tool = tool.clone();
                match tools::find(name) {
                    Some(def) if !selection.offers(def) => return None,
                    Some(_) => {
                        if let Some(ours) = tools::mcp_tools().iter().find(|t| t.name == name) {
                            tool.title.clone_from(&ours.title);
                            tool.annotations.clone_from(&ours.annotations);
                        }
                    }
                    None if selection.read_only => return None,
                    None => {
                        tool.annotations = Some(
                            rmcp::model::ToolAnnotations::new()
                                .read_only(false)
                                .destructive(true)
                                .idempotent(false)
                                .open_world(true),
                        );
                    }
                }
                Some(tool)
            })
            .collect();
        if selection.discovery {
            listed.extend(discovery::mcp_tools().iter().cloned());
        }
        Ok(ListToolsResult::with_all_items(listed))
    }

    /// Run a discovery tool (never reaches Flex). Returns the result and whether the session's
    /// tool list changed.
    fn discover(
        &self,
        draft: Draft,
        name: &str,
        arguments: Map<String, Value>,
        selection: Selection,
    ) -> (CallToolResult, bool) {
        if name == discovery::LIST_TOOL_GROUPS {
            if !arguments.is_empty() {
                let err = tools::ToolError::InvalidArguments {
                    field: arguments.keys().next().cloned(),
                    message: "list_tool_groups takes no arguments".to_owned(),
                };
                let f = format::tool_error(name, draft.mode, &err);
                return (self.fail(draft, Outcome::InvalidArguments, f), false);
            }
            let value = discovery::list_groups(selection);
            self.finish(draft, Outcome::Ok, Ok(()), None);
            return (CallToolResult::structured(value), false);
        }
        match discovery::enable(selection, arguments) {
            Ok((group, value)) => {
                let changed = !selection.groups.contains(group);
                if changed {
                    let mut discovered = self
                        .session
                        .discovered
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    *discovered = discovered.with(group);
                }
                self.finish(draft, Outcome::Ok, Ok(()), None);
                (CallToolResult::structured(value), changed)
            }
            Err(err) => {
                let f = format::tool_error(name, draft.mode, &err);
                (self.fail(draft, Outcome::InvalidArguments, f), false)
            }
        }
    }

    fn fail(&self, draft: Draft, outcome: Outcome, failure: Failure) -> CallToolResult {
        let result = error_result(&failure);
        let mut facts = Facts::default();
        facts.collect(&Value::Object(draft.arguments.clone()), true);
        self.finish(draft, outcome, Err(failure), Some(facts));
        result
    }

    fn finish(
        &self,
        draft: Draft,
        outcome: Outcome,
        failure: Result<(), Failure>,
        facts: Option<Facts>,
    ) {
        let (error_code, http_status) = match failure {
            Ok(()) => (None, None),
            Err(f) => (Some(f.code), f.http_status),
        };
        let facts = facts.unwrap_or_default();
        let (client_name, client_version) = draft.client.unzip();
        let record = CallRecord {
            id: ulid::Ulid::new().to_string(),
            started_at: draft.started_at,
            client_name,
            client_version,
            tool: draft.tool,
            access: draft.access,
            mode: draft.mode,
            arguments: Value::Object(draft.arguments),
            outcome,
            error_code,
            http_status,
            duration_us: u64::try_from(draft.started.elapsed().as_micros()).unwrap_or(u64::MAX),
            object_ids: facts.object_ids,
            amounts_cents: facts.amounts_cents,
            approval: draft.approval.map(str::to_string),
        };
        self.inner.recorder.record(record);
    }
}

/// How an allowed call runs: a local tool against the REST API, or through the hosted MCP.
enum Runner {
    Local(&'static tools::ToolDef),
    Hosted(Arc<Gateway>),
}

/// What is known about a call before it ends.
struct Draft {
    started: Instant,
    started_at: String,
    client: Option<(String, String)>,
    tool: String,
    access: Option<Access>,
    mode: Mode,
    arguments: Map<String, Value>,
    approval: Option<&'static str>,
}

/// Tell the client that the tool list (and with it the prompt list) changed.
async fn announce_list_changed(
    peer: &rmcp::service::Peer<RoleServer>,
) -> Result<(), rmcp::service::ServiceError> {
    peer.notify_tool_list_changed().await?;
    peer.notify_prompt_list_changed().await
}

/// After a discovery call that changed the session's list: announce it before the result, so a
/// client sees the new list by the time it reads the answer.
async fn announce_if_changed(peer: &rmcp::service::Peer<RoleServer>, changed: bool) {
    if changed && let Err(e) = announce_list_changed(peer).await {
        tracing::debug!("could not announce the changed tool list: {e}");
    }
}

fn failure_code(code: &str) -> Failure {
    format::not_ready("", code, "")
}

fn error_result(f: &Failure) -> CallToolResult {
    let mut result = CallToolResult::error(vec![ContentBlock::text(f.text.clone())]);
    result.structured_content = Some(f.structured.clone());
    result
}

impl ServerHandler for FlexServer {
    fn get_info(&self) -> ServerConfig {
        self.inner.info.clone()
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let client = context.client_info();
        let selection = self.selection(client.as_ref().map(|c| c.name.as_str()));
        let hosted = self
            .inner
            .context
            .call_settings()
            .ok()
            .and_then(|s| self.inner.context.gateway(s.mode));
        if let Some(gateway) = hosted {
            return FlexServer::hosted_tool_list(&gateway, selection).await;
        }
        Ok((*groups::tool_list(selection)).clone())
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        // Schema lookup for the transport (not a listing): any tool we have. 69 tools: a scan is
        // as fast as a hash lookup here and keeps no second copy of them.
        tools::mcp_tools()
            .iter()
            .chain(discovery::mcp_tools())
            .find(|tool| tool.name == name)
            .cloned()
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        // Settings changes reach this session as list_changed, until the session ends.
        let mut epoch = self.inner.context.catalogue_epoch();
        let stop = self.session.stop.clone();
        let peer = context.peer;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = stop.cancelled() => break,
                    changed = epoch.changed() => {
                        if changed.is_err() || announce_list_changed(&peer).await.is_err() {
                            break;
                        }
                    }
                }
            }
        });
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let client = context.client_info().map(|info| (info.name, info.version));
        let arguments = request.arguments.unwrap_or_default();
        let Some(token) = context.meta.get_progress_token() else {
            let (result, changed) = self
                .call_and_report(&request.name, arguments, client, None)
                .await?;
            announce_if_changed(&context.peer, changed).await;
            return Ok(CallToolResponse::from(result));
        };
        // The client asked for progress: while the call waits for a person, say so now and then,
        // so the client neither times out nor looks hung.
        let waiting = AtomicBool::new(false);
        let call = self.call_and_report(&request.name, arguments, client, Some(&waiting));
        tokio::pin!(call);
        let mut tick = tokio::time::interval(PROGRESS_EVERY);
        let mut sent = 0u32;
        loop {
            tokio::select! {
                result = &mut call => {
                    let (result, changed) = result?;
                    announce_if_changed(&context.peer, changed).await;
                    return Ok(CallToolResponse::from(result));
                }
                _ = tick.tick() => {
                    if waiting.load(Ordering::Relaxed) {
                        sent += 1;
                        let note = ProgressNotificationParam::new(token.clone(), f64::from(sent))
                            .with_message(
                                "Waiting for the person at the computer to approve this call in \
                                 the Flex MCP app",
                            );
                        let _ = context.peer.notify_progress(note).await;
                    }
                }
            }
        }
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        let client = context.client_info();
        let selection = self.selection(client.as_ref().map(|c| c.name.as_str()));
        Ok(ListPromptsResult::with_all_items(crate::prompts::list_for(
            selection,
        )))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        let client = context.client_info();
        let selection = self.selection(client.as_ref().map(|c| c.name.as_str()));
        if !crate::prompts::offered(&request.name, selection) {
            let e = crate::prompts::PromptError::Unknown(request.name.clone());
            return Err(McpError::invalid_params(e.to_string(), None));
        }
        let args: HashMap<String, String> = request
            .arguments
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, v)
            })
            .collect();
        crate::prompts::get(&request.name, &args)
            .map(GetPromptResponse::from)
            .map_err(|e| McpError::invalid_params(e.to_string(), None))
    }
}
