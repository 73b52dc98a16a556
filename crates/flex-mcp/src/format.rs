//! Error results a model can act on.
//!
//! Every failure becomes a tool result with `isError: true` whose text says what happened (HTTP
//! status, Flex's code and message, the fields at fault, the request id) and what to do next, plus
//! the same facts as structured content. A vague "request failed" is never enough: a model that
//! does not know why a refund failed will guess, and guessing with money is what we prevent.

use std::fmt::Write as _;

use flex_api::Mode;
use serde_json::{Value, json};

use crate::policy::Access;
use crate::tools::ToolError;

/// A failed call, ready to become a tool result and a call record.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// Stable code for records (`resource_missing`, `policy_denied`, `network`, …).
    pub code: String,
    /// HTTP status from Flex, when there was one.
    pub http_status: Option<u16>,
    /// The message for the model (and the person reading along).
    pub text: String,
    /// Structured content: `{"error": {...}}`.
    pub structured: Value,
}

impl Failure {
    fn new(code: impl Into<String>, http_status: Option<u16>, text: String) -> Failure {
        let code = code.into();
        let structured =
            json!({"error": {"code": code, "http_status": http_status, "message": text}});
        Failure {
            code,
            http_status,
            text,
            structured,
        }
    }

    fn with_field(mut self, key: &str, value: Value) -> Failure {
        if let Some(obj) = self
            .structured
            .get_mut("error")
            .and_then(Value::as_object_mut)
        {
            obj.insert(key.to_string(), value);
        }
        self
    }
}

/// The argument problem: names the field and the fix.
pub fn invalid_arguments(tool: &str, field: Option<&str>, message: &str) -> Failure {
    // Messages may or may not end in a full stop; the sentence below adds its own.
    let message = message.trim_end().trim_end_matches('.');
    let text = match field {
        Some(f) => format!(
            "Invalid argument `{f}` for {tool}: {message}. Nothing was sent to Flex; fix `{f}` \
             and call {tool} again."
        ),
        None => format!(
            "Invalid arguments for {tool}: {message}. Nothing was sent to Flex; fix the \
             arguments (see the tool's input schema) and call {tool} again."
        ),
    };
    Failure::new("invalid_arguments", None, text).with_field("field", json!(field))
}

/// Turn a tool's error into a failure.
pub fn tool_error(tool: &str, mode: Mode, err: &ToolError) -> Failure {
    match err {
        ToolError::InvalidArguments { field, message } => {
            invalid_arguments(tool, field.as_deref(), message)
        }
        ToolError::Api(e) => api_error(tool, mode, e),
    }
}

/// A Flex failure: what Flex said, and what to do next.
pub fn api_error(tool: &str, mode: Mode, err: &flex_api::Error) -> Failure {
    match err {
        flex_api::Error::Api(e) => {
            let code = e
                .code
                .clone()
                .unwrap_or_else(|| format!("http_{}", e.status));
            let mut text = format!(
                "{tool} failed: Flex returned HTTP {}{}: {}",
                e.status,
                e.code
                    .as_deref()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default(),
                e.message.trim_end_matches('.')
            );
            text.push('.');
            if let Some(param) = &e.param
                && e.details.is_empty()
            {
                let _ = write!(text, " Field at fault: `{param}`.");
            }
            if !e.details.is_empty() {
                text.push_str(" Problems:");
                for d in &e.details {
                    let _ = write!(text, "\n- {}: {}", d.field(), d.msg);
                }
                text.push('\n');
            }
            if let Some(id) = &e.request_id {
                let _ = write!(text, " Request id: {id}.");
            }
            text.push_str(" Next: ");
            text.push_str(&next_step(tool, mode, e));
            let details: Vec<Value> = e
                .details
                .iter()
                .map(|d| json!({"field": d.field(), "message": d.msg, "type": d.kind}))
                .collect();
            Failure::new(code, Some(e.status), text)
                .with_field("flex_code", json!(e.code))
                .with_field("flex_message", json!(e.message))
                .with_field("param", json!(e.param))
                .with_field("details", Value::Array(details))
                .with_field("request_id", json!(e.request_id))
                .with_field("attempts", json!(e.attempts))
        }
        flex_api::Error::Network { message, attempts } => Failure::new(
            "network",
            None,
            format!(
                "{tool} failed: could not reach Flex ({message}); tried {attempts} time{}. \
                 Nothing is known to have changed. Next: check the internet connection and \
                 the API base URL (`flex-mcp doctor`), then try again in a minute. A retried \
                 write is safe: it carries an idempotency key.",
                if *attempts == 1 { "" } else { "s" }
            ),
        )
        .with_field("attempts", json!(attempts)),
        flex_api::Error::InvalidKey { message } => Failure::new(
            "invalid_key",
            None,
            format!(
                "{tool} failed: the configured Flex API key cannot be used: {message}. Next: \
                 sign in again with `flex-mcp login --api-key` (test keys start fsk_test_, live \
                 keys fsk_)."
            ),
        ),
        flex_api::Error::Decode { status, message } => Failure::new(
            "unexpected_response",
            Some(*status),
            format!(
                "{tool}: Flex answered HTTP {status} but the response could not be read \
                 ({message}). The operation may have succeeded: read the object back before \
                 retrying a write."
            ),
        ),
        other => Failure::new(
            "invalid_request",
            other.status(),
            format!(
                "{tool} failed before reaching Flex: {other}. Next: check the arguments and the \
                 API base URL (`flex-mcp doctor`)."
            ),
        ),
    }
}

