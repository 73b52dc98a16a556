//! Deterministic demo data (filled in below).

use crate::state::Stores;

/// Seed both stores with the demo data.
pub fn demo(_stores: &mut Stores) {}
