//! The fuzz targets' checks on stable: the committed corpus replayed, and the fault
//! injection of crash-safe checkpoint files.
//!
//! - `checks`: what each fuzz target checks (shared with `fuzz/fuzz_targets/`).
//! - `corpus`: every file of `fuzz/corpus/<target>/` through its target's check.
#![cfg(all(feature = "serde", feature = "safetensors"))]

mod checks;
mod corpus;
