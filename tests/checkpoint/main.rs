//! Saved state: checkpoints resume training bit for bit and bad ones are refused, and an
//! optimizer's state and step count restore it exactly.
//!
//! - `checkpoint`: checkpoints in memory and, with feature `serde`, through JSON;
//!   mismatched, corrupted and mutated checkpoints are refused.
//! - `optimizer_state`: equivalences between optimizers, reset and restore.
//! - `scalers`: fitted scalers through JSON, inconsistent stored ones refused (`serde`).

#[path = "../common/mod.rs"]
mod common;

mod checkpoint;
mod optimizer_state;
mod scalers;
