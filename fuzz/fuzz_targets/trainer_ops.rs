//! Fuzz target: see `tests/fuzzing/checks.rs` for what `trainer_ops` checks.
#![no_main]

#[path = "../../tests/fuzzing/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::trainer_ops(data));
