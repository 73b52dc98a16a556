//! The fixture corpus: realistic configs of every client, connected and disconnected through the
//! public API on real files.
//!
//! Byte-level promises checked here:
//! - connect output equals a reviewed golden file (`tests/fixtures/expected/…`; regenerate with
//!   `UPDATE_FIXTURES=1 cargo test -p flex-clients` and review the diff);
//! - disconnect after connect gives back the original bytes, so nothing outside our entry moved;
//! - the backup holds the original bytes;
//! - a file we cannot parse is left byte-for-byte as it was, with no backup and no temp file.

use std::path::PathBuf;

use flex_clients::{ChangeAction, ClientKind, ClientStatus, ClientsError, text};

use crate::{Sandbox, stray_files};

fn fixture(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// Compare with the golden output, or write it when `UPDATE_FIXTURES` is set.
fn assert_golden(rel: &str, actual: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/expected")
        .join(rel);
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "golden {} missing ({e}); run with UPDATE_FIXTURES=1 and review",
            path.display()
        )
    });
    assert_eq!(
        String::from_utf8_lossy(actual),
        String::from_utf8_lossy(&expected),
        "connect output differs from {}",
        path.display()
    );
    assert_eq!(
        actual,
        expected.as_slice(),
        "byte-level difference (line endings or BOM?)"
    );
}

/// Connect, compare with the golden file, check the backup and the entry, then disconnect and
/// compare with the original (`expected_after_disconnect` when the format forbids keeping a byte,
/// e.g. a BOM in Claude Desktop's strict JSON).
fn round_trip(kind: ClientKind, rel: &str, expected_after_disconnect: Option<&[u8]>) {
    let original = fixture(rel);
    let sandbox = Sandbox::new();
    let path = sandbox.place(kind, &original);

    let change = flex_clients::connect(kind, &sandbox.env, Sandbox::binary(), &sandbox.backups)
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(change.action, ChangeAction::Added, "{rel}");
    assert_eq!(change.path, path);
    let connected = sandbox.read(kind);
    assert_golden(rel, &connected);

    let backup = change
        .backup
        .expect("a backup is written before every change");
    assert_eq!(
        std::fs::read(&backup).unwrap(),
        original,
        "{rel}: backup holds the old bytes"
    );
    assert!(backup.starts_with(sandbox.backups.join(kind.cli_name())));

    assert_eq!(
        flex_clients::status(kind, &sandbox.env, Sandbox::binary()),
        ClientStatus::Connected,
        "{rel}"
    );
    let connected_text = String::from_utf8(connected.clone()).unwrap();
    assert!(
        !connected_text.contains("fsk_"),
        "no key ever lands in a config"
    );

    // Connecting again changes nothing and writes no backup.
    let again =
        flex_clients::connect(kind, &sandbox.env, Sandbox::binary(), &sandbox.backups).unwrap();
    assert_eq!(again.action, ChangeAction::AlreadyConnected, "{rel}");
    assert_eq!(again.backup, None);
    assert_eq!(sandbox.read(kind), connected);
    assert_eq!(sandbox.backups_of(kind).len(), 1);

    let removed = flex_clients::disconnect(kind, &sandbox.env, &sandbox.backups).unwrap();
    assert_eq!(removed.action, ChangeAction::Removed, "{rel}");
    assert_eq!(
        String::from_utf8_lossy(&sandbox.read(kind)),
        String::from_utf8_lossy(expected_after_disconnect.unwrap_or(&original)),
        "{rel}: disconnect undoes connect byte for byte"
    );
    assert_eq!(
        sandbox.read(kind),
        expected_after_disconnect.unwrap_or(&original),
        "{rel}: bytes (BOM/CRLF)"
    );
    assert_eq!(
        flex_clients::status(kind, &sandbox.env, Sandbox::binary()),
        ClientStatus::NotConnected,
        "{rel}"
    );
    let dir = path.parent().unwrap();
    if !matches!(kind, ClientKind::ClaudeCode) {
        assert_eq!(
            stray_files(dir, &path),
            Vec::<String>::new(),
            "no temp files left behind"
        );
    }
}

#[test]
fn claude_desktop_typical_config_round_trips() {
    round_trip(
        ClientKind::ClaudeDesktop,
        "claude-desktop/typical.json",
        None,
    );
}

#[test]
fn claude_desktop_without_server_map_gets_one() {
    let original = fixture("claude-desktop/no-servers.json");
    let sandbox = Sandbox::new();
    sandbox.place(ClientKind::ClaudeDesktop, &original);
    flex_clients::connect(
        ClientKind::ClaudeDesktop,
        &sandbox.env,
        Sandbox::binary(),
        &sandbox.backups,
    )
    .unwrap();
    assert_golden(
        "claude-desktop/no-servers.json",
        &sandbox.read(ClientKind::ClaudeDesktop),
    );
    flex_clients::disconnect(ClientKind::ClaudeDesktop, &sandbox.env, &sandbox.backups).unwrap();
    // Disconnect removes our entry and nothing else: the (now empty) map we added stays.
    assert_eq!(
        String::from_utf8(sandbox.read(ClientKind::ClaudeDesktop)).unwrap(),
        "{\n  \"preferences\": {\n    \"menuBarEnabled\": false\n  },\n  \"mcpServers\": {}\n}\n"
    );
}

