//! Round trips through the real OS keychain (on Linux: the D-Bus Secret Service of a private
//! gnome-keyring). These tests must run under `scripts/with-keyring.sh`, which starts a private
//! bus and keyring and sets `FLEX_MCP_KEYRING_SANDBOX=1`; without it they fail (they never fall
//! back to, or silently skip past, the developer's own keychain).
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use flex_auth::{Error, KeyringStore, Mode, SecretStore, Sensitive, Slot};

/// Refuse to run outside the sandbox: the bus and the marker must both be there.
fn sandbox() {
    let marker = std::env::var("FLEX_MCP_KEYRING_SANDBOX").unwrap_or_default();
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    assert!(
        marker == "1" && !bus.is_empty(),
        "keychain tests must run inside a private keyring: \
         `scripts/with-keyring.sh cargo test -p flex-auth` (this protects your own keychain)"
    );
}

/// A service name no other test (or process) uses, so parallel tests cannot see each other.
fn unique_service(tag: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "com.withflex.mcp.test.{tag}.{}.{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// How many Secret Service items carry this service (and account, when given), counted with
/// `secret-tool`, which is independent of the keyring crate we are testing. Output is never
/// printed: `secret-tool search` shows the secrets.
fn items(service: &str, account: Option<&str>) -> usize {
    let mut cmd = Command::new("secret-tool");
    cmd.args(["search", "--all", "service", service]);
    if let Some(a) = account {
        cmd.args(["username", a]);
    }
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("secret-tool is needed to count items (apt-get install libsecret-tools): {e}")
    });
    // One "[/org/freedesktop/secrets/…]" header per item; secret-tool prints them on stderr.
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines().filter(|l| l.starts_with("[/")).count()
}

fn secret(s: &str) -> Sensitive<String> {
    Sensitive::new(s.to_string())
}

#[test]
fn save_load_update_in_place_and_delete() {
    sandbox();
    let service = unique_service("roundtrip");
    let store = KeyringStore::new(&service);
    let slot = Slot::api_key(Mode::Test);
    let account = slot.account();

    assert!(
        store.load(slot).unwrap().is_none(),
        "a fresh service holds nothing"
    );
    store.save(slot, &secret("fsk_test_first_value")).unwrap();
    assert_eq!(
        store.load(slot).unwrap().unwrap().expose(),
        "fsk_test_first_value"
    );
    assert_eq!(items(&service, Some(&account)), 1);

    store.save(slot, &secret("fsk_test_second_value")).unwrap();
    assert_eq!(
        store.load(slot).unwrap().unwrap().expose(),
        "fsk_test_second_value",
        "a second save replaces the secret"
    );
    assert_eq!(
        items(&service, None),
        1,
        "saving again must update the one item in place, never add a second"
    );

    assert!(
        store.delete(slot).unwrap(),
        "delete reports that it removed the item"
    );
    assert!(store.load(slot).unwrap().is_none());
    assert_eq!(items(&service, None), 0, "delete leaves no item behind");
    assert!(
        !store.delete(slot).unwrap(),
        "deleting an empty slot is not an error"
    );
}

#[test]
fn test_and_live_slots_are_separate_items() {
    sandbox();
    let service = unique_service("modes");
    let store = KeyringStore::new(&service);
    store
        .save(Slot::api_key(Mode::Test), &secret("fsk_test_t1"))
        .unwrap();
    store
        .save(Slot::api_key(Mode::Live), &secret("fsk_live_l1"))
        .unwrap();
    assert_eq!(items(&service, None), 2, "one item per (mode, kind)");
    assert_eq!(
        store
            .load(Slot::api_key(Mode::Live))
            .unwrap()
            .unwrap()
            .expose(),
        "fsk_live_l1"
    );
    assert!(store.delete(Slot::api_key(Mode::Test)).unwrap());
    assert_eq!(
        store
            .load(Slot::api_key(Mode::Live))
            .unwrap()
            .unwrap()
            .expose(),
        "fsk_live_l1",
        "removing the test key leaves the live key alone"
    );
    store.delete(Slot::api_key(Mode::Live)).unwrap();
    assert_eq!(items(&service, None), 0);
}

#[test]
fn another_service_never_sees_our_items() {
    sandbox();
    let ours = KeyringStore::new(unique_service("ours"));
    let theirs = KeyringStore::new(unique_service("theirs"));
    let slot = Slot::api_key(Mode::Test);
    ours.save(slot, &secret("fsk_test_ours")).unwrap();
    assert!(
        theirs.load(slot).unwrap().is_none(),
        "a dev build (other service) must not read a release build's items"
    );
    ours.delete(slot).unwrap();
}

#[test]
fn duplicate_items_are_reported_and_logout_removes_them_all() {
    sandbox();
    let service = unique_service("dupes");
    let store = KeyringStore::new(&service);
    let slot = Slot::api_key(Mode::Test);
    store.save(slot, &secret("fsk_test_original")).unwrap();
    // A second item that matches the same search (service, username, target) — what an old
    // tool or a hand-made entry would leave behind. The extra attribute keeps secret-tool from
    // replacing the first one.
    let mut child = Command::new("secret-tool")
        .args([
            "store",
            "--label=duplicate",
            "service",
            &service,
            "username",
            &slot.account(),
            "target",
            "default",
            "origin",
            "hand-made",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"fsk_test_duplicate")
            .unwrap();
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(items(&service, None), 2);

    let err = store.load(slot).unwrap_err();
    assert!(
        matches!(err, Error::KeychainDuplicate { count: 2, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("flex-mcp logout --mode test"),
        "the fix is named: {msg}"
    );
    assert!(!msg.contains("fsk_test_"), "never the secret: {msg}");

    assert!(store.delete(slot).unwrap());
    assert_eq!(items(&service, None), 0, "delete removes every duplicate");
    store.save(slot, &secret("fsk_test_fresh")).unwrap();
    assert_eq!(
        store.load(slot).unwrap().unwrap().expose(),
        "fsk_test_fresh"
    );
    store.delete(slot).unwrap();
}

#[test]
fn a_key_stored_in_the_wrong_slot_is_refused_on_load() {
    sandbox();
    let service = unique_service("wrongslot");
    let store = KeyringStore::new(&service);
    let slot = Slot::api_key(Mode::Test);
    // Put a live key into the test slot behind our back.
    let mut child = Command::new("secret-tool")
        .args([
            "store",
            "--label=planted",
            "service",
            &service,
            "username",
            &slot.account(),
            "target",
            "default",
            "application",
            "rust-keyring",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"fsk_planted_live_key")
            .unwrap();
    }
    assert!(child.wait().unwrap().success());
    let err = store.load(slot).unwrap_err().to_string();
    assert!(err.contains("live key in the test slot"), "{err}");
    assert!(
        !err.contains("fsk_planted_live_key"),
        "never the secret: {err}"
    );
    store.delete(slot).unwrap();
}
