//! Real data: the compiled-in data sets (feature `datasets`) against scikit-learn's
//! loaders (`tests/data/datasets.json`, written by `tools/reference_datasets.py`).
//!
//! - `sklearn_datasets`: shapes, class counts, names and every value's exact bits.
#![cfg(feature = "datasets")]

mod sklearn_datasets;
