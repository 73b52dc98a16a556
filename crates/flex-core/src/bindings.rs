//! TypeScript stand-ins for types of other crates that the window receives (only with the `ts`
//! feature, when src-tauri's test exports `ui/src/bindings/`). Kept here so `flex-api` needs no
//! TypeScript dependency.

/// `flex_api::Mode` as serde writes it.
#[derive(ts_rs::TS)]
#[ts(rename = "Mode")]
#[allow(dead_code)] // only its TypeScript declaration is used
pub enum ModeName {
    /// `fsk_test_…` keys.
    #[ts(rename = "test")]
    Test,
    /// `fsk_…` keys.
    #[ts(rename = "live")]
    Live,
}

/// `flex_mcp::Access` as serde writes it.
#[derive(ts_rs::TS)]
#[ts(rename = "Access")]
#[allow(dead_code)] // only its TypeScript declaration is used
pub enum AccessName {
    /// Look-ups.
    #[ts(rename = "read")]
    Read,
    /// Changes that move no money.
    #[ts(rename = "write")]
    Write,
    /// Moves money or cannot be undone.
    #[ts(rename = "destructive")]
    Destructive,
}

/// `flex_mcp::Decision` as serde writes it.
#[derive(ts_rs::TS)]
#[ts(rename = "Decision")]
#[allow(dead_code)] // only its TypeScript declaration is used
pub enum DecisionName {
    /// Run it.
    #[ts(rename = "allow")]
    Allow,
    /// Ask a person first.
    #[ts(rename = "ask")]
    Ask,
    /// Refuse it.
    #[ts(rename = "deny")]
    Deny,
}

/// `flex_mcp::Outcome` as serde writes it.
#[derive(ts_rs::TS)]
#[ts(rename = "Outcome")]
#[allow(dead_code)] // only its TypeScript declaration is used
pub enum OutcomeName {
    /// Flex answered with success.
    #[ts(rename = "ok")]
    Ok,
    /// Flex answered with an error, or could not be reached.
    #[ts(rename = "api_error")]
    ApiError,
    /// Invalid arguments; nothing was sent.
    #[ts(rename = "invalid_arguments")]
    InvalidArguments,
    /// Refused by the policy or the person.
    #[ts(rename = "refused")]
    Refused,
}
