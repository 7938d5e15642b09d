//! Metrics against scikit-learn (`tests/data/metrics.json`, written by
//! `tools/reference_metrics.py`), and their refusals.
//!
//! - `sklearn_metrics`: every metric on scikit-learn's numbers.
//! - `metrics_bad_input`: lengths, NaN and class indices refused with typed errors.
//! - `overflow`: R² and the explained variance of values whose squares overflow.

#[path = "../common/mod.rs"]
mod common;

mod metrics_bad_input;
mod overflow;
mod sklearn_metrics;
