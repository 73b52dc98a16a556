//! The window channel end to end in one process: a real host in a temporary home, the tray's
//! end (`WindowProcess::adopt`, as the tray serves a window that started it) and the window's
//! end (`Client`) on the two ends of a real socketpair (the Unix transport), JSON lines between
//! them.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use flex_api::Mode;
use flex_core::host::{HostHandle, HostOptions};
use flex_core::window_channel::tray_side::WindowProcess;
use flex_core::window_channel::window_side::{Client, FromTray};
use flex_core::window_channel::{Channel, HostCommand, events};
use flex_core::{Paths, Settings};
use tokio::sync::mpsc;

struct Harness {
    _dir: tempfile::TempDir,
    host: HostHandle,
    client: Client,
    from_tray: mpsc::UnboundedReceiver<FromTray>,
    account_changes: Arc<AtomicUsize>,
    tray_saw_the_end: mpsc::UnboundedReceiver<()>,
    windows: Arc<WindowProcess>,
}

fn channel() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::under(dir.path(), dir.path());
    Settings::default().save(&paths).unwrap();
    let host = flex_core::host::start(HostOptions {
        paths,
        lookup: Arc::new(|_: &Paths, _: Mode| Ok(None)),
        desktop_approvals: true,
        oauth_store: None,
        guardian_program: None,
        demo: None,
    })
    .unwrap();
    let account_changes = Arc::new(AtomicUsize::new(0));
    let counted = account_changes.clone();
    let windows = WindowProcess::new(
        Box::new(|| panic!("an adopted window needs no window process of its own")),
        host.clone(),
        Arc::new(move || {
            counted.fetch_add(1, Ordering::SeqCst);
        }),
        tokio::runtime::Handle::current(),
    );
    events::forward(&host, &windows);
    let (tray_end, window_end) = UnixStream::pair().unwrap();
    let (ended, tray_saw_the_end) = mpsc::unbounded_channel();
    windows
        .adopt(Channel::from_stream(tray_end).unwrap(), move || {
            let _ = ended.send(());
        })
        .unwrap();
    let (tx, from_tray) = mpsc::unbounded_channel();
    let client = Client::connect(Channel::from_stream(window_end).unwrap(), move |m| {
        let _ = tx.send(m);
    })
    .unwrap();
    Harness {
        _dir: dir,
        host,
        client,
        from_tray,
        account_changes,
        tray_saw_the_end,
        windows,
    }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<FromTray>) -> FromTray {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a message from the tray within 10 s")
        .expect("the channel is open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_commands_run_on_the_tray_host_and_its_events_reach_the_window() {
    let mut c = channel();
    assert!(
        c.windows.running(),
        "the adopted window counts as the window process"
    );

    let settings = c.client.call(HostCommand::Settings).await.unwrap();
    assert_eq!(settings["mode"], "test");

    // The person switches to live from the tray: the window hears it as the host's event and a
    // status change, without asking.
    c.host.set_mode(Mode::Live).unwrap();
    let mut names = Vec::new();
    while !names.iter().any(|n| n == events::STATUS_CHANGED) {
        if let FromTray::Event { name, payload } = next(&mut c.from_tray).await {
            if name == events::HOST_EVENT {
                assert!(events::is_mode_change(&name, &payload), "{payload}");
            }
            names.push(name);
        }
    }
    assert_eq!(names, [events::HOST_EVENT, events::STATUS_CHANGED]);
    let settings = c.client.call(HostCommand::Settings).await.unwrap();
    assert_eq!(
        settings["mode"], "live",
        "the command reads the host's new state"
    );

    // A sign-in from the window: the host decides again and the tray reacts.
    assert_eq!(
        c.client.call(HostCommand::AccountChanged).await.unwrap(),
        true
    );
    assert_eq!(c.account_changes.load(Ordering::SeqCst), 1);

    // A word the host does not know is refused with a sentence, and nothing is answered.
    let err = c
        .client
        .call(HostCommand::ApprovalAnswer {
            id: 1,
            answer: "approve everything".into(),
        })
        .await
        .unwrap_err();
    assert!(err.message().contains("still waits"), "{}", err.message());
    assert_eq!(
        c.client.call(HostCommand::ApprovalsPending).await.unwrap(),
        serde_json::json!([])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_going_away_ends_the_adopted_channel_for_the_tray() {
    let mut c = channel();
    drop(c.client);
    tokio::time::timeout(Duration::from_secs(10), c.tray_saw_the_end.recv())
        .await
        .expect("the tray hears the end within 10 s")
        .expect("the end is reported once");
    assert!(
        !c.windows.running(),
        "no window process after its channel closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tray_going_away_tells_the_window_and_fails_its_calls_in_words() {
    let (tray_end, window_end) = UnixStream::pair().unwrap();
    let (tx, mut from_tray) = mpsc::unbounded_channel();
    let client = Client::connect(Channel::from_stream(window_end).unwrap(), move |m| {
        let _ = tx.send(m);
    })
    .unwrap();
    drop(tray_end);
    assert!(matches!(next(&mut from_tray).await, FromTray::Closed));
    let err = client.call(HostCommand::Settings).await.unwrap_err();
    assert!(
        err.message().contains("tray app was closed"),
        "{}",
        err.message()
    );
}
