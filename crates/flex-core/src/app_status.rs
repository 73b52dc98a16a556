//! What the window and the tray show about the account: the mode, whether this is the built-in
//! demo, the API base, where the key comes from, and the few most recent payments.
//!
//! It lives here (not in the Tauri shell) so that every word the user reads and every number we
//! format is decided without a display and tested with `cargo test`; the app's commands only call
//! these functions.

use std::fmt;

use anyhow::Context as _;
use flex_api::Mode;
use serde::Serialize;

use crate::error::Code;
use crate::key_rule;

pub use crate::key_rule::API_KEY_ENV;

/// How many payments the window lists.
pub const RECENT_PAYMENTS: usize = 5;

pub use crate::key_rule::KeySource;

/// The account the app talks to. The key never appears in `Debug` output.
#[derive(Clone)]
pub struct Account {
    api_key: String,
    /// Test or live, from the key's prefix (the demo is always test).
    pub mode: Mode,
    /// Base URL without `/v1`.
    pub api_base: String,
    /// Where the key came from.
    pub source: KeySource,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("api_key", &"<redacted>")
            .field("mode", &self.mode)
            .field("api_base", &self.api_base)
            .field("source", &self.source)
            .finish()
    }
}

impl Account {
    /// An account from a key value as found in the environment. Blank means "not configured";
    /// anything that is not a Flex secret key is an error that says how to fix it.
    pub fn from_key(key: Option<&str>, api_base: String) -> anyhow::Result<Option<Account>> {
        let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else {
            return Ok(None);
        };
        let mode = key_rule::mode_in_force(Some(key), Mode::Test)
            .map_err(|e| anyhow::Error::new(e).context(Code::InvalidKey))?;
        Account::from_rule(Some(key), mode, |_| Ok(None), api_base)
    }

    /// The key stored in the keychain slot of `mode`. A key whose prefix belongs to the other mode
    /// is refused (it would act on the wrong money), with the fix.
    pub fn from_stored_key(key: String, mode: Mode, api_base: String) -> anyhow::Result<Account> {
        Account::from_rule(None, mode, |_| Ok(Some(key)), api_base)?
            .ok_or_else(|| anyhow::anyhow!("no key").context(Code::NotSignedIn))
    }

    /// The account [`key_rule`] chooses for `mode`: `env` (`FLEX_API_KEY`), else the stored key
    /// of the mode; `Ok(None)` when neither is configured (the app then shows its demo).
    pub fn from_rule(
        env: Option<&str>,
        mode: Mode,
        stored: impl FnOnce(Mode) -> anyhow::Result<Option<String>>,
        api_base: String,
    ) -> anyhow::Result<Option<Account>> {
        let chosen = key_rule::key_for(env, mode, stored).map_err(|e| {
            let code = match e {
                key_rule::KeyRuleError::Keychain { .. } => Code::KeychainUnavailable,
                _ => Code::InvalidKey,
            };
            anyhow::Error::new(e).context(code)
        })?;
        Ok(chosen.map(|(key, source)| Account {
            api_key: key.expose().to_string(),
            mode: key.mode(),
            api_base,
            source,
        }))
    }

    /// The built-in demo: the local simulator at `base_url` with its seeded test key.
    pub fn demo(base_url: impl Into<String>, demo_key: impl Into<String>) -> Account {
        Account {
            api_key: demo_key.into(),
            mode: Mode::Test,
            api_base: base_url.into(),
            source: KeySource::Demo,
        }
    }

    /// The Flex sign-in serving `mode` through the hosted MCP at `mcp_url` (a bare host gets
    /// `/api/mcp/oauth`): no API key, so the window has no REST client (the tokens are only for
    /// the hosted MCP).
    pub fn flex_sign_in(mode: Mode, mcp_url: &str) -> Account {
        Account {
            api_key: String::new(),
            mode,
            api_base: flex_auth::oauth::oauth_endpoint(mcp_url),
            source: KeySource::FlexSignIn,
        }
    }

    /// The secret key, for building the API client. Never log or display it.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// Whether this is the built-in demo.
    pub fn is_demo(&self) -> bool {
        self.source == KeySource::Demo
    }
}

