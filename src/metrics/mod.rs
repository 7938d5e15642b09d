//! Scores of predictions, named and defined as scikit-learn's `sklearn.metrics`.
//!
//! Class indices (`y_true`, `y_pred`) are whole numbers of `T`, as a
//! [`Dataset`](crate::Dataset)'s targets; functions that need the number of classes take
//! it as `classes` (scikit-learn's `labels=range(classes)`). Where scikit-learn would
//! divide by zero (a class never predicted, say) the score is 0 (`zero_division=0`).
//!
//! | here | scikit-learn |
//! | --- | --- |
//! | [`accuracy_score`] | `accuracy_score` |
//! | [`balanced_accuracy_score`] | `balanced_accuracy_score` |
//! | [`confusion_matrix`] | `confusion_matrix` (row-major, true class by row) |
//! | [`precision_recall_fscore_support`] | `precision_recall_fscore_support`, per class, macro and weighted |
//! | [`roc_auc_score`] | `roc_auc_score` (binary) |
//! | [`log_loss`] | `log_loss` |
//! | [`mean_squared_error`], [`mean_absolute_error`] | the same |
//! | [`r2_score`], [`explained_variance_score`] | the same (`force_finite=True`) |
//!
//! # Errors
//!
//! Every function refuses, with nothing computed: slices of different lengths
//! ([`Error::LengthMismatch`], [`Quantity::Prediction`]), no rows ([`Error::EmptyBatch`]),
//! NaN or infinite values ([`Error::NonFinite`]), and class indices that are not whole
//! numbers below `classes` ([`Error::InvalidTarget`], for `y_true` or `y_pred`).

mod classification;
mod ranking;
mod regression;

pub use classification::{
    accuracy_score, balanced_accuracy_score, confusion_matrix, precision_recall_fscore_support,
    Averages, ClassScores,
};
pub use ranking::{log_loss, roc_auc_score};
pub use regression::{explained_variance_score, mean_absolute_error, mean_squared_error, r2_score};

use num_traits::Float;

use crate::datasets::check_class_indices;
use crate::error::{Error, Quantity};
use crate::finite::ensure_finite;

/// Refuses a pair of slices that differ in length, are empty or hold non-finite values.
fn check_pair<T: Float>(y_true: &[T], y_pred: &[T], pred_len: usize) -> Result<(), Error> {
    if y_pred.len() != pred_len {
        return Err(Error::LengthMismatch {
            what: Quantity::Prediction,
            expected: pred_len,
            actual: y_pred.len(),
        });
    }
    if y_true.is_empty() {
        return Err(Error::EmptyBatch);
    }
    ensure_finite(y_true, Quantity::Target)?;
    ensure_finite(y_pred, Quantity::Prediction)
}

/// [`check_pair`] for class indices below `classes`, returned as `usize`.
fn class_pairs<'a, T: Float>(
    y_true: &'a [T],
    y_pred: &'a [T],
    classes: usize,
) -> Result<impl Iterator<Item = (usize, usize)> + 'a, Error> {
    check_pair(y_true, y_pred, y_true.len())?;
    check_class_indices(y_true, classes)?;
    check_class_indices(y_pred, classes)?;
    let index = |c: &T| c.to_usize().unwrap_or(0); // checked above
    Ok(y_true.iter().map(index).zip(y_pred.iter().map(index)))
}
