//! Composition: paths, settings, mode, activity store, one function per user action. Must not depend on Tauri.