/// Everything the status part of the window shows. Field names are camelCase for the front end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AppStatus {
    /// `test` or `live`.
    #[cfg_attr(feature = "ts", ts(as = "crate::bindings::ModeName"))]
    pub mode: Mode,
    /// "Test" or "Live", for the badge.
    pub mode_label: String,
    /// True on the built-in demo; the window and tray then say DEMO.
    pub demo: bool,
    /// The API base the app talks to.
    pub api_base: String,
    /// Where the key comes from.
    pub key_source: KeySource,
    /// True when a key is available for the current mode (the demo key counts).
    pub key_stored: bool,
    /// One plain sentence about the key, for people who do not know what an API key is.
    pub key_summary: String,
    /// The disabled first item of the tray menu, e.g. "Mode: Test — DEMO".
    pub tray_label: String,
    /// A problem the user should know about (e.g. a malformed `FLEX_API_KEY`), with its fix.
    pub notice: Option<String>,
}

/// The status of `account`, with an optional notice to show above everything else.
pub fn status(account: &Account, notice: Option<String>) -> AppStatus {
    let demo = account.is_demo();
    let key_summary = match account.source {
        KeySource::Demo => "No Flex account is connected yet, so you are looking at the built-in \
                            demo: sample data, no real money moves."
            .to_string(),
        KeySource::Environment => format!(
            "Connected with the {} key from {API_KEY_ENV}.",
            account.mode
        ),
        KeySource::Keychain => format!(
            "Connected with the {} key saved in this computer's keychain.",
            account.mode
        ),
        KeySource::FlexSignIn => format!(
            "Signed in with Flex: your assistants reach your Flex account in {} mode through \
             Flex's hosted MCP.",
            account.mode
        ),
    };
    AppStatus {
        mode: account.mode,
        mode_label: mode_label(account.mode).to_string(),
        demo,
        api_base: account.api_base.clone(),
        key_source: account.source,
        key_stored: !account.api_key.is_empty() || account.source == KeySource::FlexSignIn,
        key_summary,
        tray_label: tray_label(account.mode, demo),
        notice,
    }
}

/// "Test" or "Live".
pub fn mode_label(mode: Mode) -> &'static str {
    match mode {
        Mode::Test => "Test",
        Mode::Live => "Live",
    }
}

/// The tray's mode line: "Mode: Test — DEMO", "Mode: Test", "Mode: Live".
pub fn tray_label(mode: Mode, demo: bool) -> String {
    if demo {
        format!("Mode: {} — DEMO", mode_label(mode))
    } else {
        format!("Mode: {}", mode_label(mode))
    }
}

/// One line of the recent-payments list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PaymentRow {
    /// `fpi_…`
    pub id: String,
    /// Integer cents, as Flex sends it (exact in a JS number below 2^53 cents).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub amount_cents: i64,
    /// The same amount for people: `$12.34`.
    pub amount: String,
    /// Flex's status word (`succeeded`, `canceled`, …).
    pub status: String,
    /// The status in plain words ("Paid", "Canceled", …).
    pub status_label: String,
    /// ISO-8601 creation time, when Flex sent one.
    pub created_at: Option<String>,
}

