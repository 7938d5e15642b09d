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
/// sums let the compiler keep them in one vector register. Fewer than eight values are
/// asked one by one: the reduction's tree of additions would cost more than they do.
///
/// For a type whose `is_finite` looks at less than its whole value this could answer
/// `false` where `is_finite` holds for every element; callers treat `false` as "look
/// closer" ([`first_non_finite`]), never as the verdict.
#[inline]
fn all_finite<T: Float>(values: &[T]) -> bool {
    if values.len() < 8 {
        return values.iter().all(|v| v.is_finite());
    }
    all_finite_reduced(values)
}

/// [`all_finite`] for eight values or more, out of line: a step on a few values inlines
/// only the short test above.
#[inline(never)]
fn all_finite_reduced<T: Float>(values: &[T]) -> bool {
    let zero = T::zero();
    let chunks = values.chunks_exact(8);
    let rest = chunks
        .remainder()
        .iter()
        .fold(zero, |acc, &v| acc + v * zero);
    let mut lanes = [zero; 8];
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane = *lane + v * zero;
        }
    }
    let [l0, l1, l2, l3, l4, l5, l6, l7] = lanes;
    rest + (((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))) == zero
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
    fn a_dual_with_an_infinite_derivative_is_finite_as_is_finite_says() {
        let values = [Dual::new(1.0, f64::INFINITY), Dual::constant(2.0)];
        assert!(values.iter().all(|v| v.is_finite()));
        assert_eq!(first_non_finite(&values), None);
    }
}
