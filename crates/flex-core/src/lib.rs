//! Composition: paths, settings, mode, activity store, one function per user action. Must not depend on Tauri.

pub mod account_in_use;
pub mod account_keys;
pub mod activity;
pub mod activity_query;
pub mod activity_rows;
pub mod app_status;
pub mod approvals;
pub mod assistant_backups;
pub mod assistant_links;
pub mod assistant_preview;
pub mod assistants;
pub mod autostart;
pub mod browser_sign_in;
pub mod client_processes;
pub mod command_error;
pub mod connected;
pub mod credentials;
pub mod demo;
pub mod desktop_notifications;
pub mod error;
pub mod events;
pub mod flex_sign_in;
pub mod guard;
pub mod guardian;
pub mod host;
pub mod key_rule;
pub mod key_sign_in;
pub mod notice;
pub mod paths;
pub mod program;
pub mod serve;
pub mod settings;
pub mod settings_change;
pub mod sign_in_state;
pub mod single_instance;
#[cfg(test)]
mod test_home;
pub mod tools_view;
pub mod toolset;
pub mod tray_menu;
pub mod window_channel;
pub mod working;

pub use error::Code;
pub use paths::Paths;
pub use settings::Settings;

#[cfg(feature = "ts")]
pub mod bindings;
