//! Scores of predicted classes.

use alloc::vec::Vec;
use num_traits::Float;

use super::class_pairs;
use crate::cast::cast;
use crate::error::{Error, Quantity};
use crate::fallible;

/// The fraction of rows whose predicted class is the true one.
///
/// # Errors
///
/// See the [module](super) docs.
///
/// ```
/// use backprop::metrics::accuracy_score;
///
/// assert_eq!(accuracy_score(&[0.0, 1.0, 2.0, 2.0], &[0.0, 2.0, 2.0, 2.0])?, 0.75);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn accuracy_score<T: Float>(y_true: &[T], y_pred: &[T]) -> Result<T, Error> {
    let hits = class_pairs(y_true, y_pred, None)?
        .filter(|(t, p)| t == p)
        .count();
    Ok(cast::<T>(hits) / cast(y_true.len()))
}

/// The confusion matrix, row-major `classes × classes`: entry `[i][j]` counts the rows
/// of true class `i` predicted as `j`.
///
/// # Errors
///
/// See the [module](super) docs.
pub fn confusion_matrix<T: Float>(
    y_true: &[T],
    y_pred: &[T],
    classes: usize,
) -> Result<Vec<usize>, Error> {
    let pairs = class_pairs(y_true, y_pred, Some(classes))?;
    let cells = fallible::product(classes, classes, Quantity::Classes)?;
    let mut matrix = fallible::filled(cells, 0, Quantity::Classes)?;
    for (t, p) in pairs {
        matrix[t * classes + p] += 1;
    }
    Ok(matrix)
}

/// The mean of the recalls of the classes that occur in `y_true`.
///
/// # Errors
///
/// See the [module](super) docs.
pub fn balanced_accuracy_score<T: Float>(
    y_true: &[T],
    y_pred: &[T],
    classes: usize,
) -> Result<T, Error> {
    let matrix = confusion_matrix(y_true, y_pred, classes)?;
    let (mut sum, mut present) = (T::zero(), 0usize);
    for (c, row) in matrix.chunks_exact(classes).enumerate() {
        let support: usize = row.iter().sum();
        if support > 0 {
            sum = sum + cast::<T>(row[c]) / cast(support);
            present += 1;
        }
    }
    Ok(sum / cast(present))
}

/// Precision, recall, F1 and support per class, from
/// [`precision_recall_fscore_support`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClassScores<T> {
    precision: Vec<T>,
    recall: Vec<T>,
    f1: Vec<T>,
    support: Vec<usize>,
}

/// Precision, recall and F1 averaged over the classes.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Averages<T> {
    /// The averaged precision.
    pub precision: T,
    /// The averaged recall.
    pub recall: T,
    /// The averaged F1 score.
    pub f1: T,
}

impl<T: Float> ClassScores<T> {
    /// `tp / (tp + fp)` per class, 0 for a class never predicted.
    pub fn precision(&self) -> &[T] {
        &self.precision
    }

    /// `tp / (tp + fn)` per class, 0 for a class that never occurs.
    pub fn recall(&self) -> &[T] {
        &self.recall
    }

    /// `2 tp / (2 tp + fp + fn)` per class, 0 where that is `0 / 0`.
    pub fn f1(&self) -> &[T] {
        &self.f1
    }

    /// The number of rows of each true class.
    pub fn support(&self) -> &[usize] {
        &self.support
    }

    /// The unweighted mean over the classes (`average='macro'`).
    pub fn macro_average(&self) -> Averages<T> {
        let mean = |v: &[T]| v.iter().fold(T::zero(), |s, &x| s + x) / cast(v.len());
        Averages {
            precision: mean(&self.precision),
            recall: mean(&self.recall),
            f1: mean(&self.f1),
        }
    }

    /// The mean weighted by support (`average='weighted'`).
    pub fn weighted_average(&self) -> Averages<T> {
        let total: T = cast(self.support.iter().sum::<usize>());
        let mean = |v: &[T]| {
            let sum = v
                .iter()
                .zip(&self.support)
                .fold(T::zero(), |s, (&x, &n)| s + x * cast(n));
            sum / total
        };
        Averages {
            precision: mean(&self.precision),
            recall: mean(&self.recall),
            f1: mean(&self.f1),
        }
    }
}

/// Precision, recall, F1 and support of each class (scikit-learn's
/// `precision_recall_fscore_support(y_true, y_pred, labels=range(classes),
/// zero_division=0)`), with macro and weighted averages.
///
/// # Errors
///
/// See the [module](super) docs.
///
/// ```
/// use backprop::metrics::precision_recall_fscore_support;
///
/// let scores = precision_recall_fscore_support(&[0.0, 0.0, 1.0, 1.0], &[0.0, 1.0, 1.0, 1.0], 2)?;
/// assert_eq!(scores.precision(), [1.0, 2.0 / 3.0]);
/// assert_eq!(scores.recall(), [0.5, 1.0]);
/// assert_eq!(scores.support(), [2, 2]);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn precision_recall_fscore_support<T: Float>(
    y_true: &[T],
    y_pred: &[T],
    classes: usize,
) -> Result<ClassScores<T>, Error> {
    let matrix = confusion_matrix(y_true, y_pred, classes)?;
    let ratio = |a: usize, b: usize| {
        if b == 0 {
            T::zero()
        } else {
            cast::<T>(a) / cast(b)
        }
    };
    let what = Quantity::Classes;
    let mut scores = ClassScores {
        precision: fallible::with_capacity(classes, what)?,
        recall: fallible::with_capacity(classes, what)?,
        f1: fallible::with_capacity(classes, what)?,
        support: fallible::with_capacity(classes, what)?,
    };
    for c in 0..classes {
        let tp = matrix[c * classes + c];
        let support: usize = matrix[c * classes..(c + 1) * classes].iter().sum();
        let predicted: usize = (0..classes).map(|r| matrix[r * classes + c]).sum();
        scores.precision.push(ratio(tp, predicted));
        scores.recall.push(ratio(tp, support));
        scores.f1.push(ratio(2 * tp, support + predicted));
        scores.support.push(support);
    }
    Ok(scores)
}
