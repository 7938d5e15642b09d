//! What both scalers share: checking a matrix of rows and walking its columns.

use num_traits::Float;

use crate::error::{Error, Quantity};
use crate::finite::ensure_finite;

/// The number of rows of `rows` (row-major, `width` per row) to fit a scaler on.
///
/// # Errors
///
/// [`Error::EmptyBatch`] for no rows, [`Error::LengthMismatch`] for rows that are not
/// whole, [`Error::NonFinite`] for a NaN or infinite value.
pub(super) fn fit_rows<T: Float>(rows: &[T], width: usize) -> Result<usize, Error> {
    if rows.is_empty() {
        return Err(Error::EmptyBatch);
    }
    check_width(rows, width)?;
    ensure_finite(rows, Quantity::Input)?;
    Ok(rows.len() / width)
}

/// Refuses `rows` that are not whole rows of `width` values.
pub(super) fn check_width<T>(rows: &[T], width: usize) -> Result<(), Error> {
    if width == 0 || !rows.len().is_multiple_of(width) {
        return Err(Error::LengthMismatch {
            what: Quantity::Input,
            expected: width,
            actual: rows.len(),
        });
    }
    Ok(())
}

/// Refuses per-column statistics of finite values that overflowed, naming the first such
/// column.
pub(super) fn refuse_overflow<T: Float>(statistics: &[T]) -> Result<(), Error> {
    match statistics.iter().position(|s| !s.is_finite()) {
        Some(column) => Err(Error::ColumnOverflow { column }),
        None => Ok(()),
    }
}

/// Applies `f(value, a[j], b[j])` to every value of column `j` of `rows`, in place.
pub(super) fn map_columns<T: Float>(rows: &mut [T], a: &[T], b: &[T], f: impl Fn(T, T, T) -> T) {
    for row in rows.chunks_exact_mut(a.len()) {
        for ((x, &a), &b) in row.iter_mut().zip(a).zip(b) {
            *x = f(*x, a, b);
        }
    }
}

/// The columns' sums, row after row (NumPy's order for `sum(axis=0)` of a C-ordered
/// matrix).
pub(super) fn column_sums<T: Float>(
    rows: &[T],
    width: usize,
    f: impl Fn(T, usize) -> T,
) -> alloc::vec::Vec<T> {
    let mut sums = alloc::vec![T::zero(); width];
    for row in rows.chunks_exact(width) {
        for (j, (s, &x)) in sums.iter_mut().zip(row).enumerate() {
            *s = *s + f(x, j);
        }
    }
    sums
}

/// Refuses a loaded scaler whose columns disagree in number, or hold a value that is
/// not finite, or whose `scale` has a 0.
#[cfg(feature = "serde")]
pub(super) fn check_record<T: Float>(
    first: &[T],
    others: &[&[T]],
    scale: &[T],
) -> Result<(), Error> {
    if let Some(&zero) = scale.iter().find(|&&s| s == T::zero()) {
        return Err(crate::error::invalid(
            "scale",
            zero,
            "a number other than 0",
        ));
    }
    for other in others {
        if other.len() != first.len() {
            return Err(Error::LengthMismatch {
                what: Quantity::Parameters,
                expected: first.len(),
                actual: other.len(),
            });
        }
        ensure_finite(other, Quantity::Parameters)?;
    }
    if first.is_empty() {
        return Err(Error::NoInputs);
    }
    ensure_finite(first, Quantity::Parameters)
}
