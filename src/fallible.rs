//! Vectors whose size the caller chose (a row count, a class count), allocated without
//! panicking or aborting: `Vec::with_capacity` panics above `isize::MAX` bytes and aborts
//! the process where the allocator refuses, and a caller's number must do neither.

use alloc::vec::Vec;

use crate::error::{Error, Quantity};

/// An empty vector with room for `len` values, or [`Error::TooLarge`] about `what`.
pub(crate) fn with_capacity<T>(len: usize, what: Quantity) -> Result<Vec<T>, Error> {
    let mut values = Vec::new();
    values
        .try_reserve_exact(len)
        .map_err(|_| Error::TooLarge { what })?;
    Ok(values)
}

/// `len` copies of `value`, or [`Error::TooLarge`] about `what`.
pub(crate) fn filled<T: Clone>(len: usize, value: T, what: Quantity) -> Result<Vec<T>, Error> {
    let mut values = with_capacity(len, what)?;
    values.resize(len, value);
    Ok(values)
}

/// `rows · width`, or [`Error::TooLarge`] about `what` where the product overflows.
pub(crate) fn product(rows: usize, width: usize, what: Quantity) -> Result<usize, Error> {
    rows.checked_mul(width).ok_or(Error::TooLarge { what })
}
