//! A wrapper that keeps secrets out of logs, panics and error messages.

use std::fmt;

/// A secret value. `Debug` and `Display` print `<redacted>`; there is deliberately no
/// `Serialize`, so a secret cannot end up in a settings file or a JSON response by accident.
/// Read it with [`Sensitive::expose`] at the one place that needs it (an HTTP header, the keychain).
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    /// Wrap a secret.
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The secret itself. Call sites are easy to audit: search for `expose(`.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwrap the secret (e.g. to hand it to a client that takes ownership).
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Sensitive(value)
    }
}

#[cfg(test)]
mod tests {
    use super::Sensitive;

    #[test]
    fn debug_and_display_never_show_the_secret() {
        let s = Sensitive::new(String::from("fsk_test_supersecret"));
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
        assert_eq!(
            s.expose(),
            "fsk_test_supersecret",
            "the secret is still there for its user"
        );
    }
}
