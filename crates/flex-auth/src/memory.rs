//! An in-memory secret store for unit tests, with failure injection so callers' error paths
//! (locked keychain, duplicates) can be tested without a real keychain.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::store::{SecretStore, Slot};
use crate::{Error, Sensitive};

/// A failure to inject into the next operations of a [`MemoryStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// Behave like a locked or absent keychain.
    Unavailable,
    /// Behave like a keychain holding two items for the slot.
    Duplicate,
}

#[derive(Debug, Default)]
struct State {
    secrets: HashMap<Slot, String>,
    failure: Option<Failure>,
    saves: usize,
}

/// Secrets in a map. Same contract as the keychain: one value per slot, saves replace.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    /// An empty store that works.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Make every following operation fail with `failure` (`None` heals the store).
    pub fn fail_with(&self, failure: Option<Failure>) {
        self.lock().failure = failure;
    }

    /// How many slots hold a secret (the "one item per slot" invariant in tests).
    pub fn len(&self) -> usize {
        self.lock().secrets.len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many successful saves happened (to assert that a failed check stored nothing).
    pub fn saves(&self) -> usize {
        self.lock().saves
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock can only come from a test; the map is still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn check(state: &State, slot: Slot) -> Result<(), Error> {
        match state.failure {
            None => Ok(()),
            Some(Failure::Unavailable) => Err(Error::KeychainUnavailable {
                detail: "injected failure: keychain locked".to_string(),
            }),
            Some(Failure::Duplicate) => Err(Error::KeychainDuplicate {
                slot: slot.to_string(),
                mode: slot.mode.as_str().to_string(),
                count: 2,
            }),
        }
    }
}

impl SecretStore for MemoryStore {
    fn load(&self, slot: Slot) -> Result<Option<Sensitive<String>>, Error> {
        let state = self.lock();
        Self::check(&state, slot)?;
        Ok(state.secrets.get(&slot).cloned().map(Sensitive::new))
    }

    fn save(&self, slot: Slot, secret: &Sensitive<String>) -> Result<(), Error> {
        let mut state = self.lock();
        Self::check(&state, slot)?;
        state.secrets.insert(slot, secret.expose().clone());
        state.saves += 1;
        Ok(())
    }

    fn delete(&self, slot: Slot) -> Result<bool, Error> {
        let mut state = self.lock();
        Self::check(&state, slot)?;
        Ok(state.secrets.remove(&slot).is_some())
    }

    fn describe(&self) -> String {
        "in-memory store (tests only)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flex_api::Mode;

    #[test]
    fn save_replaces_in_place_and_delete_reports_what_happened() {
        let store = MemoryStore::new();
        let slot = Slot::api_key(Mode::Test);
        store
            .save(slot, &Sensitive::new("fsk_test_a".into()))
            .unwrap();
        store
            .save(slot, &Sensitive::new("fsk_test_b".into()))
            .unwrap();
        assert_eq!(store.len(), 1, "a second save must not add a second item");
        assert_eq!(store.load(slot).unwrap().unwrap().expose(), "fsk_test_b");
        assert!(store.delete(slot).unwrap());
        assert!(!store.delete(slot).unwrap(), "second delete finds nothing");
        assert!(store.load(slot).unwrap().is_none());
    }

    #[test]
    fn injected_failures_surface_as_keychain_errors() {
        let store = MemoryStore::new();
        store.fail_with(Some(Failure::Unavailable));
        let err = store.load(Slot::api_key(Mode::Live)).unwrap_err();
        assert_eq!(err.code(), "keychain_unavailable");
        assert!(
            err.to_string()
                .starts_with("The system keychain is locked or not running.")
        );
        store.fail_with(None);
        assert!(store.load(Slot::api_key(Mode::Live)).unwrap().is_none());
    }
}
