//! What a bridge remembers of one assistant's MCP session, whichever way it relays: the
//! handshake to replay to a new upstream, the requests in flight to fail when one goes away, and
//! the requests to send again when an upstream died before it could have served them. Pure
//! bookkeeping over JSON-RPC lines; no I/O.

/// What the bridge says to the client when the host went away mid-call.
pub const HOST_CLOSED: &str = "The Flex MCP app was closed while this request was running, so \
    its result is unknown. If it was a change (a refund, a capture, an update), check the Flex \
    dashboard or the activity list before retrying. Further requests are served again (the app, \
    once reopened, or this process meanwhile).";

/// What a client that sent a line that is not JSON reads back.
pub const MALFORMED: &str = "Parse error: a message was not valid JSON, so it was ignored. Each \
    MCP message must be one line of JSON-RPC.";

/// JSON-RPC error code of [`HOST_CLOSED`] (implementation-defined server error range).
pub const HOST_CLOSED_CODE: i64 = -32002;

/// JSON-RPC error code of a host refusing a peer of another user.
pub const REFUSED_CODE: i64 = -32001;

/// How many upstreams in a row may die before answering a replayed `initialize` before the
/// requests waiting on them are failed instead of sent again.
const MAX_LOST_REPLAYS: u32 = 3;

/// The client's side of one session, as the bridge saw it.
#[derive(Debug, Default)]
pub struct Session {
    initialize: Option<(String, serde_json::Value)>,
    initialized: Option<String>,
    /// Ids of requests sent and not answered yet.
    in_flight: Vec<serde_json::Value>,
    /// Id of a replayed `initialize` whose reply the client must not see.
    swallow: Option<serde_json::Value>,
    /// Requests (id, line) sent to an upstream that has not yet answered our replayed
    /// `initialize`, so it cannot have served them.
    unconfirmed: Vec<(serde_json::Value, String)>,
    /// Upstreams lost in a row before they answered a replayed `initialize`.
    replays_lost: u32,
}

/// What to do with a line from the server.
#[derive(Debug, PartialEq, Eq)]
pub enum FromServer {
    /// Pass it to the client.
    Relay,
    /// The reply to a replayed `initialize`: the client already has one.
    Swallow,
    /// The host refused this process (another user): stop with this message.
    Refused(String),
}

/// What an upstream that went away leaves behind.
#[derive(Debug)]
pub struct Lost {
    /// Error replies ([`HOST_CLOSED`]) for the client, one JSON-RPC line each.
    pub failed: Vec<String>,
    /// Requests the lost upstream cannot have served, for the next one.
    resend: Vec<(serde_json::Value, String)>,
}

/// The members of a JSON-RPC message the bridge looks at. Everything else (a `result` of
/// 136 KiB for `tools/list`, `params`) is skipped while parsing, never built as a tree: the
/// bridge's peak memory is its largest message once, not a `Value` per node of it.
#[derive(serde::Deserialize)]
struct Peek {
    /// `Some(Null)` for `"id": null`, `None` when absent.
    #[serde(default, deserialize_with = "present")]
    id: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "present")]
    method: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

impl Peek {
    /// `None` when `line` is not JSON. JSON that is not an object (a batch array) peeks as
    /// having no id and no method, as a `Value` would.
    fn of(line: &str) -> Option<Peek> {
        match serde_json::from_str::<Peek>(line) {
            Ok(peek) => Some(peek),
            Err(_) => serde_json::from_str::<serde::de::IgnoredAny>(line)
                .ok()
                .map(|_| Peek {
                    id: None,
                    method: None,
                    error: None,
                }),
        }
    }
}

/// A member that is present, even as `null`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde::Deserialize::deserialize(d).map(Some)
}

/// The JSON-RPC error line the client reads for a line that was not JSON.
pub fn malformed_reply() -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": -32700, "message": MALFORMED },
    })
    .to_string()
}

impl Session {
    /// No request waits for an answer.
    pub fn idle(&self) -> bool {
        self.in_flight.is_empty()
    }

    /// Note a line the client sends, before it goes upstream; `false` when it is not JSON at all
    /// (answer [`malformed_reply`] and do not pass it on).
    pub fn note_sent(&mut self, line: &str) -> bool {
        let Some(message) = Peek::of(line) else {
            return false;
        };
        let method = message.method.as_ref().and_then(serde_json::Value::as_str);
        let id = message.id.filter(|id| !id.is_null());
        match (method, id) {
            (Some("initialize"), Some(id)) => {
                self.initialize = Some((line.to_string(), id.clone()));
                self.in_flight.push(id.clone());
                self.note_unconfirmed(id, line);
            }
            (Some("notifications/initialized"), None) => self.initialized = Some(line.to_string()),
            (Some(_), Some(id)) => {
                self.in_flight.push(id.clone());
                self.note_unconfirmed(id, line);
            }
            _ => {}
        }
        true
    }

