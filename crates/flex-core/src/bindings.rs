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
