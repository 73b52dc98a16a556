//! "Save as…": the desktop toolkit's own file chooser, run from Rust so the page gets no file
//! system access at all (it only receives the path the person chose). On Linux this is GTK's
//! dialog through the `gtk` crate Tauri already links (no dialog plugin, no second toolkit).
//! On macOS and Windows `tauri-plugin-dialog`'s `blocking_save_file` (NSSavePanel / IFileSaveDialog)
//! is the equivalent; it is not wired here because only Linux is built in this project.

use std::path::{Path, PathBuf};

use tauri::AppHandle;

/// Ask where to save `suggested` (starting in `folder`); `None` when the person cancels.
#[cfg(target_os = "linux")]
pub(crate) async fn choose(
    app: &AppHandle,
    title: &str,
    folder: &Path,
    suggested: &str,
) -> Option<PathBuf> {
    use tauri::Manager as _;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let window = app.get_webview_window("main");
    let (title, folder, suggested) = (
        title.to_string(),
        folder.to_path_buf(),
        suggested.to_string(),
    );
    // GTK is single-threaded: the dialog runs (modal, its own nested loop) on the main thread.
    let ran = app.run_on_main_thread(move || {
        use gtk::prelude::*;
        // GTK objects live on the main thread only: the parent is looked up here.
        let parent = window.and_then(|w| w.gtk_window().ok());
        let dialog = gtk::FileChooserDialog::with_buttons(
            Some(&title),
            parent.as_ref(),
            gtk::FileChooserAction::Save,
            &[
                ("Cancel", gtk::ResponseType::Cancel),
                ("Save", gtk::ResponseType::Accept),
            ],
        );
        dialog.set_do_overwrite_confirmation(true);
        dialog.set_modal(true);
        let _ = dialog.set_current_folder(&folder);
        dialog.set_current_name(&suggested);
        let chosen = (dialog.run() == gtk::ResponseType::Accept)
            .then(|| dialog.filename())
            .flatten();
        dialog.close();
        let _ = tx.send(chosen);
    });
    if let Err(e) = ran {
        tracing::warn!("the save dialog could not be shown: {e}");
        return None;
    }
    rx.await.ok().flatten()
}

/// Not built on other platforms (see the module comment).
#[cfg(not(target_os = "linux"))]
#[allow(clippy::unused_async)] // the same signature as the Linux one, which awaits GTK
pub(crate) async fn choose(
    _app: &AppHandle,
    _title: &str,
    _folder: &Path,
    _suggested: &str,
) -> Option<PathBuf> {
    tracing::warn!("saving a file is only built for Linux in this version");
    None
}
