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
//! numbers below `classes` ([`Error::InvalidClass`], naming [`Quantity::Target`] for
//! `y_true` and [`Quantity::Prediction`] for `y_pred`). A
//! `classes` whose per-class results do not fit in memory (a confusion matrix holds
//! `classes²` counts) is [`Error::TooLarge`] ([`Quantity::Classes`]).

mod classification;
mod ranking;
mod regression;

pub use classification::{
    accuracy_score, balanced_accuracy_score, confusion_matrix, precision_recall_fscore_support,
    Averages, ClassScores,
};
pub use ranking::{log_loss, roc_auc_score};
// `accuracy_of_logits` is defined below, beside the checks it does without.
pub use regression::{explained_variance_score, mean_absolute_error, mean_squared_error, r2_score};

use num_traits::Float;

use crate::cast::cast;

use crate::datasets::check_class_indices;
use crate::error::{Error, Quantity};
use crate::finite::ensure_finite;

/// The accuracy of a classifier's outputs (logits) against its targets, row-major, for
/// [`Fit::validation_metric`](crate::Fit::validation_metric): the predicted class of a
/// row is its largest output (with one output: 1 if it is above 0, else 0); the true
/// class is the target if there is one per row (class indices), else the position of
/// the row's largest target (one-hot or probability rows). NaN where the shapes do not
/// fit or there are no rows.
///
/// ```
/// use backprop::metrics::accuracy_of_logits;
///
/// let logits = [2.0, -1.0, 0.5, 3.0]; // two rows of two logits: classes 0, 1
/// assert_eq!(accuracy_of_logits(&logits, &[0.0, 0.0], 2), 0.5);
/// assert_eq!(accuracy_of_logits(&logits, &[1.0, 0.0, 0.0, 1.0], 2), 1.0);
/// ```
pub fn accuracy_of_logits<T: Float>(outputs: &[T], targets: &[T], output_len: usize) -> T {
    if output_len == 0 || outputs.is_empty() || !outputs.len().is_multiple_of(output_len) {
        return T::nan();
    }
    let rows = outputs.len() / output_len;
    let target_len = if targets.len() == rows { 1 } else { output_len };
    if targets.len() != rows * target_len {
        return T::nan();
    }
    let argmax =
        |row: &[T]| (0..row.len()).fold(0, |best, i| if row[i] > row[best] { i } else { best });
    let predicted = |out: &[T]| match out {
        [x] => usize::from(*x > T::zero()),
        _ => argmax(out),
    };
    let truth = |y: &[T]| match y {
        [y] => y.to_usize().unwrap_or(usize::MAX),
        _ => argmax(y),
    };
    let hits = outputs
        .chunks_exact(output_len)
        .zip(targets.chunks_exact(target_len))
        .filter(|(out, y)| predicted(out) == truth(y))
        .count();
    cast::<T>(hits) / cast(rows)
}

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
    classes: Option<usize>,
) -> Result<impl Iterator<Item = (usize, usize)> + 'a, Error> {
    check_pair(y_true, y_pred, y_true.len())?;
    check_class_indices(y_true, Quantity::Target, classes)?;
    check_class_indices(y_pred, Quantity::Prediction, classes)?;
    let index = |c: &T| c.to_usize().unwrap_or(0); // checked above
    Ok(y_true.iter().map(index).zip(y_pred.iter().map(index)))
}
