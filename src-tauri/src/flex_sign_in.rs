//! The window's "Sign in with Flex" commands (first launch and the Account page), each a few lines
//! calling flex-core's `browser_sign_in` and `sign_in_state`. After a sign-in or sign-out the
//! host is told at once (`HostHandle::sign_in_changed`: it owns the tokens and refreshes them),
//! the window's account is resolved again and the window reloads on `flex://status-changed`.

use std::sync::Arc;

use flex_core::browser_sign_in::Browser;
use flex_core::browser_sign_in::{self, BrowserSignIn, FlexSignedIn, FlexSignedOut, SignInLink};
use flex_core::key_rule::SignInChoice;
use flex_core::sign_in_state::{self, SignInState};
use tauri::{AppHandle, Emitter as _, State};

use crate::account::AppState;
use crate::error::CommandError;
use crate::host_link::{HostCommand, HostLink};

/// Start signing in: the browser opens at Flex's sign-in page (`open_browser: false`: only the
/// link, for "Copy the link"); resolves at once with the link while the sign-in waits.
#[tauri::command]
pub(crate) async fn flex_sign_in_start(
    state: State<'_, AppState>,
    flow: State<'_, BrowserSignIn>,
    open_browser: bool,
) -> Result<SignInLink, CommandError> {
    let c = state.current();
    let browser = if open_browser {
        Browser::Open
    } else {
        Browser::LinkOnly
    };
    Ok(flow
        .start(
            Arc::new(flex_core::credentials::keychain()?),
            c.paths()?.clone(),
            &c.settings,
            browser,
        )
        .await?)
}

/// Wait for the browser to come back; then signed in, and the host serves with it at once.
#[tauri::command]
pub(crate) async fn flex_sign_in_finish(
    app: AppHandle,
    state: State<'_, AppState>,
    flow: State<'_, BrowserSignIn>,
) -> Result<FlexSignedIn, CommandError> {
    let c = state.current();
    let done = flow
        .finish(
            &flex_core::credentials::keychain()?,
            c.paths()?,
            &c.settings,
        )
        .await?;
    sign_in_changed(&app).await;
    Ok(done)
}

/// The Cancel button: the waiting `flex_sign_in_finish` then fails with code `cancelled`.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn flex_sign_in_cancel(flow: State<'_, BrowserSignIn>) -> bool {
    flow.cancel()
}

/// Per mode what serves it (API key by its last 4, Flex sign-in, nothing), the Flex sign-in's
/// details and the choice when both exist.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn sign_in_state(state: State<'_, AppState>) -> Result<SignInState, CommandError> {
    let c = state.current();
    let store = flex_core::credentials::keychain()?;
    Ok(sign_in_state::read_in(&store, c.paths()?, &c.settings))
}

/// Sign out of Flex: revoke at Flex, then delete (the function `flex-mcp logout` runs).
#[tauri::command]
pub(crate) async fn flex_sign_out(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<FlexSignedOut, CommandError> {
    let paths = state.current().paths()?.clone();
    let out = browser_sign_in::sign_out(&flex_core::credentials::keychain()?, &paths).await?;
    sign_in_changed(&app).await;
    Ok(out)
}

/// When both an API key and the Flex sign-in exist for `mode`: which one serves it (saved in
/// settings through the host, which uses it from the next call); answers the new state.
#[tauri::command]
pub(crate) async fn sign_in_choose(
    app: AppHandle,
    state: State<'_, AppState>,
    link: State<'_, HostLink>,
    mode: flex_api::Mode,
    choice: SignInChoice,
) -> Result<SignInState, CommandError> {
    link.call(HostCommand::SetSignIn { mode, choice }).await?;
    sign_in_changed(&app).await;
    let c = state.current();
    let store = flex_core::credentials::keychain()?;
    Ok(sign_in_state::read_in(&store, c.paths()?, &c.settings))
}

/// The host decides again which sign-in serves each mode and restarts its refresher; the window's
/// account, the tray's title and icon follow.
async fn sign_in_changed(app: &AppHandle) {
    crate::account::reconnect(app).await;
    crate::host_link::account_changed(app).await;
    let _ = app.emit(flex_core::window_channel::events::STATUS_CHANGED, ());
}
