//! Finiteness checks cheap enough for every step.
//!
//! A step checks its inputs, targets, gradient and updated parameters for NaN and
//! infinity. A branch per value (`iter().all(is_finite)`) costs more than the arithmetic
//! it guards on wide inputs; a sum answers for a whole slice at once.

use num_traits::Float;

use crate::kernel::on_widest_vectors;

use crate::error::{Error, Quantity};

/// Whether every value is finite, decided by one branch-free reduction.
///
/// # Math
///
/// A sum with a NaN or infinite term is NaN or infinite: `±∞ + x = ±∞` for finite `x`,
/// `∞ − ∞` and anything with NaN are NaN, and neither ever turns finite again. So `Σ v`
/// is finite only if every `v` is. (It may also overflow with every `v` finite: `false`
/// means "look closer", see below.) Independent partial sums (64 for a 4-byte type such
/// as `f32`, 32 otherwise: four AVX-512 registers' worth, so four chains of additions
/// overlap) let the compiler keep them in vector registers, one addition per value.
/// Fewer than eight values are asked one by one.
///
/// For a type whose `is_finite` looks at less than its whole value this could answer
/// `false` where `is_finite` holds for every element; callers treat `false` as "look
/// closer" ([`first_non_finite`]), never as the verdict.
#[inline]
fn all_finite<T: Float>(values: &[T]) -> bool {
    if values.len() < 8 {
        return values.iter().all(|v| v.is_finite());
    }
    sum_is_finite(values)
}

/// [`all_finite`] for eight values or more, out of line: a step on a few values inlines
/// only the short test above.
#[inline(never)]
fn sum_is_finite<T: Float>(values: &[T]) -> bool {
    let sum = on_widest_vectors(
        values.len(),
        #[inline(always)]
        || {
            if core::mem::size_of::<T>() <= 4 {
                sum_in_lanes::<T, 64>(values)
            } else {
                sum_in_lanes::<T, 32>(values)
            }
        },
    );
    sum.is_finite()
}

/// `Σ values` in `L` partial sums.
#[inline(always)]
fn sum_in_lanes<T: Float, const L: usize>(values: &[T]) -> T {
    let chunks = values.chunks_exact(L);
    let rest = chunks.remainder().iter().fold(T::zero(), |acc, &v| acc + v);
    let mut lanes = [T::zero(); L];
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane = *lane + v;
        }
    }
    lanes.iter().fold(rest, |acc, &lane| acc + lane)
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
        // Past 32 and 64 values: whole lane chunks and remainders, in f32 and f64.
        for len in 0..140 {
            for bad in 0..len {
                for poison in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                    let mut values: Vec<f32> = (0..len).map(|i| i as f32 - 7.5).collect();
                    values[bad] = poison;
                    assert!(!all_finite(&values));
                    assert_eq!(first_non_finite(&values), Some(bad));
                }
            }
            let fine: Vec<f64> = (0..len).map(|i| i as f64 * 1e298).collect();
            assert!(all_finite(&fine));
            // Their sum overflows: the fast check asks for a closer look, which finds
            // every value finite.
            let largest: Vec<f64> = (0..len).map(|i| f64::MAX / (i as f64 + 1.0)).collect();
            assert_eq!(
                first_non_finite(&largest),
                None,
                "the largest values are finite"
            );
        }
    }

    #[test]
    fn a_dual_with_an_infinite_derivative_is_finite_as_is_finite_says() {
        let values = [Dual::new(1.0, f64::INFINITY), Dual::constant(2.0)];
        assert!(values.iter().all(|v| v.is_finite()));
        assert_eq!(first_non_finite(&values), None);
    }
}
