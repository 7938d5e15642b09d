//! Scores of predicted probabilities.

use alloc::vec::Vec;
use num_traits::Float;

use super::check_pair;
use crate::cast::cast;
use crate::datasets::check_class_indices;
use crate::error::{Error, Quantity};
use crate::fallible;

/// The area under the ROC curve of a binary classifier's scores: the probability that a
/// random positive row scores above a random negative one, ties counting one half
/// (scikit-learn's `roc_auc_score` for binary `y_true`).
///
/// # Math
///
/// With `rᵢ` the rank of row `i`'s score (1 for the lowest; tied scores share their
/// mean rank) and `P`, `N` the positive and negative rows:
///
/// ```text
/// AUC = (Σ_{i positive} rᵢ − P (P + 1) / 2) / (P N)
/// ```
///
/// # Errors
///
/// As in the [module](super) docs (`y_true` holds classes 0 and 1), and
/// [`Error::TooFewRows`] if one of the two classes has no row (the area is undefined).
///
/// ```
/// use backprop::metrics::roc_auc_score;
///
/// assert_eq!(roc_auc_score(&[0.0, 0.0, 1.0, 1.0], &[0.1, 0.4, 0.35, 0.8])?, 0.75);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn roc_auc_score<T: Float>(y_true: &[T], y_score: &[T]) -> Result<T, Error> {
    check_pair(y_true, y_score, y_true.len())?;
    check_class_indices(y_true, Quantity::Target, Some(2))?;
    let positives = y_true.iter().filter(|&&y| y == T::one()).count();
    let negatives = y_true.len() - positives;
    for (class, rows) in [(0, negatives), (1, positives)] {
        if rows == 0 {
            return Err(Error::TooFewRows {
                class,
                rows,
                needed: 1,
            });
        }
    }
    let mut order: Vec<usize> = fallible::with_capacity(y_score.len(), Quantity::Prediction)?;
    order.extend(0..y_score.len());
    // finite (checked), so the partial order is total
    order.sort_by(|&a, &b| {
        y_score[a]
            .partial_cmp(&y_score[b])
            .unwrap_or(core::cmp::Ordering::Equal)
    });
    let (mut rank_sum, mut start) = (T::zero(), 0);
    while start < order.len() {
        let score = y_score[order[start]];
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&i| y_score[i] == score)
                .count();
        let mean_rank: T = cast::<T>(start + 1 + end) / cast(2); // ranks start+1 ..= end
        let tied_positives = order[start..end]
            .iter()
            .filter(|&&i| y_true[i] == T::one())
            .count();
        rank_sum = rank_sum + mean_rank * cast(tied_positives);
        start = end;
    }
    let (p, n): (T, T) = (cast(positives), cast(negatives));
    Ok((rank_sum - p * (p + T::one()) / cast(2)) / (p * n))
}

/// The mean negative log-likelihood of the true classes under predicted probabilities
/// (scikit-learn's `log_loss`); `y_prob` holds a row of `classes` probabilities per row
/// of `y_true`, or, with two classes, one probability per row: that of class 1, as a
/// sigmoid output and [`Trainer::predict_proba`](crate::Trainer::predict_proba) with
/// [`BceWithLogits`](crate::BceWithLogits) give it (class 0 then has `1 − p`). Each
/// probability is clipped to `[ε, 1 − ε]` first (ε the type's machine epsilon), as
/// scikit-learn does.
///
/// ```text
/// log_loss = −(1/n) Σᵢ ln clip(p_{i, yᵢ}, ε, 1 − ε)
/// ```
///
/// # Errors
///
/// As in the [module](super) docs (`y_prob` must hold `y_true.len() · classes` values,
/// or `y_true.len()` with two classes), and [`Error::InvalidTarget`] for a probability
/// outside `[0, 1]` (its index in `y_prob`).
///
/// ```
/// use backprop::metrics::log_loss;
///
/// let loss = log_loss(&[0.0, 1.0], &[0.8, 0.2, 0.4, 0.6], 2)?;
/// assert!((loss - -(0.8f64.ln() + 0.6f64.ln()) / 2.0).abs() < 1e-15);
/// // the same rows as the probabilities of class 1 alone
/// assert_eq!(log_loss(&[0.0, 1.0], &[0.2, 0.6], 2)?, loss);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn log_loss<T: Float>(y_true: &[T], y_prob: &[T], classes: usize) -> Result<T, Error> {
    let positive_only = classes == 2 && y_prob.len() == y_true.len();
    let width = if positive_only { 1 } else { classes };
    check_pair(y_true, y_prob, y_true.len().saturating_mul(width))?;
    check_class_indices(y_true, Quantity::Target, Some(classes))?;
    crate::loss::check_probabilities(y_prob)?;
    let eps = T::epsilon();
    let total = y_true
        .iter()
        .zip(y_prob.chunks_exact(width))
        .fold(T::zero(), |sum, (y, row)| {
            let class = y.to_usize().unwrap_or(0); // checked above
            let p = match (positive_only, class) {
                (true, 0) => T::one() - row[0],
                (true, _) => row[0],
                (false, _) => row[class],
            };
            sum - p.max(eps).min(T::one() - eps).ln()
        });
    Ok(total / cast(y_true.len()))
}