/// What to do about a Flex error, by status (and code where Flex is specific).
fn next_step(tool: &str, mode: Mode, e: &flex_api::ApiError) -> String {
    let retried = if e.attempts > 1 {
        format!("retried {} times", e.attempts)
    } else {
        "not retried".to_string()
    };
    let lower = format!(
        "{} {}",
        e.message.to_ascii_lowercase(),
        e.code.as_deref().unwrap_or_default()
    );
    match e.status {
        401 => format!(
            "Flex did not accept the API key for {mode} mode (revoked, expired or mistyped). Sign \
             in again with `flex-mcp login --api-key`."
        ),
        403 => "the API key does not have the scope this operation needs (scopes look like \
                `refunds:write`). Use a key with that scope, or ask the account owner to create \
                one in the Flex dashboard."
            .to_string(),
        404 => format!(
            "check the id and its prefix (fpi_ payment intent, fcs_ checkout session, fcap_ \
             capture, fre_ refund, fcus_ customer, fprod_ product, fprice_ price, fsub_ \
             subscription) and that it exists in {mode} mode: test and live objects are \
             separate, so an id from the other mode is not found. Use a list_ tool to find \
             the right id."
        ),
        409 => "the object is not in a state that allows this (e.g. already captured, canceled \
                or closed). Read it with the matching get_ tool and check its status."
            .to_string(),
        400 | 422
            if tool.contains("refund")
                && (lower.contains("remaining")
                    || lower.contains("exceed")
                    || lower.contains("greater than")
                    || lower.contains("refundable")) =>
        {
            "the amount is more than what is left to refund. Check the remaining amount \
             (get_payment_intent, list_refunds for that payment intent) and retry with an \
             amount (integer cents) no larger than it."
                .to_string()
        }
        400 | 422 => "fix the fields named above (amounts are integer cents, ids keep their \
                      prefix) and call again."
            .to_string(),
        429 => {
            let after = e
                .retry_after
                .map(|d| format!(" Flex asked to wait {} s.", d.as_secs().max(1)))
                .unwrap_or_default();
            format!(
                "Flex is rate-limiting requests ({retried}).{after} Wait a minute, then try \
                 again; avoid calling many tools in parallel."
            )
        }
        s if s >= 500 => format!(
            "Flex had a server error ({retried}). Try again later; a retried write is safe \
             because it carries an idempotency key."
        ),
        _ => "read the message above, fix the request, and call again.".to_string(),
    }
}

/// The call needs a person's approval and none could be asked (headless server).
pub fn approval_unavailable(
    tool: &str,
    mode: Mode,
    access: Access,
    settings_file: Option<&str>,
) -> Failure {
    let file = settings_file.unwrap_or("settings.json (see `flex-mcp status`)");
    let class = access.as_str();
    let text = format!(
        "{tool} was not run: it is a {class} tool and the policy for {mode} mode is \"ask\", but \
         no one can approve calls here (this server runs without the desktop app). Nothing was \
         sent to Flex. To allow it, the user (not the assistant) can either set \
         \"policy\": {{\"{mode}\": {{\"{class}\": \"allow\"}}}} in {file}, or switch to test mode \
         with `flex-mcp mode test`. Tell the user this; do not retry the call."
    );
    Failure::new("approval_required", None, text)
        .with_field("policy_key", json!(format!("policy.{mode}.{class}")))
        .with_field("settings_file", json!(settings_file))
}

/// A person declined the call.
pub fn approval_declined(tool: &str, reason: Option<&str>) -> Failure {
    let why = reason.map(|r| format!(" Reason: {r}.")).unwrap_or_default();
    Failure::new(
        "approval_declined",
        None,
        format!(
            "{tool} was not run: the person at the computer declined it in the Flex MCP app.{why} \
             Nothing was sent to Flex. Do not retry; ask the user what they want instead."
        ),
    )
}

/// Nobody answered the approval in time.
pub fn approval_expired(tool: &str, minutes_waited: u64) -> Failure {
    Failure::new(
        "approval_expired",
        None,
        format!(
            "{tool} was not run: it waited for the person at the computer to approve it in the \
             Flex MCP app, and nobody answered within {minutes_waited} minute(s). Nothing was sent \
             to Flex. Tell the user the call needs their approval in the Flex MCP app, then retry \
             only if they ask you to."
        ),
    )
}

/// The person paused every assistant.
pub const PAUSED_MESSAGE: &str = "the person at the computer paused Flex MCP, so no assistant \
    can use Flex tools right now. Nothing was sent to Flex. Tell the user; they can resume from \
    the Flex MCP app (tray menu: Resume assistants). Do not retry until they say so";

