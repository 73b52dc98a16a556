//! Composition: paths, settings, mode, activity store, one function per user action. Must not depend on Tauri.

pub mod activity;
pub mod activity_query;
pub mod app_status;
pub mod connected;
pub mod credentials;
pub mod error;
pub mod guardian;
pub mod notice;
pub mod paths;
pub mod serve;
pub mod settings;

pub use error::Code;
pub use paths::Paths;
pub use settings::Settings;
