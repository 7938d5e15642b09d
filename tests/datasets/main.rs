//! Real data: the compiled-in data sets (feature `datasets`) against scikit-learn's
//! loaders (`tests/data/datasets.json`, written by `tools/reference_datasets.py`).
//!
//! - `sklearn_datasets`: shapes, class counts, names and every value's exact bits.
//! - `prepare_sklearn`: split sizes, stratified counts and scalers against scikit-learn.
//! - `pytorch_digits`: two epochs of Adam on the digits, PyTorch's losses and weights.
//! - `diabetes_split`: the diabetes example's baseline was fitted on the crate's split.
//! - `lbfgs_digits`: L-BFGS reaches 95 % training accuracy on the digits in 150 iterations.
//! - `examples`: each data set's example reaches the result its doc comment gives.
#![cfg(feature = "datasets")]

#[path = "../common/mod.rs"]
mod common;

mod diabetes_split;
mod examples;
mod lbfgs_digits;
mod prepare_sklearn;
mod pytorch_digits;
mod sklearn_datasets;
