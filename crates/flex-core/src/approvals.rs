//! The approval queue: calls whose policy is "ask" wait here, in arrival order, until the person
//! answers in the app (approve, deny, or for writes "allow this assistant for 15 minutes"), or
//! the timeout from settings passes (then they are denied as expired).
//!
//! Answers come only through [`ApprovalQueue::answer`], a Rust call in the app's process: no
//! socket message and no CLI verb reaches it, so an assistant cannot approve its own call.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use flex_api::Mode;
use flex_mcp::Access;
use flex_mcp::approval::{Approval, ApprovalRequest, Approver};
use flex_mcp::server::Context as _;
use flex_mcp::tools::BoxFuture;
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use crate::app_status::format_usd;
use crate::events::{Events, HostEvent};
use crate::serve::HostContext;

/// How long "allow for this assistant" lasts.
pub const ALLOWANCE: Duration = Duration::from_secs(15 * 60);

/// What the approval window shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PendingApproval {
    /// Stable for the life of the host; answer with it.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: u64,
    /// Tool name.
    pub tool: String,
    /// Tool title ("Refund a payment").
    pub title: String,
    /// LIVE or TEST badge.
    #[cfg_attr(feature = "ts", ts(as = "crate::bindings::ModeName"))]
    pub mode: Mode,
    /// Access class.
    #[cfg_attr(feature = "ts", ts(as = "crate::bindings::AccessName"))]
    pub access: Access,
    /// `clientInfo.name` of the assistant ("an assistant" when it gave none).
    pub assistant: String,
    /// One plain sentence of what will happen.
    pub sentence: String,
    /// Redacted arguments, for "Details".
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub arguments: Map<String, Value>,
    /// Whether "Allow this for <assistant> for 15 minutes" is offered (write class only).
    pub can_allow_for_a_while: bool,
    /// How long it waits before it is denied, in seconds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub timeout_secs: u64,
}

/// The person's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Run it.
    Approve,
    /// Do not run it.
    Deny,
    /// Run it, and let the same assistant make calls of this class in this mode for 15 minutes
    /// (write class only; refused for destructive calls).
    AllowForAWhile,
}

#[derive(Default)]
struct State {
    next_id: u64,
    waiting: VecDeque<(PendingApproval, oneshot::Sender<Answer>)>,
    /// (assistant, mode, class) → until when it is allowed.
    allowances: HashMap<(String, Mode, Access), Instant>,
}

/// The FIFO queue of calls waiting for the person.
pub struct ApprovalQueue {
    state: Mutex<State>,
    events: Events,
    context: Arc<HostContext>,
}

impl std::fmt::Debug for ApprovalQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApprovalQueue").finish_non_exhaustive()
    }
}

impl ApprovalQueue {
    /// A queue whose timeout comes from `context`'s settings and whose events go to `events`.
    pub fn new(context: Arc<HostContext>, events: Events) -> ApprovalQueue {
        ApprovalQueue {
            state: Mutex::new(State::default()),
            events,
            context,
        }
    }

    /// Everything waiting, oldest first (the tray shows the count).
    pub fn pending(&self) -> Vec<PendingApproval> {
        self.lock().waiting.iter().map(|(p, _)| p.clone()).collect()
    }

