//! Scaling to [0, 1]: scikit-learn's `MinMaxScaler`.

use alloc::vec::Vec;
use num_traits::Float;

use super::columns::{check_width, fit_rows, map_columns, refuse_overflow};
use crate::cast::cast;
use crate::error::Error;

/// Maps each column's range over the rows it was fitted on to `[0, 1]`
/// (scikit-learn's `MinMaxScaler` with `feature_range=(0, 1)`).
///
/// # Math
///
/// For column `j`, as scikit-learn computes it:
///
/// ```text
/// range_j = data_max_j − data_min_j, or 1 for a constant column (range < 10 ε)
/// scale_j = 1 / range_j             min_j = −data_min_j · scale_j
/// x' = x · scale_j + min_j          x = (x' − min_j) / scale_j   (inverse)
/// ```
///
/// With the feature `serde` it serializes, so a deployed model can carry it.
///
/// ```
/// use backprop::prepare::MinMax;
///
/// let scaler = MinMax::fit(&[2.0, 5.0, 6.0, 5.0], 2)?; // the second column is constant
/// assert_eq!((scaler.data_min(), scaler.data_max()), (&[2.0, 5.0][..], &[6.0, 5.0][..]));
/// let mut rows = [4.0, 7.0];
/// scaler.transform(&mut rows)?;
/// assert_eq!(rows, [0.5, 2.0]);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(
        try_from = "MinMaxRecord<T>",
        bound(deserialize = "T: Float + serde::Deserialize<'de>")
    )
)]
pub struct MinMax<T> {
    data_min: Vec<T>,
    data_max: Vec<T>,
    scale: Vec<T>,
    min: Vec<T>,
}

impl<T: Float> MinMax<T> {
    /// Fits each column's minimum and maximum over `rows` (row-major, `width` per row).
    ///
    /// # Errors
    ///
    /// [`Error::EmptyBatch`] for no rows, [`Error::LengthMismatch`] for rows that are
    /// not whole (or `width` 0), [`Error::NonFinite`] for a NaN or infinite value,
    /// [`Error::ColumnOverflow`] for a column whose range (maximum − minimum) overflows.
    pub fn fit(rows: &[T], width: usize) -> Result<Self, Error> {
        fit_rows(rows, width)?;
        let (mut data_min, mut data_max) = (rows[..width].to_vec(), rows[..width].to_vec());
        for row in rows.chunks_exact(width) {
            for ((lo, hi), &x) in data_min.iter_mut().zip(&mut data_max).zip(row) {
                *lo = lo.min(x);
                *hi = hi.max(x);
            }
        }
        let ranges: Vec<T> = data_min
            .iter()
            .zip(&data_max)
            .map(|(&lo, &hi)| hi - lo)
            .collect();
        refuse_overflow(&ranges)?; // 1 / ∞ would scale the column to 0
        let tiny = T::epsilon() * cast::<T>(10); // scikit-learn's `10 * eps`
        let scale: Vec<T> = ranges
            .iter()
            .map(|&range| T::one() / if range < tiny { T::one() } else { range })
            .collect();
        let min = data_min
            .iter()
            .zip(&scale)
            .map(|(&lo, &s)| T::zero() - lo * s)
            .collect();
        Ok(Self {
            data_min,
            data_max,
            scale,
            min,
        })
    }

    /// Scales `rows` in place: `x' = x · scale + min`.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `rows` is not whole rows of the fitted width; nothing
    /// changes then.
    pub fn transform(&self, rows: &mut [T]) -> Result<(), Error> {
        check_width(rows, self.scale.len())?;
        map_columns(rows, &self.scale, &self.min, |x, s, m| x * s + m);
        Ok(())
    }

    /// Undoes [`transform`](Self::transform) in place: `x = (x' − min) / scale`.
    ///
    /// # Errors
    ///
    /// As [`transform`](Self::transform).
    pub fn inverse_transform(&self, rows: &mut [T]) -> Result<(), Error> {
        check_width(rows, self.scale.len())?;
        map_columns(rows, &self.scale, &self.min, |x, s, m| (x - m) / s);
        Ok(())
    }

    /// Each column's minimum over the fitted rows (scikit-learn's `data_min_`).
    pub fn data_min(&self) -> &[T] {
        &self.data_min
    }

    /// Each column's maximum (`data_max_`).
    pub fn data_max(&self) -> &[T] {
        &self.data_max
    }

    /// Each column's factor, `1 / range` (`scale_`).
    pub fn scale(&self) -> &[T] {
        &self.scale
    }

    /// Each column's offset, `−data_min · scale` (`min_`).
    pub fn min(&self) -> &[T] {
        &self.min
    }
}

/// A [`MinMax`] as stored, checked when loaded.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct MinMaxRecord<T> {
    data_min: Vec<T>,
    data_max: Vec<T>,
    scale: Vec<T>,
    min: Vec<T>,
}

#[cfg(feature = "serde")]
impl<T: Float> TryFrom<MinMaxRecord<T>> for MinMax<T> {
    type Error = Error;

    fn try_from(r: MinMaxRecord<T>) -> Result<Self, Error> {
        super::columns::check_record(&r.scale, &[&r.data_min, &r.data_max, &r.min], &r.scale)?;
        Ok(Self {
            data_min: r.data_min,
            data_max: r.data_max,
            scale: r.scale,
            min: r.min,
        })
    }
}
