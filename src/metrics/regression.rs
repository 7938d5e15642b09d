//! Scores of predicted values.

use num_traits::Float;

use super::check_pair;
use crate::cast::cast;
use crate::error::Error;

fn mean<T: Float>(values: impl Iterator<Item = T>, n: usize) -> T {
    values.fold(T::zero(), |s, x| s + x) / cast(n)
}

/// `(1/n) Σ (yᵢ − ŷᵢ)²`.
///
/// # Errors
///
/// See the [module](super) docs.
pub fn mean_squared_error<T: Float>(y_true: &[T], y_pred: &[T]) -> Result<T, Error> {
    check_pair(y_true, y_pred, y_true.len())?;
    let diff = y_true.iter().zip(y_pred).map(|(&y, &p)| (y - p) * (y - p));
    Ok(mean(diff, y_true.len()))
}

/// `(1/n) Σ |yᵢ − ŷᵢ|`.
///
/// # Errors
///
/// See the [module](super) docs.
pub fn mean_absolute_error<T: Float>(y_true: &[T], y_pred: &[T]) -> Result<T, Error> {
    check_pair(y_true, y_pred, y_true.len())?;
    let diff = y_true.iter().zip(y_pred).map(|(&y, &p)| (y - p).abs());
    Ok(mean(diff, y_true.len()))
}

/// The coefficient of determination `R² = 1 − Σ (yᵢ − ŷᵢ)² / Σ (yᵢ − ȳ)²`; for constant
/// `y_true`, 1 if the predictions are exact and 0 otherwise (scikit-learn's
/// `force_finite=True`). Values whose squares overflow the type are scaled down by a power
/// of two first, which leaves the ratio as it is (scikit-learn gives NaN there).
///
/// # Errors
///
/// See the [module](super) docs; and [`Error::TooFewSamples`] for a single sample, where
/// `R²` is undefined (scikit-learn returns NaN with a warning).
///
/// ```
/// use backprop::metrics::r2_score;
///
/// assert_eq!(r2_score(&[1.0, 2.0, 3.0], &[1.0, 2.0, 4.0])?, 0.5);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn r2_score<T: Float>(y_true: &[T], y_pred: &[T]) -> Result<T, Error> {
    check_pair(y_true, y_pred, y_true.len())?;
    if y_true.len() < 2 {
        return Err(Error::TooFewSamples {
            metric: "r2_score",
            samples: y_true.len(),
            needed: 2,
        });
    }
    Ok(scale_free(y_true, y_pred, |s| {
        let y_mean = mean(y_true.iter().map(|&y| y * s), y_true.len());
        let residual = y_true.iter().zip(y_pred).fold(T::zero(), |sum, (&y, &p)| {
            sum + (y * s - p * s) * (y * s - p * s)
        });
        let total = y_true.iter().fold(T::zero(), |sum, &y| {
            sum + (y * s - y_mean) * (y * s - y_mean)
        });
        (residual, total)
    }))
}

/// `1 − Var(y − ŷ) / Var(y)` (population variances); for constant `y_true`, 1 if the
/// residuals are constant and 0 otherwise (scikit-learn's `force_finite=True`). Values
/// whose squares overflow the type are scaled down first, as for [`r2_score`].
///
/// # Errors
///
/// See the [module](super) docs.
pub fn explained_variance_score<T: Float>(y_true: &[T], y_pred: &[T]) -> Result<T, Error> {
    check_pair(y_true, y_pred, y_true.len())?;
    let n = y_true.len();
    Ok(scale_free(y_true, y_pred, |s| {
        let diff = |i: usize| y_true[i] * s - y_pred[i] * s;
        let diff_mean = mean((0..n).map(diff), n);
        let residual = mean(
            (0..n).map(|i| (diff(i) - diff_mean) * (diff(i) - diff_mean)),
            n,
        );
        let y_mean = mean(y_true.iter().map(|&y| y * s), n);
        let total = mean(
            y_true.iter().map(|&y| (y * s - y_mean) * (y * s - y_mean)),
            n,
        );
        (residual, total)
    }))
}

/// `1 − residual / total` from `sums(1)`, the two sums over the values multiplied by
/// `s`. Where finite values overflow a sum (squares beyond the type's range), the sums
/// are taken again with `s` the power of two that brings the largest value to at most 1:
/// their ratio does not change with `s`, and multiplying by a power of two is exact.
fn scale_free<T: Float>(y_true: &[T], y_pred: &[T], sums: impl Fn(T) -> (T, T)) -> T {
    let (mut residual, mut total) = sums(T::one());
    if !(residual.is_finite() && total.is_finite()) {
        let largest = y_true
            .iter()
            .chain(y_pred)
            .fold(T::zero(), |m, &v| m.max(v.abs()));
        let exponent = largest.log2().ceil().to_i32().unwrap_or(0);
        (residual, total) = sums(cast::<T>(2.0).powi(-exponent));
    }
    one_minus_ratio(residual, total)
}

/// `1 − residual / total`, with scikit-learn's values where `total` is 0.
fn one_minus_ratio<T: Float>(residual: T, total: T) -> T {
    if total != T::zero() {
        T::one() - residual / total
    } else if residual == T::zero() {
        T::one()
    } else {
        T::zero()
    }
}
