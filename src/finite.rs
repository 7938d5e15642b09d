//! Finiteness checks cheap enough for every step.
//!
//! A step checks its inputs, targets, gradient and updated parameters for NaN and
//! infinity. A branch per value (`iter().all(is_finite)`) costs more than the arithmetic
//! it guards on wide inputs; a sum answers for a whole slice at once.

use num_traits::Float;

use crate::error::{Error, Quantity};

/// Whether every value is finite, decided by one branch-free reduction.
///
/// # Math
///
/// `v · 0` is `0` for a finite `v` and NaN for `±∞` and NaN, so `Σ v·0` is `0` exactly
/// when every `v` is finite (a sum of zeros cannot overflow). Eight independent partial
/// sums let the compiler keep them in one vector register. A single value is asked
/// `is_finite` directly (the verdict the reduction stands for, without a loop's set-up),
/// inline; every other length takes one call, which keeps the checks of a small step
/// small enough to inline.
///
/// For a type whose `is_finite` looks at less than its whole value this could answer
/// `false` where `is_finite` holds for every element; callers treat `false` as "look
/// closer" ([`first_non_finite`]), never as the verdict.
#[inline(always)]
pub(crate) fn all_finite<T: Float>(values: &[T]) -> bool {
    if let [value] = values {
        return value.is_finite(); // a one-value step's checks: no loop to set up
    }
    all_finite_zip3_long(values, values, values, |v, _, _| v)
}

/// Whether `f(aᵢ, bᵢ)` is finite for every `i`, by the reduction of [`all_finite`], for
/// values computed on the fly (an update checked before it is written, say).
///
/// # Panics
///
/// If `b` is shorter than `a`.
#[inline(always)]
pub(crate) fn all_finite_zip<T: Float>(a: &[T], b: &[T], f: impl Fn(T, T) -> T) -> bool {
    if let ([x], [y, ..]) = (a, b) {
        return f(*x, *y).is_finite();
    }
    if a.len() >= 8 {
        return all_finite_zip3_long(a, b, b, |x, y, _| f(x, y));
    }
    let zero = T::zero();
    let b = &b[..a.len()];
    let terms = a.iter().zip(b);
    terms.fold(zero, |acc, (&x, &y)| acc + f(x, y) * zero) == zero
}

/// Whether `f(aᵢ, bᵢ, cᵢ)` is finite for every `i`, as [`all_finite_zip`].
///
/// # Panics
///
/// If `b` or `c` is shorter than `a`.
#[inline(always)]
pub(crate) fn all_finite_zip3<T: Float>(
    a: &[T],
    b: &[T],
    c: &[T],
    f: impl Fn(T, T, T) -> T,
) -> bool {
    if a.len() >= 8 {
        return all_finite_zip3_long(a, b, c, f);
    }
    let zero = T::zero();
    let (b, c) = (&b[..a.len()], &c[..a.len()]);
    let terms = a.iter().zip(b).zip(c);
    terms.fold(zero, |acc, ((&x, &y), &z)| acc + f(x, y, z) * zero) == zero
}

/// The reduction over eight lanes, for slices of eight values or more.
#[inline(never)]
fn all_finite_zip3_long<T: Float>(a: &[T], b: &[T], c: &[T], f: impl Fn(T, T, T) -> T) -> bool {
    let (b, c) = (&b[..a.len()], &c[..a.len()]);
    let zero = T::zero();
    let (a8, b8, c8) = (a.chunks_exact(8), b.chunks_exact(8), c.chunks_exact(8));
    let rest = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .zip(c8.remainder());
    let sum = rest.fold(zero, |acc, ((&x, &y), &z)| acc + f(x, y, z) * zero);
    let mut lanes = [zero; 8];
    for ((x, y), z) in a8.zip(b8).zip(c8) {
        for (i, lane) in lanes.iter_mut().enumerate() {
            *lane = *lane + f(x[i], y[i], z[i]) * zero;
        }
    }
    let [l0, l1, l2, l3, l4, l5, l6, l7] = lanes;
    sum + (((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))) == zero
}

/// The index of the first value that is NaN or infinite, if any.
#[inline]
pub(crate) fn first_non_finite<T: Float>(values: &[T]) -> Option<usize> {
    if all_finite(values) {
        return None;
    }
    non_finite_position(values)
}

/// The slow, exact search, only run when the fast check failed.
#[cold]
#[inline(never)]
fn non_finite_position<T: Float>(values: &[T]) -> Option<usize> {
    values.iter().position(|v| !v.is_finite())
}

/// Refuses the first NaN or infinite value.
#[inline]
pub(crate) fn ensure_finite<T: Float>(values: &[T], what: Quantity) -> Result<(), Error> {
    match first_non_finite(values) {
        Some(index) => Err(Error::NonFinite { what, index }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dual;
    use alloc::vec;
    use alloc::vec::Vec;

    #[test]
    fn finds_the_first_non_finite_value_at_every_position() {
        for len in 0..20 {
            for bad in 0..len {
                for poison in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                    let mut values: Vec<f32> = (0..len).map(|i| i as f32 - 7.5).collect();
                    values[bad] = poison;
                    assert!(!all_finite(&values));
                    assert_eq!(first_non_finite(&values), Some(bad));
                }
            }
            let fine: Vec<f64> = (0..len).map(|i| f64::MAX / (i as f64 + 1.0)).collect();
            assert!(all_finite(&fine), "the largest values are finite");
            assert_eq!(first_non_finite(&fine), None);
        }
    }

    #[test]
    fn zipped_checks_see_the_computed_values() {
        for len in [0, 1, 7, 8, 9, 23] {
            let a: Vec<f64> = (0..len).map(|i| i as f64).collect();
            let b = vec![1.0; len];
            assert!(all_finite_zip(&a, &b, |x, y| x - y));
            for bad in 0..len {
                // only the computed value overflows: every input is finite
                let mut c = vec![1.0; len];
                c[bad] = f64::MAX;
                assert!(!all_finite_zip3(&a, &b, &c, |x, _, z| x + z * 2.0));
                assert!(all_finite_zip3(&a, &b, &c, |x, y, _| x * y));
            }
        }
    }

    #[test]
    fn a_dual_with_an_infinite_derivative_is_finite_as_is_finite_says() {
        let values = [Dual::new(1.0, f64::INFINITY), Dual::constant(2.0)];
        assert!(values.iter().all(|v| v.is_finite()));
        assert_eq!(first_non_finite(&values), None);
    }
}
