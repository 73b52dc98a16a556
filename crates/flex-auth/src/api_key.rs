//! API key checks: the format (offline, before anything is sent) and one cheap verification call.
//!
//! The verification is a single `GET /v1/products?limit=1` with no retries: at sign-in the user
//! is waiting, and a clear "could not reach Flex" beats thirty seconds of silent backoff (the
//! flex-api client's retry budget is meant for tool calls, not for this).

use std::time::Duration;

use flex_api::Mode;

use crate::{Error, Sensitive};

const DASHBOARD_KEYS: &str = "https://dashboard.withflex.com/apikeys";

/// Why a pasted key was refused before contacting Flex. Messages never contain the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFormatError {
    /// Nothing (or only whitespace) was given.
    #[error(
        "No API key was given. Paste your Flex secret key (it starts with `fsk_` or `fsk_test_`); \
         you can create one at {DASHBOARD_KEYS}."
    )]
    Empty,
    /// A space, tab or line break inside the key.
    #[error(
        "The API key contains {what}. A Flex key is a single word: paste only the key itself{hint}."
    )]
    InnerWhitespace {
        /// "a space", "a line break", "a tab".
        what: &'static str,
        /// Extra advice, e.g. about a pasted `Bearer ` prefix.
        hint: &'static str,
    },
    /// A character no Flex key contains (control character, non-ASCII, quote).
    #[error(
        "The API key contains a character that cannot be part of a Flex key (character {position}). \
         Paste only the key itself, without quotes or other text around it."
    )]
    BadCharacter {
        /// 1-based position of the character (the character itself is not shown).
        position: usize,
    },
    /// Not `fsk_…` / `fsk_test_…`.
    #[error("This is not a Flex secret key: {hint}")]
    WrongPrefix {
        /// What it looks like instead and where to get the right key.
        hint: &'static str,
    },
    /// Only the prefix was pasted.
    #[error(
        "The API key is only the prefix `{prefix}` with nothing after it. Copy the whole key from \
         {DASHBOARD_KEYS}."
    )]
    Truncated {
        /// The documented prefix (not secret).
        prefix: &'static str,
    },
}

/// A Flex secret key whose format has been checked, and the mode its prefix decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    secret: Sensitive<String>,
    mode: Mode,
}

impl ApiKey {
    /// Check a pasted key: surrounding whitespace is trimmed; whitespace inside, odd characters
    /// and a prefix other than `fsk_` (live) / `fsk_test_` (test) are refused.
    pub fn parse(input: &str) -> Result<ApiKey, KeyFormatError> {
        let key = input.trim();
        if key.is_empty() {
            return Err(KeyFormatError::Empty);
        }
        if let Some(c) = key.chars().find(|c| c.is_whitespace()) {
            let what = match c {
                '\n' | '\r' => "a line break",
                '\t' => "a tab",
                _ => "a space",
            };
            let hint = if key.starts_with("Bearer") || key.starts_with("bearer") {
                " (leave out `Bearer `)"
            } else {
                ""
            };
            return Err(KeyFormatError::InnerWhitespace { what, hint });
        }
        if key.starts_with(['"', '\'', '`', '<']) {
            return Err(KeyFormatError::WrongPrefix {
                hint: "remove the quotes or brackets around it and paste only the key.",
            });
        }
        if let Some(position) = key.chars().position(|c| !c.is_ascii_graphic()) {
            return Err(KeyFormatError::BadCharacter {
                position: position + 1,
            });
        }
        if key == "fsk_test" || key == "fsk_test_" {
            return Err(KeyFormatError::Truncated {
                prefix: "fsk_test_",
            });
        }
        if key == "fsk_" {
            return Err(KeyFormatError::Truncated { prefix: "fsk_" });
        }
        let Some(mode) = Mode::of_key(key) else {
            let lower = key.to_ascii_lowercase();
            let hint = if lower.starts_with("fsk_") {
                "Flex keys start with a lowercase `fsk_`. Copy the key exactly as the dashboard shows it."
            } else if ["sk_", "pk_", "rk_"].iter().any(|p| lower.starts_with(p)) {
                "it looks like a Stripe key. Use the secret key from your Flex dashboard \
                 (https://dashboard.withflex.com/apikeys); it starts with `fsk_` or `fsk_test_`."
            } else {
                "Flex secret keys start with `fsk_` (live) or `fsk_test_` (test). Create or copy \
                 one at https://dashboard.withflex.com/apikeys."
            };
            return Err(KeyFormatError::WrongPrefix { hint });
        };
        Ok(ApiKey {
            secret: Sensitive::new(key.to_string()),
            mode,
        })
    }

