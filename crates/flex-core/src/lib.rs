//! Composition: paths, settings, mode, activity store, one function per user action. Must not depend on Tauri.

pub mod activity;
pub mod activity_query;
pub mod app_status;
pub mod approvals;
pub mod connected;
pub mod credentials;
pub mod error;
pub mod events;
pub mod flex_sign_in;
pub mod guard;
pub mod guardian;
pub mod host;
pub mod key_rule;
pub mod notice;
pub mod paths;
pub mod program;
pub mod serve;
pub mod settings;
pub mod toolset;

pub use error::Code;
pub use paths::Paths;
pub use settings::Settings;