#[test]
fn claude_desktop_crlf_file_stays_crlf() {
    round_trip(
        ClientKind::ClaudeDesktop,
        "claude-desktop/crlf-windows.json",
        None,
    );
    let sandbox = Sandbox::new();
    sandbox.place(
        ClientKind::ClaudeDesktop,
        &fixture("claude-desktop/crlf-windows.json"),
    );
    flex_clients::connect(
        ClientKind::ClaudeDesktop,
        &sandbox.env,
        Sandbox::binary(),
        &sandbox.backups,
    )
    .unwrap();
    let text = String::from_utf8(sandbox.read(ClientKind::ClaudeDesktop)).unwrap();
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "a lone LF crept in: {text:?}"
    );
}

#[test]
fn claude_desktop_compact_file_stays_compact() {
    round_trip(
        ClientKind::ClaudeDesktop,
        "claude-desktop/compact.json",
        None,
    );
}

#[test]
fn claude_desktop_bom_is_removed_and_said() {
    let original = fixture("claude-desktop/bom.json");
    assert!(original.starts_with(&[0xef, 0xbb, 0xbf]));
    let without_bom = original[3..].to_vec();
    round_trip(
        ClientKind::ClaudeDesktop,
        "claude-desktop/bom.json",
        Some(&without_bom),
    );

    let sandbox = Sandbox::new();
    sandbox.place(ClientKind::ClaudeDesktop, &original);
    let change = flex_clients::connect(
        ClientKind::ClaudeDesktop,
        &sandbox.env,
        Sandbox::binary(),
        &sandbox.backups,
    )
    .unwrap();
    assert!(
        change.notes.iter().any(|n| n.contains("byte-order mark")),
        "the BOM removal is explained: {:?}",
        change.notes
    );
    assert_eq!(
        std::fs::read(change.backup.unwrap()).unwrap(),
        original,
        "the original, BOM included, is in the backup"
    );
}

#[test]
fn claude_desktop_outdated_entry_is_repaired_in_place() {
    let original = fixture("claude-desktop/outdated-flex.json");
    let sandbox = Sandbox::new();
    sandbox.place(ClientKind::ClaudeDesktop, &original);
    let ClientStatus::Outdated { reason } =
        flex_clients::status(ClientKind::ClaudeDesktop, &sandbox.env, Sandbox::binary())
    else {
        panic!("an entry for another program is outdated")
    };
    assert!(reason.contains("Old Flex.app"), "{reason}");

    let change = flex_clients::repair(
        ClientKind::ClaudeDesktop,
        &sandbox.env,
        Sandbox::binary(),
        &sandbox.backups,
    )
    .unwrap();
    assert_eq!(change.action, ChangeAction::Updated);
    let repaired = sandbox.read(ClientKind::ClaudeDesktop);
    assert_golden("claude-desktop/outdated-flex.json", &repaired);
    let text = String::from_utf8(repaired).unwrap();
    assert!(
        !text.contains("fsk_"),
        "the old entry's key is gone with it: {text}"
    );
    assert_eq!(
        flex_clients::status(ClientKind::ClaudeDesktop, &sandbox.env, Sandbox::binary()),
        ClientStatus::Connected
    );
    // Repairing a correct entry is a no-op.
    let again = flex_clients::repair(
        ClientKind::ClaudeDesktop,
        &sandbox.env,
        Sandbox::binary(),
        &sandbox.backups,
    )
    .unwrap();
    assert_eq!(again.action, ChangeAction::NothingToRepair);
}

#[test]
fn claude_desktop_refuses_a_commented_file_and_leaves_it() {
    refuses(
        ClientKind::ClaudeDesktop,
        "claude-desktop/with-comment.json",
        (3, 5),
        "strict JSON",
    );
}

#[test]
fn cursor_jsonc_comments_and_trailing_commas_round_trip() {
    round_trip(ClientKind::Cursor, "cursor/jsonc-comments.json", None);
}

#[test]
fn cursor_bom_is_kept() {
    round_trip(ClientKind::Cursor, "cursor/bom.json", None);
}

#[test]
fn cursor_missing_comma_is_refused_with_position() {
    refuses(
        ClientKind::Cursor,
        "cursor/invalid-missing-comma.json",
        (3, 28),
        "Fix the file",
    );
}

#[test]
fn cursor_truncated_file_is_refused() {
    let sandbox = Sandbox::new();
    sandbox.place(ClientKind::Cursor, &fixture("cursor/truncated.json"));
    let err = flex_clients::connect(
        ClientKind::Cursor,
        &sandbox.env,
        Sandbox::binary(),
        &sandbox.backups,
    )
    .unwrap_err();
    assert!(matches!(err, ClientsError::Unparsable { .. }), "{err}");
    assert_eq!(
        sandbox.read(ClientKind::Cursor),
        fixture("cursor/truncated.json")
    );
}