    /// Answer call `id`. `false` when it is no longer waiting (answered, expired, withdrawn) or
    /// the answer is not offered for it (a 15-minute allowance for a destructive call).
    pub fn answer(&self, id: u64, answer: Answer) -> bool {
        let mut state = self.lock();
        let Some(pos) = state.waiting.iter().position(|(p, _)| p.id == id) else {
            return false;
        };
        if answer == Answer::AllowForAWhile && !state.waiting[pos].0.can_allow_for_a_while {
            return false;
        }
        let Some((pending, tx)) = state.waiting.remove(pos) else {
            return false;
        };
        if answer == Answer::AllowForAWhile {
            state.allowances.insert(
                (pending.assistant.clone(), pending.mode, pending.access),
                Instant::now() + ALLOWANCE,
            );
        }
        drop(state);
        tx.send(answer).is_ok()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn emit(&self, event: HostEvent) {
        let _ = self.events.send(event);
    }

    async fn ask(self: Arc<Self>, request: ApprovalRequest) -> Approval {
        let assistant = request
            .client_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "an assistant".to_string());
        let key = (assistant.clone(), request.mode, request.access);
        {
            let mut state = self.lock();
            match state.allowances.get(&key) {
                Some(until) if *until > Instant::now() => return Approval::CoveredByAllowance,
                Some(_) => {
                    state.allowances.remove(&key);
                }
                None => {}
            }
        }
        let timeout = Duration::from_secs(u64::from(
            self.context
                .settings_now()
                .map_or(120, |s| s.approval_timeout_secs)
                .max(1),
        ));
        let sentence = sentence(&self.context, &request).await;
        let (tx, rx) = oneshot::channel();
        let pending = {
            let mut state = self.lock();
            state.next_id += 1;
            let pending = PendingApproval {
                id: state.next_id,
                tool: request.tool.clone(),
                title: request.title.clone(),
                mode: request.mode,
                access: request.access,
                assistant,
                sentence,
                arguments: request.arguments.clone(),
                // Never for destructive calls: each money movement is asked for.
                can_allow_for_a_while: request.access == Access::Write,
                timeout_secs: timeout.as_secs(),
            };
            state.waiting.push_back((pending.clone(), tx));
            pending
        };
        let id = pending.id;
        self.emit(HostEvent::ApprovalPending { approval: pending });
        // If the call's future is dropped (the assistant disconnected), take it off the queue.
        let mut withdrawn = Withdraw {
            queue: &self,
            id,
            armed: true,
        };
        let answer = tokio::time::timeout(timeout, rx).await;
        withdrawn.armed = false;
        let approval = match answer {
            Ok(Ok(Answer::Approve)) => Approval::Approved,
            Ok(Ok(Answer::Deny)) => Approval::Declined { reason: None },
            Ok(Ok(Answer::AllowForAWhile)) => Approval::AllowedForAWhile { minutes: 15 },
            // The sender went away without answering: only when the host shuts down.
            Ok(Err(_)) => Approval::Unavailable,
            Err(_) => {
                self.lock().waiting.retain(|(p, _)| p.id != id);
                Approval::Expired {
                    waited_minutes: timeout.as_secs().div_ceil(60),
                }
            }
        };
        let decision = if matches!(approval, Approval::Declined { .. }) {
            "denied"
        } else {
            approval.as_str()
        };
        self.emit(HostEvent::ApprovalResolved {
            id,
            decision: decision.to_string(),
        });
        approval
    }
}

/// Removes a waiting call whose assistant went away.
struct Withdraw<'a> {
    queue: &'a ApprovalQueue,
    id: u64,
    armed: bool,
}

impl Drop for Withdraw<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.queue.lock().waiting.retain(|(p, _)| p.id != self.id);
            self.queue.emit(HostEvent::ApprovalResolved {
                id: self.id,
                decision: "withdrawn".to_string(),
            });
        }
    }
}

/// The queue as the server's approver.
#[derive(Debug, Clone)]
pub struct QueueApprover(pub Arc<ApprovalQueue>);

impl Approver for QueueApprover {
    fn approve(&self, request: ApprovalRequest) -> BoxFuture<Approval> {
        Box::pin(self.0.clone().ask(request))
    }
}

/// One plain sentence of what the call will do, from its arguments and, for refunds of a
/// payment, one read of the payment ("Refund $45.00 of the $120.00 payment fpi_…").
pub async fn sentence(context: &HostContext, request: &ApprovalRequest) -> String {
    let args = &request.raw_arguments;
    let amount = args.get("amount").and_then(Value::as_i64);
    if let Some(pi) = args.get("payment_intent_id").and_then(Value::as_str)
        && request.tool.contains("refund")
    {
        let total = match context.api(request.mode) {
            Ok(api) => api
                .payment_intents()
                .retrieve(pi)
                .await
                .ok()
                .and_then(|p| serde_json::to_value(p).ok())
                .and_then(|v| v.get("amount").and_then(Value::as_i64)),
            Err(_) => None,
        };
        return match (amount, total) {
            (Some(a), Some(t)) => format!(
                "Refund {} of the {} payment {pi}.",
                format_usd(a),
                format_usd(t)
            ),
            (None, Some(t)) => format!("Refund all of the {} payment {pi}.", format_usd(t)),
            (Some(a), None) => format!("Refund {} of payment {pi}.", format_usd(a)),
            (None, None) => format!("Refund payment {pi} in full."),
        };
    }
    let ids: Vec<&str> = args
        .iter()
        .filter(|(k, _)| k.ends_with("_id") || k.as_str() == "id")
        .filter_map(|(_, v)| v.as_str())
        .collect();
    let mut s = request.title.clone();
    if let Some(name) = args.get("name").and_then(Value::as_str) {
        let _ = write!(s, " \"{name}\"");
    }
    if !ids.is_empty() {
        let _ = write!(s, " ({})", ids.join(", "));
    }
    if let Some(a) = amount {
        let _ = write!(s, " for {}", format_usd(a));
    }
    s.push('.');
    s
}