    /// Test or live, from the prefix.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The key, still wrapped.
    pub fn secret(&self) -> &Sensitive<String> {
        &self.secret
    }

    /// The key itself (for the `Authorization` header and the keychain only).
    pub fn expose(&self) -> &str {
        self.secret.expose()
    }
}

/// What Flex said about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// The key read products: it works, and has at least `products:read`.
    Accepted,
    /// The key is real (not a 401) but scoped: Flex refused the check call with 403.
    Scoped {
        /// The scope the check needed, e.g. `products:read`.
        missing_scope: String,
        /// Flex's own words, if any (with the key removed).
        message: Option<String>,
    },
}

/// Ask Flex at `base_url` (no `/v1`) whether `key` works: one `GET /v1/products?limit=1`.
pub async fn verify_api_key(key: &ApiKey, base_url: &str) -> Result<Verification, Error> {
    let (base, url, http) = check_request(base_url)?;
    let response = http
        .get(url)
        .bearer_auth(key.expose())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| Error::Network {
            base_url: base.clone(),
            detail: describe_network_error(&e),
        })?;
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    let json: Option<serde_json::Value> = serde_json::from_str(&body).ok();
    let message = json
        .as_ref()
        .and_then(flex_message)
        .map(|m| m.replace(key.expose(), "<redacted>"));
    match status {
        200..=299 if json.as_ref().is_some_and(serde_json::Value::is_object) => {
            Ok(Verification::Accepted)
        }
        200..=299 => Err(Error::UnexpectedResponse {
            base_url: base,
            status,
            message: " but the answer was not JSON (is this the Flex API?)".to_string(),
        }),
        401 => Err(Error::KeyRejected { base_url: base }),
        403 => Ok(Verification::Scoped {
            missing_scope: message
                .as_deref()
                .and_then(scope_in)
                .unwrap_or_else(|| "products:read".to_string()),
            message,
        }),
        429 | 500..=599 => Err(Error::FlexUnavailable {
            base_url: base,
            status,
        }),
        _ => Err(Error::UnexpectedResponse {
            base_url: base,
            status,
            message: message.map(|m| format!(": {m}")).unwrap_or_default(),
        }),
    }
}

/// Is Flex reachable at `base_url`? One unauthenticated `GET /v1/products?limit=1`; any HTTP
/// answer (normally 401) proves the host is there. Returns the status. For `doctor` when no key
/// is stored; with a key, [`verify_api_key`] answers more.
pub async fn reach(base_url: &str) -> Result<u16, Error> {
    let (base, url, http) = check_request(base_url)?;
    let response = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| Error::Network {
            base_url: base,
            detail: describe_network_error(&e),
        })?;
    Ok(response.status().as_u16())
}

