//! Status, detection, missing folders, backups and binary checks through the public API.

use std::path::Path;

use flex_clients::{
    BACKUPS_KEPT, ChangeAction, ClientKind, ClientStatus, ClientsError, install_marker,
};

use crate::Sandbox;

#[test]
fn nothing_installed_means_not_installed_everywhere() {
    let sandbox = Sandbox::new();
    for report in flex_clients::list(&sandbox.env, Sandbox::binary()) {
        assert!(!report.installed, "{}", report.client);
        assert_eq!(
            report.status,
            ClientStatus::NotInstalled,
            "{}",
            report.client
        );
    }
}

#[test]
fn a_client_folder_means_installed_but_not_connected() {
    let sandbox = Sandbox::new();
    for kind in ClientKind::ALL {
        std::fs::create_dir_all(install_marker(kind, &sandbox.env)).unwrap();
        let report = flex_clients::report(kind, &sandbox.env, Sandbox::binary());
        assert!(report.installed, "{kind}");
        assert_eq!(report.status, ClientStatus::NotConnected, "{kind}");
    }
}

#[test]
fn missing_directory_is_created_with_a_minimal_config_for_every_client() {
    for kind in ClientKind::ALL {
        let sandbox = Sandbox::new();
        let path = sandbox.path(kind);
        assert!(!path.exists());
        let change = flex_clients::connect(kind, &sandbox.env, Sandbox::binary(), &sandbox.backups)
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(change.action, ChangeAction::Added, "{kind}");
        assert_eq!(change.backup, None, "{kind}: there was nothing to back up");
        assert!(text_is_valid(kind, &path), "{kind}");
        assert_eq!(
            flex_clients::status(kind, &sandbox.env, Sandbox::binary()),
            ClientStatus::Connected,
            "{kind}"
        );
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(written.contains(kind.servers_key()), "{kind}: {written}");
        assert!(!written.contains("env"), "{kind}: no env block: {written}");
    }
}

fn text_is_valid(kind: ClientKind, path: &Path) -> bool {
    flex_clients::text::is_valid(kind, &std::fs::read_to_string(path).unwrap())
}

#[test]
fn disconnect_without_a_file_creates_nothing() {
    let sandbox = Sandbox::new();
    let change =
        flex_clients::disconnect(ClientKind::Windsurf, &sandbox.env, &sandbox.backups).unwrap();
    assert_eq!(change.action, ChangeAction::NothingToRemove);
    assert!(
        !sandbox.env.home.join(".codeium").exists(),
        "no folder appears"
    );
    assert!(!sandbox.backups.exists());
}

#[test]
fn vscode_entry_without_type_is_outdated_and_repaired() {
    let sandbox = Sandbox::new();
    sandbox.place(
        ClientKind::VsCode,
        format!(
            "{{\"servers\": {{\"flex\": {{\"command\": \"{}\", \"args\": [\"stdio\"]}}}}}}",
            crate::BINARY
        )
        .as_bytes(),
    );
    let status = flex_clients::status(ClientKind::VsCode, &sandbox.env, Sandbox::binary());
    assert!(
        matches!(&status, ClientStatus::Outdated { reason } if reason.contains("type")),
        "{status:?}"
    );
    let change = flex_clients::repair(
        ClientKind::VsCode,
        &sandbox.env,
        Sandbox::binary(),
        &sandbox.backups,
    )
    .unwrap();
    assert_eq!(change.action, ChangeAction::Updated);
    assert_eq!(
        flex_clients::status(ClientKind::VsCode, &sandbox.env, Sandbox::binary()),
        ClientStatus::Connected
    );
}

#[test]
fn entry_for_a_deleted_program_is_outdated() {
    let sandbox = Sandbox::new();
    sandbox.place(
        ClientKind::Cursor,
        b"{\"mcpServers\": {\"flex\": {\"command\": \"/nowhere/flex-mcp\", \"args\": [\"stdio\"]}}}",
    );
    let status = flex_clients::status(ClientKind::Cursor, &sandbox.env, Sandbox::binary());
    assert!(
        matches!(&status, ClientStatus::Outdated { reason } if reason.contains("does not exist")),
        "{status:?}"
    );
}

#[test]
fn repair_leaves_clients_without_our_entry_alone() {
    let sandbox = Sandbox::new();
    let original = b"{\"mcpServers\": {\"other\": {\"command\": \"x\"}}}";
    sandbox.place(ClientKind::Cursor, original);
    let change = flex_clients::repair(
        ClientKind::Cursor,
        &sandbox.env,
        Sandbox::binary(),
        &sandbox.backups,
    )
    .unwrap();
    assert_eq!(change.action, ChangeAction::NothingToRepair);
    assert_eq!(sandbox.read(ClientKind::Cursor), original);
}

#[test]
fn backups_are_bounded_per_client() {
    let sandbox = Sandbox::new();
    sandbox.place(ClientKind::Cursor, b"{}");
    for _ in 0..(BACKUPS_KEPT + 3) {
        flex_clients::connect(
            ClientKind::Cursor,
            &sandbox.env,
            Sandbox::binary(),
            &sandbox.backups,
        )
        .unwrap();
        flex_clients::disconnect(ClientKind::Cursor, &sandbox.env, &sandbox.backups).unwrap();
    }
    assert_eq!(sandbox.backups_of(ClientKind::Cursor).len(), BACKUPS_KEPT);
    assert!(sandbox.backups_of(ClientKind::Windsurf).is_empty());
}

#[test]
fn relative_binary_is_refused() {
    let sandbox = Sandbox::new();
    let err = flex_clients::connect(
        ClientKind::Cursor,
        &sandbox.env,
        Path::new("flex-mcp"),
        &sandbox.backups,
    )
    .unwrap_err();
    assert!(matches!(err, ClientsError::BadBinaryPath { .. }), "{err}");
    assert!(!sandbox.path(ClientKind::Cursor).exists());
}

#[test]
fn binary_path_with_quotes_and_backslashes_is_escaped() {
    let sandbox = Sandbox::new();
    let odd = Path::new("/opt/we\"ird\\dir/flex-mcp");
    flex_clients::connect(ClientKind::Cursor, &sandbox.env, odd, &sandbox.backups).unwrap();
    assert_eq!(
        flex_clients::status(ClientKind::Cursor, &sandbox.env, odd),
        ClientStatus::Connected
    );
    let codex = flex_clients::connect(ClientKind::Codex, &sandbox.env, odd, &sandbox.backups);
    assert!(codex.is_ok());
    assert_eq!(
        flex_clients::status(ClientKind::Codex, &sandbox.env, odd),
        ClientStatus::Connected
    );
}

#[cfg(unix)]
#[test]
fn not_utf8_file_is_broken_and_untouched() {
    let sandbox = Sandbox::new();
    let bytes = b"{\"mcpServers\": {\"a\": \"\xff\xfe\"}}";
    sandbox.place(ClientKind::Cursor, bytes);
    let err = flex_clients::connect(
        ClientKind::Cursor,
        &sandbox.env,
        Sandbox::binary(),
        &sandbox.backups,
    )
    .unwrap_err();
    assert!(matches!(err, ClientsError::NotUtf8 { .. }), "{err}");
    assert_eq!(sandbox.read(ClientKind::Cursor), bytes);
    assert!(matches!(
        flex_clients::status(ClientKind::Cursor, &sandbox.env, Sandbox::binary()),
        ClientStatus::ConfigBroken { .. }
    ));
}
