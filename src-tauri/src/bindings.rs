//! Writes the TypeScript types of everything the window receives into `ui/src/bindings/`
//! (`cargo test -p flex-mcp-desktop export_bindings`). `scripts/check-bindings.sh` runs it and fails
//! when the committed files differ, so the front end can never drift from the Rust structs.

use std::path::Path;

use ts_rs::TS;

#[test]
fn export_bindings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
    let cfg = ts_rs::Config::new().with_out_dir(&dir);
    flex_core::app_status::AppStatus::export_all(&cfg).expect("AppStatus");
    flex_core::app_status::PaymentRow::export_all(&cfg).expect("PaymentRow");
    flex_core::assistants::Assistant::export_all(&cfg).expect("Assistant");
    flex_core::assistants::AssistantChange::export_all(&cfg).expect("AssistantChange");
    flex_core::key_sign_in::KeySignIn::export_all(&cfg).expect("KeySignIn");
    flex_core::working::Working::export_all(&cfg).expect("Working");
    flex_core::activity_rows::ActivityRow::export_all(&cfg).expect("ActivityRow");
    flex_core::settings_change::SettingsView::export_all(&cfg).expect("SettingsView");
    flex_core::settings_change::SettingsChange::export_all(&cfg).expect("SettingsChange");
    flex_core::tools_view::ToolsView::export_all(&cfg).expect("ToolsView");
    flex_core::account_keys::StoredKey::export_all(&cfg).expect("StoredKey");
    flex_core::assistant_preview::Preview::export_all(&cfg).expect("Preview");
    flex_core::browser_sign_in::SignInLink::export_all(&cfg).expect("SignInLink");
    flex_core::browser_sign_in::FlexSignedIn::export_all(&cfg).expect("FlexSignedIn");
    flex_core::browser_sign_in::FlexSignedOut::export_all(&cfg).expect("FlexSignedOut");
    flex_core::sign_in_state::SignInState::export_all(&cfg).expect("SignInState");
    flex_core::key_rule::SignInChoice::export_all(&cfg).expect("SignInChoice");
    crate::error::CommandError::export_all(&cfg).expect("CommandError");
    flex_core::events::HostEvent::export_all(&cfg).expect("HostEvent");
    flex_core::approvals::PendingApproval::export_all(&cfg).expect("PendingApproval");
    flex_core::window_channel::ConfirmationPending::export_all(&cfg).expect("ConfirmationPending");
    flex_core::activity_rows::RowsPage::export_all(&cfg).expect("RowsPage");
    flex_core::activity_query::ActivityFilter::export_all(&cfg).expect("ActivityFilter");
    crate::activity::Exported::export_all(&cfg).expect("Exported");
    flex_core::assistant_backups::AssistantBackup::export_all(&cfg).expect("AssistantBackup");
    flex_core::assistant_links::InstallLink::export_all(&cfg).expect("InstallLink");
    flex_core::autostart::StartAtLogin::export_all(&cfg).expect("StartAtLogin");
    flex_core::notice::Notice::export_all(&cfg).expect("Notice");
}
