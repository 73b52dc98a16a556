//! When to try again, and how long to wait. Pure functions, so the policy is unit-tested without
//! a server; the loop that applies it lives in `client.rs`.
//!
//! Rules (issue 2 §2): a 429 was not processed, so it is retried for any method, after
//! `Retry-After` (capped). A 5xx or a lost connection may have been processed, so it is retried
//! only when repeating is safe: a GET, or a write carrying an `Idempotency-Key` (Flex replays
//! the first response). A connect failure never reached Flex, so it is always retried.

use std::time::Duration;

/// First backoff step; doubles per attempt.
const BACKOFF_BASE: Duration = Duration::from_millis(100);
/// Longest backoff step before jitter.
const BACKOFF_CAP: Duration = Duration::from_secs(2);

/// What failed on one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// 429 with an optional `Retry-After`.
    RateLimited(Option<Duration>),
    /// A 5xx status with an optional `Retry-After`.
    Server(u16, Option<Duration>),
    /// Any other non-2xx status: the request itself is wrong; repeating cannot help.
    Client,
    /// 409: an earlier request with the same `Idempotency-Key` is still being processed (e.g.
    /// our own attempt that timed out). Repeating the same key later gets its answer replayed.
    InFlight,
    /// The connection could not be established (nothing was sent).
    Connect,
    /// Sent, but no complete answer: reset, dropped, timed out.
    Transport,
}

/// Whether to retry, and after how long (before checking attempt and time budgets).
pub(crate) fn delay_before_retry(
    failure: Failure,
    safe_to_repeat: bool,
    attempts_done: u32,
    max_retry_after: Duration,
    jitter: f64,
) -> Option<Duration> {
    let backoff = backoff(attempts_done, jitter);
    match failure {
        Failure::RateLimited(after) => match after {
            Some(d) if d > max_retry_after => None,
            Some(d) => Some(d),
            None => Some(backoff),
        },
        // 501 Not Implemented and 505 are answers about the request, not transient faults.
        Failure::Server(501 | 505, _) | Failure::Client => None,
        Failure::Server(_, after) if safe_to_repeat => Some(
            after
                .filter(|d| *d <= max_retry_after)
                .map_or(backoff, |d| d.max(backoff)),
        ),
        Failure::Connect => Some(backoff),
        Failure::Transport | Failure::InFlight if safe_to_repeat => Some(backoff),
        Failure::Server(..) | Failure::Transport | Failure::InFlight => None,
    }
}

/// Exponential backoff with "equal jitter": half the step fixed, half random (`jitter` in
/// `[0,1)`), so that many clients failing together do not retry in lockstep.
pub(crate) fn backoff(attempts_done: u32, jitter: f64) -> Duration {
    let exp = attempts_done.saturating_sub(1).min(16);
    let step = BACKOFF_BASE.saturating_mul(1u32 << exp).min(BACKOFF_CAP);
    let half = step / 2;
    half + half.mul_f64(jitter.clamp(0.0, 1.0))
}

/// `Retry-After`: delta-seconds (integer or decimal) or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAP: Duration = Duration::from_secs(10);

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1, 0.0), Duration::from_millis(50));
        assert_eq!(backoff(1, 1.0), Duration::from_millis(100));
        assert_eq!(backoff(2, 0.0), Duration::from_millis(100));
        assert_eq!(backoff(3, 0.5), Duration::from_millis(300));
        assert_eq!(backoff(30, 1.0), BACKOFF_CAP, "never beyond the cap");
    }

    #[test]
    fn rate_limit_is_retried_for_any_method_and_honours_retry_after() {
        let d = delay_before_retry(
            Failure::RateLimited(Some(Duration::from_secs(1))),
            false,
            1,
            CAP,
            0.3,
        );
        assert_eq!(d, Some(Duration::from_secs(1)));
        assert_eq!(
            delay_before_retry(
                Failure::RateLimited(Some(Duration::from_secs(60))),
                true,
                1,
                CAP,
                0.3
            ),
            None,
            "a Retry-After beyond the cap is handed back to the caller"
        );
    }

    #[test]
    fn server_errors_retry_only_when_safe() {
        assert!(delay_before_retry(Failure::Server(503, None), true, 1, CAP, 0.0).is_some());
        assert!(delay_before_retry(Failure::Server(503, None), false, 1, CAP, 0.0).is_none());
        assert!(delay_before_retry(Failure::Server(501, None), true, 1, CAP, 0.0).is_none());
        assert!(delay_before_retry(Failure::Transport, false, 1, CAP, 0.0).is_none());
        assert!(delay_before_retry(Failure::Transport, true, 1, CAP, 0.0).is_some());
        assert!(
            delay_before_retry(Failure::Connect, false, 1, CAP, 0.0).is_some(),
            "nothing was sent"
        );
        assert!(delay_before_retry(Failure::Client, true, 1, CAP, 0.0).is_none());
        assert!(
            delay_before_retry(Failure::InFlight, true, 1, CAP, 0.0).is_some(),
            "same key replays"
        );
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("soon"), None);
    }
}