/// The policy denies this class in this mode.
pub fn policy_denied(
    tool: &str,
    mode: Mode,
    access: Access,
    settings_file: Option<&str>,
) -> Failure {
    let file = settings_file.unwrap_or("settings.json (see `flex-mcp status`)");
    let class = access.as_str();
    let other = match mode {
        Mode::Live => " or switch to test mode with `flex-mcp mode test`",
        Mode::Test => "",
    };
    Failure::new(
        "policy_denied",
        None,
        format!(
            "{tool} was not run: {class} tools are denied in {mode} mode by the user's policy. \
             Nothing was sent to Flex. Only the user can change this: set \
             \"policy\": {{\"{mode}\": {{\"{class}\": \"allow\"}}}} (or \"ask\") in {file}{other}. \
             Tell the user; do not retry."
        ),
    )
    .with_field("policy_key", json!(format!("policy.{mode}.{class}")))
    .with_field("settings_file", json!(settings_file))
}

/// No usable credentials, or settings that cannot be read.
pub fn not_ready(tool: &str, code: &str, message: &str) -> Failure {
    Failure::new(
        code,
        None,
        format!("{tool} was not run: {message}. Nothing was sent to Flex."),
    )
}

/// The hosted MCP server could not run a call (unreachable, refused, garbage): `message` says
/// what happened and what to do.
pub fn hosted_failure(tool: &str, code: &str, http_status: Option<u16>, message: &str) -> Failure {
    let message = message.trim_end().trim_end_matches('.');
    Failure::new(
        code,
        http_status,
        format!("{tool} (via Flex hosted MCP) did not complete: {message}."),
    )
}

/// A hosted tool ran and failed (`isError`): its text, with the code and HTTP status when the
/// hosted server names them (`Flex API error (HTTP 404, resource_missing): …`), and what to do.
pub fn hosted_tool_error(tool: &str, mode: Mode, text: &str) -> Failure {
    let named = text
        .split_once("(HTTP ")
        .and_then(|(_, rest)| rest.split_once(')'))
        .and_then(|(inner, _)| inner.split_once(", "))
        .and_then(|(status, code)| Some((status.parse::<u16>().ok()?, code.to_owned())));
    let (http_status, code) = match named {
        Some((status, code)) => (Some(status), code),
        None => (None, "hosted_tool_error".to_owned()),
    };
    let text = text.trim_end().trim_end_matches('.');
    let advice = match http_status {
        Some(404) => format!(
            "Check the IDs: they must exist in {mode} mode (list the objects first)"
        ),
        Some(s) if s >= 500 => {
            "Flex had a problem; try again in a moment, and check first whether a change already              happened"
                .to_owned()
        }
        _ => "Fix the arguments (see the tool's input schema) and call it again".to_owned(),
    };
    Failure::new(
        code,
        http_status,
        format!("{tool} failed in {mode} mode (via Flex hosted MCP): {text}. {advice}."),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn api(status: u16, code: Option<&str>, message: &str) -> flex_api::Error {
        flex_api::Error::Api(flex_api::ApiError {
            status,
            code: code.map(str::to_string),
            error_type: None,
            message: message.to_string(),
            param: None,
            details: vec![flex_api::FieldError {
                loc: vec!["body".into(), "refund".into(), "amount".into()],
                msg: "must be at most 500".into(),
                kind: "value_error".into(),
            }],
            request_id: Some("req_123".into()),
            retry_after: None,
            attempts: 1,
        })
    }

    #[test]
    fn api_errors_state_status_code_fields_request_id_and_next_step() {
        let f = api_error(
            "create_refund",
            Mode::Test,
            &api(
                422,
                Some("amount_too_large"),
                "Refund amount exceeds the remaining amount",
            ),
        );
        assert_eq!(f.code, "amount_too_large");
        assert_eq!(f.http_status, Some(422));
        for needle in [
            "HTTP 422",
            "amount_too_large",
            "refund.amount: must be at most 500",
            "req_123",
            "remaining amount",
        ] {
            assert!(f.text.contains(needle), "missing {needle:?} in {}", f.text);
        }
        assert_eq!(
            f.structured["error"]["details"][0]["field"],
            "refund.amount"
        );
    }

    #[test]
    fn not_found_points_at_prefix_and_mode() {
        let f = api_error(
            "get_payment_intent",
            Mode::Live,
            &api(404, None, "Not found"),
        );
        assert_eq!(f.code, "http_404");
        assert!(
            f.text.contains("prefix") && f.text.contains("live mode"),
            "{}",
            f.text
        );
    }

    #[test]
    fn refusals_name_the_setting_and_the_mode_command() {
        let f = approval_unavailable(
            "create_refund",
            Mode::Live,
            Access::Destructive,
            Some("/x/settings.json"),
        );
        assert!(
            f.text.contains("\"live\": {\"destructive\": \"allow\"}"),
            "{}",
            f.text
        );
        assert!(f.text.contains("/x/settings.json") && f.text.contains("flex-mcp mode test"));
    }
}
