//! Fuzz target: see `tests/fuzzing/checks.rs` for what `prepare_and_metrics` checks.
#![no_main]

#[path = "../../tests/fuzzing/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::prepare_and_metrics(data));
