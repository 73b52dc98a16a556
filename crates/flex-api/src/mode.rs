//! Test or live: decided by the API key's prefix, never by anything the caller says.

use std::fmt;

/// Which Flex environment a key (and every object it touches) belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// `fsk_test_…` keys: simulated payments, no money moves.
    Test,
    /// `fsk_…` keys: real customers, real money.
    Live,
}

impl Mode {
    /// The lowercase word used in settings, records and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Test => "test",
            Mode::Live => "live",
        }
    }

    /// Mode of a Flex secret key, from its prefix alone (the rest of the key has no documented
    /// format). `None` when the key is not a Flex secret key at all.
    pub fn of_key(key: &str) -> Option<Mode> {
        if key.starts_with("fsk_test_") {
            Some(Mode::Test)
        } else if key.starts_with("fsk_") {
            Some(Mode::Live)
        } else {
            None
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "test" => Ok(Mode::Test),
            "live" => Ok(Mode::Live),
            other => Err(format!("unknown mode `{other}`: use `test` or `live`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Mode;

    #[test]
    fn prefix_decides_mode() {
        assert_eq!(Mode::of_key("fsk_test_abc"), Some(Mode::Test));
        assert_eq!(Mode::of_key("fsk_abc"), Some(Mode::Live));
        assert_eq!(
            Mode::of_key("sk_test_abc"),
            None,
            "Stripe keys are not Flex keys"
        );
        assert_eq!(Mode::of_key("FSK_abc"), None, "prefix is case-sensitive");
    }
}