    /// Remember a request sent while a replayed `initialize` is unanswered.
    fn note_unconfirmed(&mut self, id: serde_json::Value, line: &str) {
        if self.swallow.is_some() {
            self.unconfirmed.push((id, line.to_string()));
        }
    }

    /// Note a line from the server and say what to do with it.
    pub fn note_received(&mut self, line: &str) -> FromServer {
        let Some(message) = Peek::of(line) else {
            return FromServer::Relay;
        };
        if message.method.is_some() {
            return FromServer::Relay;
        }
        let Some(id) = message.id else {
            return FromServer::Relay;
        };
        if id.is_null()
            && let Some(err) = &message.error
            && err.get("code").and_then(serde_json::Value::as_i64) == Some(REFUSED_CODE)
        {
            let text = err
                .get("message")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("refused");
            return FromServer::Refused(text.to_string());
        }
        if self.swallow.as_ref() == Some(&id) {
            self.swallow = None;
            self.unconfirmed.clear();
            self.replays_lost = 0;
            return FromServer::Swallow;
        }
        self.in_flight.retain(|x| *x != id);
        FromServer::Relay
    }

    /// The upstream went away. An upstream that died before answering our replayed `initialize`
    /// (a host dying while we reconnected to it) has served nothing since: what the client sent
    /// meanwhile is kept for the next upstream rather than failed. Bounded, so a host that keeps
    /// dying ends in errors, not a loop. Everything else in flight is failed with [`HOST_CLOSED`].
    pub fn upstream_lost(&mut self) -> Lost {
        let resend = if self.swallow.is_some() && self.replays_lost < MAX_LOST_REPLAYS {
            self.replays_lost += 1;
            std::mem::take(&mut self.unconfirmed)
        } else {
            self.replays_lost = 0;
            self.unconfirmed.clear();
            Vec::new()
        };
        self.in_flight
            .retain(|id| !resend.iter().any(|(sent, _)| sent == id));
        let failed = self
            .in_flight
            .drain(..)
            .map(|id| {
                serde_json::json!({
                    "jsonrpc": "2.0",
                    "id": id,
                    "error": { "code": HOST_CLOSED_CODE, "message": HOST_CLOSED },
                })
                .to_string()
            })
            .collect();
        Lost { failed, resend }
    }

    /// The lines a new upstream gets first: the client's `initialize` (whose reply is then
    /// swallowed) and `notifications/initialized`, then what `lost` left to send again.
    pub fn replay(&mut self, lost: Lost) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some((line, id)) = &self.initialize {
            self.swallow = Some(id.clone());
            lines.push(line.clone());
        }
        if let Some(line) = &self.initialized {
            lines.push(line.clone());
        }
        for (id, line) in lost.resend {
            self.in_flight.push(id.clone());
            lines.push(line.clone());
            self.unconfirmed.push((id, line));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#;
    const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
    const CALL: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{}}"#;

    #[test]
    fn a_call_in_flight_when_the_upstream_goes_away_is_failed_and_the_handshake_replayed() {
        let mut s = Session::default();
        assert!(s.note_sent(INIT));
        assert_eq!(
            s.note_received(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#),
            FromServer::Relay
        );
        assert!(s.note_sent(INITIALIZED));
        assert!(s.note_sent(CALL));
        let lost = s.upstream_lost();
        assert_eq!(lost.failed.len(), 1);
        assert!(lost.failed[0].contains("\"id\":2") && lost.failed[0].contains("was closed"));
        assert_eq!(
            s.replay(lost),
            vec![INIT.to_string(), INITIALIZED.to_string()]
        );
        assert_eq!(
            s.note_received(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#),
            FromServer::Swallow
        );
        assert!(s.idle());
    }

    #[test]
    fn a_request_sent_to_an_upstream_that_died_before_the_replayed_handshake_is_sent_again() {
        let mut s = Session::default();
        s.note_sent(INIT);
        s.note_received(r#"{"id":1,"result":{}}"#);
        let lost = s.upstream_lost();
        s.replay(lost);
        assert!(s.note_sent(CALL));
        let lost = s.upstream_lost();
        assert!(lost.failed.is_empty());
        assert_eq!(s.replay(lost).last().map(String::as_str), Some(CALL));
        assert!(!s.idle());
    }

    #[test]
    fn not_json_is_refused_and_a_refusal_from_the_host_is_seen() {
        let mut s = Session::default();
        assert!(!s.note_sent("{not json"));
        assert!(malformed_reply().contains("-32700"));
        let refused =
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"other user"}}"#;
        assert_eq!(
            s.note_received(refused),
            FromServer::Refused("other user".into())
        );
    }
}