#[test]
fn cursor_empty_file_becomes_a_minimal_config() {
    let sandbox = Sandbox::new();
    sandbox.place(ClientKind::Cursor, &fixture("cursor/empty.json"));
    let change = flex_clients::connect(
        ClientKind::Cursor,
        &sandbox.env,
        Sandbox::binary(),
        &sandbox.backups,
    )
    .unwrap();
    assert_eq!(change.action, ChangeAction::Added);
    assert_golden("cursor/empty.json", &sandbox.read(ClientKind::Cursor));
    assert_eq!(
        std::fs::read(change.backup.unwrap()).unwrap(),
        b"",
        "even an empty file is backed up"
    );
}

#[test]
fn windsurf_round_trips() {
    round_trip(ClientKind::Windsurf, "windsurf/typical.json", None);
}

#[test]
fn vscode_tabs_comments_inputs_round_trip_with_stdio_type() {
    round_trip(ClientKind::VsCode, "vscode/mcp.json", None);
    let sandbox = Sandbox::new();
    sandbox.place(ClientKind::VsCode, &fixture("vscode/mcp.json"));
    flex_clients::connect(
        ClientKind::VsCode,
        &sandbox.env,
        Sandbox::binary(),
        &sandbox.backups,
    )
    .unwrap();
    let entry = text::entry(
        ClientKind::VsCode,
        &String::from_utf8(sandbox.read(ClientKind::VsCode)).unwrap(),
        &sandbox.path(ClientKind::VsCode),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        entry.transport_type.as_deref(),
        Some("stdio"),
        "VS Code requires type"
    );
}

#[test]
fn zed_settings_with_header_comments_round_trip() {
    // Zed's file had no `context_servers`: disconnect leaves the (empty) map we added, and
    // nothing else differs.
    let original = String::from_utf8(fixture("zed/settings.json")).unwrap();
    let after = original.replace(
        "  /* \"vim_mode\"",
        "  \"context_servers\": {},\n  /* \"vim_mode\"",
    );
    assert_ne!(after, original);
    round_trip(ClientKind::Zed, "zed/settings.json", Some(after.as_bytes()));
}

#[test]
fn gemini_round_trips() {
    round_trip(ClientKind::Gemini, "gemini/settings.json", None);
}

#[test]
fn claude_code_touches_only_the_user_scope_map() {
    round_trip(ClientKind::ClaudeCode, "claude-code/claude.json", None);
}

#[test]
fn lmstudio_round_trips() {
    round_trip(ClientKind::LmStudio, "lmstudio/mcp.json", None);
}

#[test]
fn codex_toml_with_comments_round_trips() {
    round_trip(ClientKind::Codex, "codex/config.toml", None);
}

#[test]
fn codex_crlf_toml_round_trips() {
    round_trip(ClientKind::Codex, "codex/crlf.toml", None);
}

#[test]
fn codex_invalid_toml_is_refused_with_position() {
    refuses(
        ClientKind::Codex,
        "codex/invalid.toml",
        (2, 18),
        "Fix the file",
    );
}

/// Connect and disconnect both fail with the position and fix; the file, backups and directory
/// are exactly as before.
fn refuses(kind: ClientKind, rel: &str, (line, column): (usize, usize), fix_contains: &str) {
    let original = fixture(rel);
    let sandbox = Sandbox::new();
    let path = sandbox.place(kind, &original);
    let err =
        flex_clients::connect(kind, &sandbox.env, Sandbox::binary(), &sandbox.backups).unwrap_err();
    let message = err.to_string();
    match &err {
        ClientsError::Unparsable {
            line: l, column: c, ..
        } => assert_eq!((*l, *c), (line, column), "{message}"),
        other => panic!("expected Unparsable, got {other:?}"),
    }
    assert!(
        message.contains(&path.display().to_string()),
        "names the file: {message}"
    );
    assert!(
        message.contains(&format!("line {line}, column {column}")),
        "{message}"
    );
    assert!(message.contains(fix_contains), "says the fix: {message}");
    assert!(err.is_broken_config());

    assert!(flex_clients::disconnect(kind, &sandbox.env, &sandbox.backups).is_err());
    assert!(flex_clients::repair(kind, &sandbox.env, Sandbox::binary(), &sandbox.backups).is_err());
    assert_eq!(
        sandbox.read(kind),
        original,
        "a file we cannot parse is never written"
    );
    assert!(
        sandbox.backups_of(kind).is_empty(),
        "nothing was changed, so nothing was backed up"
    );
    assert_eq!(
        stray_files(path.parent().unwrap(), &path),
        Vec::<String>::new()
    );
    let status = flex_clients::status(kind, &sandbox.env, Sandbox::binary());
    assert!(
        matches!(&status, ClientStatus::ConfigBroken { reason } if reason.contains(&format!("line {line}"))),
        "{status:?}"
    );
}