/// Integer cents as US dollars: `1234` → `$12.34`, `-50` → `-$0.50`, `123456789` → `$1,234,567.89`.
pub fn format_usd(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let dollars = (abs / 100).to_string();
    let mut grouped = String::with_capacity(dollars.len() + dollars.len() / 3);
    for (i, ch) in dollars.chars().enumerate() {
        if i > 0 && (dollars.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}${grouped}.{:02}", abs % 100)
}

/// A payment intent status in words a support or finance person uses.
pub fn status_label(status: &str) -> String {
    match status {
        "succeeded" => "Paid",
        "canceled" => "Canceled",
        "processing" => "Processing",
        "requires_capture" => "Authorized, not yet captured",
        "requires_payment_method" => "Waiting for payment",
        "requires_confirmation" => "Waiting for confirmation",
        "requires_action" => "Waiting for the customer",
        other => other,
    }
    .to_string()
}

/// The newest `limit` payment intents of a `GET /v1/payment_intents` body
/// (`{"payment_intents": [...]}`), newest first. Unknown fields are ignored; an entry without an
/// id or an integer amount is an error naming the entry, because a payment list that silently
/// drops a payment is worse than an error.
pub fn payment_rows(body: &serde_json::Value, limit: usize) -> anyhow::Result<Vec<PaymentRow>> {
    let list = body
        .get("payment_intents")
        .and_then(serde_json::Value::as_array)
        .context("the payment list from Flex has no `payment_intents` array")?;
    let mut rows = list
        .iter()
        .enumerate()
        .map(|(i, pi)| {
            let id = pi
                .get("payment_intent_id")
                .or_else(|| pi.get("id"))
                .and_then(serde_json::Value::as_str)
                .with_context(|| format!("payment intent #{i} has no `payment_intent_id`"))?;
            let amount_cents = pi
                .get("amount")
                .and_then(serde_json::Value::as_i64)
                .with_context(|| format!("payment intent {id} has no integer `amount` (cents)"))?;
            let status = pi
                .get("status")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("unknown")
                .to_string();
            Ok(PaymentRow {
                id: id.to_string(),
                amount_cents,
                amount: format_usd(amount_cents),
                status_label: status_label(&status),
                status,
                created_at: pi
                    .get("created_at")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_string),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Flex lists newest first, but that is only documented for products: sort to be sure.
    // ISO-8601 timestamps in one format sort as strings; a stable sort keeps Flex's order on ties.
    rows.sort_by(|a, b| b.created_at.cmp(&a.created_at));
    rows.truncate(limit);
    Ok(rows)
}

/// A Flex API client for `account` (one connection pool; clone it freely). No request is sent.
pub fn api_client(account: &Account) -> anyhow::Result<flex_api::Client> {
    if account.source == KeySource::FlexSignIn {
        // Its tokens are for the hosted MCP only (audience-bound): never sent to the REST API.
        return Err(anyhow::Error::new(Code::NotSignedIn).context(
            "You are signed in with Flex, whose access is for Flex's hosted MCP only, so this \
             window cannot list payments itself. Ask your assistant \"Show my five latest \
             payments\", or paste an API key on the Account page to see them here too.",
        ));
    }
    flex_api::Client::new(
        flex_api::ClientConfig::new(account.api_key()).with_base_url(account.api_base.clone()),
    )
    .map_err(|e| anyhow::Error::new(e).context(Code::InvalidKey))
    .context("could not set up the connection to Flex")
}

/// The newest `limit` payments of the account, for the window.
pub async fn recent_payments(
    client: &flex_api::Client,
    limit: usize,
) -> anyhow::Result<Vec<PaymentRow>> {
    let body = client
        .send(flex_api::Request::get("/v1/payment_intents").query("limit", limit))
        .await
        .map_err(|e| {
            let code = match e.status() {
                Some(401 | 403) => Code::KeyRejected,
                Some(_) => Code::Unknown,
                None => Code::Network,
            };
            anyhow::Error::new(e).context(code).context(format!(
                "could not load the latest payments from {}",
                client.base_url()
            ))
        })?;
    payment_rows(&body, limit)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blank_key_means_not_configured() {
        assert!(Account::from_key(None, "x".into()).unwrap().is_none());
        assert!(Account::from_key(Some("  "), "x".into()).unwrap().is_none());
    }

    #[test]
    fn key_prefix_decides_mode_and_bad_key_says_how_to_fix() {
        let test = Account::from_key(Some("fsk_test_abc"), "http://h".into())
            .unwrap()
            .unwrap();
        assert_eq!(test.mode, Mode::Test);
        assert_eq!(test.source, KeySource::Environment);
        let live = Account::from_key(Some(" fsk_abc \n"), "http://h".into())
            .unwrap()
            .unwrap();
        assert_eq!(live.mode, Mode::Live);
        assert_eq!(
            live.api_key(),
            "fsk_abc",
            "surrounding whitespace is trimmed"
        );

        let err = Account::from_key(Some("sk_test_stripe"), "http://h".into()).unwrap_err();
        // `Code::of` walks `chain()`, which does not reach `.context(Code)` layers (reported);
        // anyhow's own downcast does.
        assert_eq!(err.downcast_ref::<Code>(), Some(&Code::InvalidKey));
        let msg = format!("{err:#}");
        assert!(
            msg.contains("FLEX_API_KEY") && msg.contains("fsk_test_"),
            "{msg}"
        );
    }

    #[test]
    fn stored_key_must_belong_to_its_slot() {
        let a =
            Account::from_stored_key("fsk_test_k".into(), Mode::Test, "http://h".into()).unwrap();
        assert_eq!(a.source, KeySource::Keychain);
        assert!(status(&a, None).key_summary.contains("keychain"));
        let err = Account::from_stored_key("fsk_live_k".into(), Mode::Test, "http://h".into())
            .unwrap_err();
        assert_eq!(err.downcast_ref::<Code>(), Some(&Code::InvalidKey));
        assert!(format!("{err:#}").contains("flex-mcp login"), "{err:#}");
    }

    #[test]
    fn debug_never_shows_the_key() {
        let a = Account::from_key(Some("fsk_test_secret123"), "http://h".into())
            .unwrap()
            .unwrap();
        let shown = format!("{a:?}");
        assert!(!shown.contains("secret123"), "{shown}");
    }

    #[test]
    fn demo_status_says_demo_everywhere() {
        let s = status(
            &Account::demo("http://127.0.0.1:5000", "fsk_test_demo_key"),
            None,
        );
        assert!(s.demo);
        assert_eq!(s.mode, Mode::Test);
        assert_eq!(s.tray_label, "Mode: Test — DEMO");
        assert_eq!(s.key_source, KeySource::Demo);
        assert!(s.key_stored);
        assert!(s.key_summary.contains("demo"), "{}", s.key_summary);
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["modeLabel"], "Test", "front end reads camelCase: {v}");
        assert_eq!(v["keySource"], "demo");
    }

    #[test]
    fn live_status_is_not_demo() {
        let a = Account::from_key(Some("fsk_live1"), "https://api.withflex.com".into())
            .unwrap()
            .unwrap();
        let s = status(&a, Some("note".into()));
        assert!(!s.demo);
        assert_eq!(s.mode_label, "Live");
        assert_eq!(s.tray_label, "Mode: Live");
        assert_eq!(s.notice.as_deref(), Some("note"));
    }

    #[test]
    fn the_flex_sign_in_is_not_the_demo_and_has_no_rest_client() {
        let a = Account::flex_sign_in(Mode::Live, "https://mcp.withflex.com");
        assert_eq!(a.api_base, "https://mcp.withflex.com/api/mcp/oauth");
        let s = status(&a, None);
        assert!(!s.demo && s.key_stored);
        assert_eq!(s.key_source, KeySource::FlexSignIn);
        assert_eq!(s.tray_label, "Mode: Live");
        assert!(
            s.key_summary.contains("Signed in with Flex"),
            "{}",
            s.key_summary
        );
        let err = api_client(&a).unwrap_err();
        assert_eq!(Code::of(&err), Code::NotSignedIn);
        assert!(Code::message(&err).contains("paste an API key"), "{err:#}");
    }

    #[test]
    fn usd_from_integer_cents() {
        assert_eq!(format_usd(1234), "$12.34");
        assert_eq!(format_usd(5), "$0.05");
        assert_eq!(format_usd(0), "$0.00");
        assert_eq!(format_usd(-50), "-$0.50");
        assert_eq!(format_usd(100_000), "$1,000.00");
        assert_eq!(format_usd(123_456_789), "$1,234,567.89");
        assert_eq!(format_usd(i64::MIN), "-$92,233,720,368,547,758.08");
    }

    #[test]
    fn payment_rows_newest_first_and_limited() {
        let body = json!({"payment_intents": [
            {"payment_intent_id": "fpi_old", "amount": 100, "status": "succeeded",
             "created_at": "2026-01-01T00:00:00Z"},
            {"payment_intent_id": "fpi_new", "amount": 4999, "status": "requires_capture",
             "created_at": "2026-03-01T00:00:00Z", "unknown_field": {"x": 1}},
            {"payment_intent_id": "fpi_mid", "amount": 250, "status": "canceled",
             "created_at": "2026-02-01T00:00:00Z"}
        ]});
        let rows = payment_rows(&body, 2).unwrap();
        let ids: Vec<_> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["fpi_new", "fpi_mid"]);
        assert_eq!(rows[0].amount, "$49.99");
        assert_eq!(rows[0].amount_cents, 4999);
        assert_eq!(rows[0].status_label, "Authorized, not yet captured");
        assert_eq!(rows[1].status_label, "Canceled");
    }

    #[test]
    fn payment_rows_reject_bad_bodies_with_the_field_named() {
        let err = payment_rows(&json!({"products": []}), 5).unwrap_err();
        assert!(format!("{err:#}").contains("payment_intents"), "{err:#}");
        let err = payment_rows(
            &json!({"payment_intents": [{"payment_intent_id": "fpi_1", "amount": "12.34"}]}),
            5,
        )
        .unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("fpi_1") && msg.contains("amount"), "{msg}");
    }
}
