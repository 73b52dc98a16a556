//! Who answers "ask": a pluggable [`Approver`].
//!
//! The policy says "ask" for writes and money movement in live mode. The desktop app will answer
//! by showing a prompt to the person at the keyboard; a headless server has no one to ask, so its
//! approver ([`HeadlessApprover`]) answers [`Approval::Unavailable`] and the server refuses the
//! call with a message that says exactly how the user can allow it. The model can never approve
//! its own call: the approver sees the call, the call does not see the approver.

use flex_api::Mode;
use serde_json::{Map, Value};

use crate::policy::Access;
use crate::tools::BoxFuture;

/// A call waiting for a person's decision. Arguments are already redacted.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalRequest {
    /// Tool name.
    pub tool: String,
    /// Its access class.
    pub access: Access,
    /// The mode the call would run under.
    pub mode: Mode,
    /// Arguments with secrets redacted.
    pub arguments: Map<String, Value>,
    /// `clientInfo.name` of the assistant asking, if known.
    pub client_name: Option<String>,
    /// The tool's human title ("Refund a capture").
    pub title: String,
    /// The arguments as given (not redacted), for building the one plain sentence of what will
    /// happen. Never shown or stored as is: only [`ApprovalRequest::arguments`] is.
    pub raw_arguments: Map<String, Value>,
}

/// A person's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// Run the call.
    Approved,
    /// Do not run it.
    Declined {
        /// Why, if the person said.
        reason: Option<String>,
    },
    /// No one could be asked (no desktop session, prompt closed).
    Unavailable,
    /// Nobody answered in time: treated as declined.
    Expired {
        /// How long the call waited, in whole minutes (for the model's message).
        waited_minutes: u64,
    },
    /// Approved, and the same assistant may make calls of this class in this mode without
    /// asking for a while (write class only).
    AllowedForAWhile {
        /// How long, in minutes.
        minutes: u32,
    },
    /// Not asked: an earlier "allow for a while" of the same assistant covers this call.
    CoveredByAllowance,
}

impl Approval {
    /// Whether the call may run.
    pub fn runs(&self) -> bool {
        matches!(
            self,
            Approval::Approved | Approval::AllowedForAWhile { .. } | Approval::CoveredByAllowance
        )
    }

    /// The decision as recorded with the call (`CallRecord::approval`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Approval::Approved => "approved",
            Approval::Declined { .. } => "denied",
            Approval::Unavailable => "unavailable",
            Approval::Expired { .. } => "expired",
            Approval::AllowedForAWhile { .. } => "allowed_for_a_while",
            Approval::CoveredByAllowance => "covered_by_allowance",
        }
    }
}

/// Decides calls the policy marks "ask". Must not block the runtime: await a UI, do not poll.
pub trait Approver: Send + Sync + 'static {
    /// Ask about one call.
    fn approve(&self, request: ApprovalRequest) -> BoxFuture<Approval>;
}

/// The approver of a server without a desktop session: nobody can approve, so every "ask" is
/// refused (with instructions, see `format::approval_unavailable`).
#[derive(Debug, Default, Clone, Copy)]
pub struct HeadlessApprover;

impl Approver for HeadlessApprover {
    fn approve(&self, _request: ApprovalRequest) -> BoxFuture<Approval> {
        Box::pin(std::future::ready(Approval::Unavailable))
    }
}

/// Answers every request the same way (tests, and scripted demos).
#[derive(Debug, Clone)]
pub struct FixedApprover(pub Approval);

impl Approver for FixedApprover {
    fn approve(&self, _request: ApprovalRequest) -> BoxFuture<Approval> {
        Box::pin(std::future::ready(self.0.clone()))
    }
}
