//! What the menu shows, read off the main thread: the host's state (mode, pause, approvals,
//! confirmations), the latest calls from the activity store, the assistants' lines, which sign-in
//! serves each mode and whether the app is on the demo. Every host event and stored call asks for
//! a new model at once; only the assistant lines (nine small files the host does not watch for
//! us) and the keychain's sign-in lines are re-read on a timer.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use flex_api::Mode;
use flex_core::host::HostHandle;
use flex_core::tray_menu::{self, TrayInput, TrayMenu};
use flex_core::{Paths, Settings};
use tao::event_loop::EventLoopProxy;
use tokio::sync::broadcast::error::RecvError;

use crate::UserEvent;

/// How often the assistant lines are re-read (nine small files; nothing changes when idle).
const REFRESH: Duration = Duration::from_secs(10);

/// How many records the latest-calls lines read.
const RECENT_LIMIT: u32 = 5;
const _: () = assert!(RECENT_LIMIT as usize == tray_menu::RECENT_CALLS);

/// The tray's inputs, shared by the main thread and the threads that read them.
pub(crate) struct Shown {
    pub(crate) host: HostHandle,
    paths: Paths,
    /// The `flex-mcp` client entries run (for the assistants' states).
    flex_mcp: PathBuf,
    proxy: Mutex<EventLoopProxy<UserEvent>>,
    runtime: tokio::runtime::Handle,
    assistants: Mutex<Vec<(String, String)>>,
    sign_in: Mutex<Vec<(Mode, String)>>,
    demo: AtomicBool,
}

impl Shown {
    pub(crate) fn new(
        host: HostHandle,
        paths: Paths,
        flex_mcp: PathBuf,
        proxy: EventLoopProxy<UserEvent>,
        runtime: tokio::runtime::Handle,
    ) -> Arc<Shown> {
        let shown = Arc::new(Shown {
            host,
            paths,
            flex_mcp,
            proxy: Mutex::new(proxy),
            runtime,
            assistants: Mutex::new(Vec::new()),
            sign_in: Mutex::new(Vec::new()),
            demo: AtomicBool::new(false),
        });
        shown.read_account();
        shown.read_assistants();
        shown
    }

    /// Send `event` to the main thread (dropped when the loop is gone: we are quitting).
    pub(crate) fn send(&self, event: UserEvent) {
        let proxy = self.proxy.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = proxy.send_event(event);
    }

    /// Everything the menu shows, read now (blocking: the store and the host's state).
    pub(crate) fn model(&self) -> TrayMenu {
        let settings = self.settings();
        let recent = flex_core::activity_rows::recent(&self.paths, &settings, RECENT_LIMIT)
            .map_err(|e| tracing::debug!("the tray could not read the latest calls: {e:#}"))
            .unwrap_or_default();
        tray_menu::menu(&TrayInput {
            mode: settings.mode,
            demo: self.demo.load(Ordering::Relaxed),
            paused: settings.paused,
            assistants: lock(&self.assistants).clone(),
            recent,
            approvals_waiting: self.host.pending_approvals().len(),
            confirmation_waiting: !self.host.waiting_confirmation().is_empty(),
            sign_in: lock(&self.sign_in).clone(),
        })
    }

    /// The settings the host has in force (the file's when the host cannot say).
    pub(crate) fn settings(&self) -> Settings {
        self.host
            .settings()
            .ok()
            .or_else(|| Settings::load(&self.paths).ok())
            .unwrap_or_default()
    }

    /// Read the state again and show it (from any thread; the reading happens on the runtime's
    /// blocking pool, the showing on the main thread).
    pub(crate) fn refresh(self: &Arc<Self>) {
        let me = self.clone();
        self.runtime.spawn_blocking(move || {
            let model = me.model();
            me.send(UserEvent::Show(Box::new(model)));
        });
    }

    /// The account changed (a sign-in, a sign-out, a mode switch): read whether it is the demo
    /// and which sign-in serves each mode again, then show everything.
    pub(crate) fn account_changed(self: &Arc<Self>) {
        let me = self.clone();
        self.runtime.spawn_blocking(move || {
            me.read_account();
            let model = me.model();
            me.send(UserEvent::Show(Box::new(model)));
        });
    }

    fn read_account(&self) {
        let settings = self.settings();
        let demo = flex_core::account_in_use::now(Some(&self.paths), &settings).is_demo();
        self.demo.store(demo, Ordering::Relaxed);
        *lock(&self.sign_in) = self.sign_in_lines(&settings);
    }

    /// Which sign-in serves each mode, in words; empty when the keychain cannot be read.
    fn sign_in_lines(&self, settings: &Settings) -> Vec<(Mode, String)> {
        flex_core::credentials::keychain()
            .map(|store| flex_core::sign_in_state::mode_lines_in(&store, &self.paths, settings))
            .unwrap_or_default()
    }

    /// Read the assistant lines; whether they changed.
    fn read_assistants(&self) -> bool {
        let now: Vec<(String, String)> = flex_core::assistants::list(&self.paths, &self.flex_mcp)
            .into_iter()
            .map(|a| (a.name, a.state_label))
            .collect();
        let mut lines = lock(&self.assistants);
        let changed = *lines != now;
        *lines = now;
        changed
    }

    /// Follow the host for the life of the app: every event and every stored call refreshes the
    /// menu; a mode change first reads the account again (the key for the new mode, or the demo).
    pub(crate) fn follow(self: &Arc<Self>, host: &HostHandle) {
        let mut events = host.subscribe();
        let me = self.clone();
        self.runtime.spawn(async move {
            loop {
                match events.recv().await {
                    Ok(flex_core::events::HostEvent::ModeChanged { .. }) => me.account_changed(),
                    Ok(_) | Err(RecvError::Lagged(_)) => me.refresh(),
                    Err(RecvError::Closed) => return,
                }
            }
        });
        let mut activity = host.subscribe_activity();
        let me = self.clone();
        self.runtime.spawn(async move {
            loop {
                match activity.recv().await {
                    Ok(_) | Err(RecvError::Lagged(_)) => me.refresh(),
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }

    /// Re-read the assistants and the sign-in lines every [`REFRESH`]; show what changed.
    pub(crate) fn keep_assistant_lines_current(self: &Arc<Self>) {
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("tray-assistants".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(REFRESH);
                    let settings = me.settings();
                    let signed = me.sign_in_lines(&settings);
                    let sign_in_changed = {
                        let mut lines = lock(&me.sign_in);
                        let changed = *lines != signed;
                        *lines = signed;
                        changed
                    };
                    if me.read_assistants() || sign_in_changed {
                        me.refresh();
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("the tray's assistant lines will not refresh: {e}");
        }
    }
}

/// A poisoned lock only means a panic elsewhere; the value is still whole.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
