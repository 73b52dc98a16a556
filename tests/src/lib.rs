//! End-to-end suite helpers: locate built binaries, start flex-sim, isolated environments. Depends only on test-side crates.
