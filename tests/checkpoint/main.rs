//! Saved state: checkpoints resume training bit for bit and bad ones are refused, and an
//! optimizer's state and step count restore it exactly.
//!
//! - `checkpoint`: checkpoints in memory and, with feature `serde`, through JSON;
//!   mismatched, corrupted and mutated checkpoints are refused.
//! - `optimizer_state`: equivalences between optimizers, reset and restore.
//! - `scalers`: fitted scalers through JSON, inconsistent stored ones refused (`serde`).
//! - `files` *(serde)*: `Trainer::save`/`load` round trip; truncated, corrupted and
//!   foreign files are refused by name.
//! - `crash_safety` *(serde)*: a child process saving in a loop, killed 200 times: the
//!   path always loads a whole checkpoint the child wrote.
//! - `restore_checks`: another optimizer configuration or schedule, or an optimizer
//!   state no run can produce, is refused by name.

#[path = "../common/mod.rs"]
mod common;

mod checkpoint;
#[cfg(feature = "serde")]
mod crash_safety;
#[cfg(feature = "serde")]
mod files;
mod optimizer_state;
mod restore_checks;
mod scalers;
