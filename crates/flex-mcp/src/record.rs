//! One record per tool call, handed to a [`Recorder`]. The server never waits on storage: a
//! recorder must return quickly (queue the record and write it elsewhere).

use flex_api::Mode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::policy::Access;

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Flex answered with success.
    Ok,
    /// Flex answered with an error (4xx/5xx), or could not be reached.
    ApiError,
    /// The arguments were invalid; nothing was sent to Flex.
    InvalidArguments,
    /// The policy denied the call, or approval was refused or unavailable.
    Refused,
}

impl Outcome {
    /// snake_case word for storage and display.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::ApiError => "api_error",
            Outcome::InvalidArguments => "invalid_arguments",
            Outcome::Refused => "refused",
        }
    }
}

/// Everything we keep about one tool call. Arguments are stored with secrets redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    /// Unique id of this record (ULID text).
    pub id: String,
    /// When the call started, RFC 3339 UTC with milliseconds.
    pub started_at: String,
    /// `clientInfo.name` from the MCP handshake, if the client sent one.
    pub client_name: Option<String>,
    /// `clientInfo.version` from the MCP handshake.
    pub client_version: Option<String>,
    /// Tool name as called.
    pub tool: String,
    /// Access class from the access table (`None` for an unknown tool).
    pub access: Option<Access>,
    /// Mode the call ran under.
    pub mode: Mode,
    /// Arguments with secret-looking values replaced by `"[redacted]"`.
    pub arguments: Value,
    /// How it ended.
    pub outcome: Outcome,
    /// Stable error code: Flex's code (e.g. `resource_missing`), or ours (`policy_denied`,
    /// `approval_required`, `invalid_arguments`, `network`).
    pub error_code: Option<String>,
    /// HTTP status from Flex, when there was one.
    pub http_status: Option<u16>,
    /// Wall time of the whole call, in microseconds.
    pub duration_us: u64,
    /// Flex object ids involved (from arguments and result), e.g. `fpi_…`, `fre_…`.
    pub object_ids: Vec<String>,
    /// Money amounts involved, integer cents USD (e.g. a refund's `amount`).
    pub amounts_cents: Vec<i64>,
    /// The person's decision when the policy said "ask" (`approved`, `denied`, `expired`,
    /// `allowed_for_a_while`, `covered_by_allowance`, `unavailable`); `None` when nobody was asked.
    #[serde(default)]
    pub approval: Option<String>,
}

/// Receives every call record. Implementations must not block: the call path waits on nothing.
pub trait Recorder: Send + Sync + 'static {
    /// Take one record.
    fn record(&self, record: CallRecord);
}

/// Drops records (for benchmarks and embedders that do not keep activity).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoRecorder;

impl Recorder for NoRecorder {
    fn record(&self, _record: CallRecord) {}
}
