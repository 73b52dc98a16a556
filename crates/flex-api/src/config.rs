//! How a [`Client`](crate::Client) is set up: key, base URL, timeouts and retry budget.
//!
//! The key is the only secret in this crate, so `Debug` is written by hand to never print it.

use std::fmt;
use std::time::Duration;

/// Where Flex lives unless told otherwise (request paths add `/v1/…`).
pub const DEFAULT_BASE_URL: &str = "https://api.withflex.com";

/// Settings for one [`Client`](crate::Client). Build with [`ClientConfig::new`] and the `with_*`
/// methods; every field is public so callers can also set it directly.
#[derive(Clone)]
pub struct ClientConfig {
    /// `fsk_…` (live) or `fsk_test_…` (test). Never printed.
    pub api_key: String,
    /// Scheme and host, without `/v1` (a trailing `/v1` or `/` is tolerated and dropped).
    pub base_url: String,
    /// Limit for one attempt (connect + request + body).
    pub timeout: Duration,
    /// Limit for establishing a connection.
    pub connect_timeout: Duration,
    /// First try plus retries; at least 1.
    pub max_attempts: u32,
    /// Budget across all attempts and the waits between them.
    pub max_total: Duration,
    /// Sent as `User-Agent`.
    pub user_agent: String,
    /// Longest `Retry-After` the client is willing to wait on a 429; longer ones end the call
    /// with the 429 (and its `retry_after`) so the caller can decide.
    pub max_retry_after: Duration,
}

impl ClientConfig {
    /// Defaults: Flex production, 15 s per attempt, 5 s to connect, 4 attempts within 30 s.
    pub fn new(api_key: impl Into<String>) -> Self {
        Self {
            api_key: api_key.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
            max_attempts: 4,
            max_total: Duration::from_secs(30),
            user_agent: format!("flex-mcp/{}", env!("CARGO_PKG_VERSION")),
            max_retry_after: Duration::from_secs(10),
        }
    }

    /// Point the client somewhere else (the simulator in tests, a proxy, staging).
    #[must_use]
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Per-attempt timeout.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout.
    #[must_use]
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Total attempts (1 = never retry).
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Budget across all attempts.
    #[must_use]
    pub fn with_max_total(mut self, total: Duration) -> Self {
        self.max_total = total;
        self
    }

    /// `User-Agent` header.
    #[must_use]
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Longest `Retry-After` honoured by waiting.
    #[must_use]
    pub fn with_max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("api_key", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_attempts", &self.max_attempts)
            .field("max_total", &self.max_total)
            .field("user_agent", &self.user_agent)
            .field("max_retry_after", &self.max_retry_after)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::ClientConfig;

    #[test]
    fn debug_never_prints_the_key() {
        let cfg = ClientConfig::new("fsk_test_SECRETSECRET");
        let shown = format!("{cfg:?}");
        assert!(
            !shown.contains("SECRETSECRET"),
            "key leaked into Debug: {shown}"
        );
        assert!(shown.contains("<redacted>"));
    }
}
