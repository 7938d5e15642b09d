//! Standardization: scikit-learn's `StandardScaler`.

use alloc::vec::Vec;
use num_traits::Float;

use super::columns::{check_width, column_sums, fit_rows, map_columns, refuse_overflow};
use crate::cast::cast;
use crate::error::Error;

/// Centres each column on its mean and divides by its standard deviation, with the
/// statistics of the rows it was fitted on (scikit-learn's `StandardScaler`).
///
/// # Math
///
/// For column `j` of `n` rows, computed as scikit-learn computes them:
///
/// ```text
/// mean_j  = (Σᵢ xᵢⱼ) / n
/// var_j   = (Σᵢ (xᵢⱼ − mean_j)² − (Σᵢ (xᵢⱼ − mean_j))² / n) / n     (population)
/// scale_j = √var_j, or 1 for a constant column (var_j ≤ n ε var_j + (n mean_j ε)²)
/// x' = (x − mean_j) / scale_j              x = x' · scale_j + mean_j   (inverse)
/// ```
///
/// With the feature `serde` it serializes, so a deployed model can carry it; loading
/// checks that its columns agree.
///
/// ```
/// use backprop::prepare::Standardize;
///
/// let train = [1.0, 10.0, 3.0, 10.0]; // two rows, two columns; the second is constant
/// let scaler = Standardize::fit(&train, 2)?;
/// assert_eq!((scaler.mean(), scaler.scale()), (&[2.0, 10.0][..], &[1.0, 1.0][..]));
/// let mut rows = [5.0, 12.0];
/// scaler.transform(&mut rows)?;
/// assert_eq!(rows, [3.0, 2.0]);
/// scaler.inverse_transform(&mut rows)?;
/// assert_eq!(rows, [5.0, 12.0]);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(
        try_from = "StandardizeRecord<T>",
        bound(deserialize = "T: Float + serde::Deserialize<'de>")
    )
)]
pub struct Standardize<T> {
    mean: Vec<T>,
    var: Vec<T>,
    scale: Vec<T>,
}

impl<T: Float> Standardize<T> {
    /// Fits the statistics of `rows` (row-major, `width` values per row).
    ///
    /// # Errors
    ///
    /// [`Error::EmptyBatch`] for no rows, [`Error::LengthMismatch`] for rows that are
    /// not whole (or `width` 0), [`Error::NonFinite`] for a NaN or infinite value,
    /// [`Error::ColumnOverflow`] for a column whose mean or variance overflows (values
    /// near 1e154 in `f64`, 1e19 in `f32`).
    pub fn fit(rows: &[T], width: usize) -> Result<Self, Error> {
        let n: T = cast(fit_rows(rows, width)?);
        let mean: Vec<T> = column_sums(rows, width, |x, _| x)
            .iter()
            .map(|&s| s / n)
            .collect();
        let correction = column_sums(rows, width, |x, j| x - mean[j]);
        let squares = column_sums(rows, width, |x, j| (x - mean[j]) * (x - mean[j]));
        let var: Vec<T> = squares
            .iter()
            .zip(&correction)
            .map(|(&s, &c)| (s - c * c / n) / n)
            .collect();
        // an infinite variance would pass the constant-column test below and scale by 1
        refuse_overflow(&mean)?;
        refuse_overflow(&var)?;
        let eps = T::epsilon();
        let scale = var
            .iter()
            .zip(&mean)
            .map(|(&v, &m)| {
                let constant = v <= n * eps * v + (n * m * eps) * (n * m * eps);
                if constant {
                    T::one()
                } else {
                    v.sqrt()
                }
            })
            .collect();
        Ok(Self { mean, var, scale })
    }

    /// Standardizes `rows` in place: `x' = (x − mean) / scale`.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `rows` is not whole rows of the fitted width; nothing
    /// changes then.
    pub fn transform(&self, rows: &mut [T]) -> Result<(), Error> {
        check_width(rows, self.mean.len())?;
        map_columns(rows, &self.mean, &self.scale, |x, m, s| (x - m) / s);
        Ok(())
    }

    /// Undoes [`transform`](Self::transform) in place: `x = x' · scale + mean`.
    ///
    /// # Errors
    ///
    /// As [`transform`](Self::transform).
    pub fn inverse_transform(&self, rows: &mut [T]) -> Result<(), Error> {
        check_width(rows, self.mean.len())?;
        map_columns(rows, &self.mean, &self.scale, |x, m, s| x * s + m);
        Ok(())
    }

    /// Each column's mean (scikit-learn's `mean_`).
    pub fn mean(&self) -> &[T] {
        &self.mean
    }

    /// Each column's population variance (`var_`).
    pub fn var(&self) -> &[T] {
        &self.var
    }

    /// Each column's divisor: its standard deviation, 1 for a constant column (`scale_`).
    pub fn scale(&self) -> &[T] {
        &self.scale
    }
}

/// A [`Standardize`] as stored, checked when loaded.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct StandardizeRecord<T> {
    mean: Vec<T>,
    var: Vec<T>,
    scale: Vec<T>,
}

#[cfg(feature = "serde")]
impl<T: Float> TryFrom<StandardizeRecord<T>> for Standardize<T> {
    type Error = Error;

    fn try_from(r: StandardizeRecord<T>) -> Result<Self, Error> {
        super::columns::check_record(&r.mean, &[&r.var, &r.scale], &r.scale)?;
        Ok(Self {
            mean: r.mean,
            var: r.var,
            scale: r.scale,
        })
    }
}
