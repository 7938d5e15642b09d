//! Preparing data for training: shuffling, train/test splits and scaling, on row-major
//! slices (and on a [`Dataset`](crate::Dataset) through its methods), with
//! scikit-learn's definitions.
//!
//! - [`shuffle_rows`], [`permutation`], [`take_rows`]: rows in a random or given order.
//! - [`train_test_split`], [`stratified_train_test_split`]: row indices for scikit-learn's
//!   `train_test_split` sizes, the stratified one with its per-class counts.
//! - [`Standardize`] (`StandardScaler`) and [`MinMax`] (`MinMaxScaler`): fitted on the
//!   training rows, applied in place to any rows.

mod columns;
mod min_max;
mod split;
mod standardize;

pub use min_max::MinMax;
pub(crate) use split::shuffle_whole_rows;
pub use split::{
    permutation, shuffle_rows, stratified_train_test_split, take_rows, train_test_split,
};
pub use standardize::Standardize;