/// The normalised base URL, the check URL, and a one-shot client for it.
fn check_request(base_url: &str) -> Result<(String, reqwest::Url, reqwest::Client), Error> {
    let base = base_url.trim().trim_end_matches('/').to_string();
    let url = reqwest::Url::parse(&format!("{base}/v1/products?limit=1")).map_err(|e| {
        Error::InvalidBaseUrl {
            base_url: base.clone(),
            detail: e.to_string(),
        }
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::InvalidBaseUrl {
            base_url: base,
            detail: "it must start with https:// (or http:// for a local simulator)".to_string(),
        });
    }
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        // Never follow a redirect with the key attached to somewhere we did not choose.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("flex-mcp/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Network {
            base_url: base.clone(),
            detail: format!("could not set up HTTPS: {e}"),
        })?;
    Ok((base, url, http))
}

/// A few words about a transport failure (reqwest's own text is long and nested).
fn describe_network_error(e: &reqwest::Error) -> String {
    let mut root: &dyn std::error::Error = e;
    while let Some(next) = root.source() {
        root = next;
    }
    if e.is_timeout() {
        "the request timed out".to_string()
    } else if e.is_connect() {
        format!("connection failed: {root}")
    } else {
        root.to_string()
    }
}

/// `error.message` (documented shape) or `message` / `detail[0].msg`.
fn flex_message(v: &serde_json::Value) -> Option<String> {
    v.pointer("/error/message")
        .or_else(|| v.get("message"))
        .or_else(|| v.pointer("/detail/0/msg"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
}

/// The first `resource:read` / `resource:write` token in a message.
fn scope_in(message: &str) -> Option<String> {
    message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .find(|w| {
            w.split_once(':').is_some_and(|(res, act)| {
                !res.is_empty()
                    && res.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    && (act == "read" || act == "write")
            })
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_decides_mode_and_surrounding_whitespace_is_trimmed() {
        let k = ApiKey::parse("  fsk_test_abc123\n").unwrap();
        assert_eq!(k.mode(), Mode::Test);
        assert_eq!(k.expose(), "fsk_test_abc123");
        assert_eq!(ApiKey::parse("fsk_MzkxYzU2").unwrap().mode(), Mode::Live);
    }

    #[test]
    fn malformed_keys_are_refused_without_echoing_them() {
        let cases = [
            ("", "No API key was given"),
            ("   \n", "No API key was given"),
            ("fsk_test_ab c", "contains a space"),
            ("fsk_test_ab\ncd", "contains a line break"),
            ("Bearer fsk_test_abcdef", "leave out `Bearer `"),
            ("sk_test_51Habcdef", "looks like a Stripe key"),
            ("\"fsk_test_abcdef\"", "remove the quotes"),
            ("FSK_TEST_ABCDEF", "lowercase `fsk_`"),
            ("hello-world", "start with `fsk_`"),
            ("fsk_test_", "only the prefix `fsk_test_`"),
            ("fsk_", "only the prefix `fsk_`"),
            ("fsk_test_ab\u{7f}", "character 12"),
            ("fsk_test_abé", "cannot be part of a Flex key"),
        ];
        for (input, expected) in cases {
            let err = ApiKey::parse(input).unwrap_err().to_string();
            assert!(err.contains(expected), "{input:?} → {err}");
            let body = input.trim().trim_start_matches("Bearer ");
            // A bare documented prefix is public; everything else must not be echoed.
            if body.len() > 5 && !expected.starts_with("only the prefix") {
                assert!(!err.contains(body), "error must not echo the key: {err}");
            }
        }
    }

    #[test]
    fn debug_of_a_key_is_redacted() {
        let k = ApiKey::parse("fsk_test_secretvalue").unwrap();
        let dbg = format!("{k:?}");
        assert!(!dbg.contains("secretvalue"), "{dbg}");
    }

    #[test]
    fn scope_is_found_in_flex_messages() {
        assert_eq!(
            scope_in("This key lacks the products:read scope.").as_deref(),
            Some("products:read")
        );
        assert_eq!(
            scope_in("missing scope 'refunds:write'").as_deref(),
            Some("refunds:write")
        );
        assert_eq!(scope_in("Forbidden"), None);
        assert_eq!(scope_in("time 10:30 read"), None);
    }
}
