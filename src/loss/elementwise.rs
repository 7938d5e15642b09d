//! The shared shape of the losses that average a term over a sample's outputs.
//!
//! `Mae`, `Huber`, `SmoothL1`, `Bce` and `BceWithLogits` differ only in their term and its
//! slope; the averaging, and the order of its arithmetic, is written once here.

use num_traits::Float;

use crate::cast::cast;

/// `(1/n) Σᵢ term(ŷᵢ, yᵢ)` over the `n` outputs of one sample.
///
/// # Panics
///
/// If `prediction` and `target` differ in length.
pub(crate) fn mean_of<T: Float>(prediction: &[T], target: &[T], term: impl Fn(T, T) -> T) -> T {
    assert_eq!(prediction.len(), target.len(), "prediction and target");
    let sum = prediction
        .iter()
        .zip(target)
        .fold(T::zero(), |acc, (&p, &y)| acc + term(p, y));
    sum / cast(prediction.len())
}

/// [`mean_of`], writing `∂/∂ŷᵢ = slope(ŷᵢ, yᵢ) / n` into `grad` in the same pass.
///
/// # Panics
///
/// If `prediction`, `target` and `grad` differ in length.
pub(crate) fn mean_and_gradient<T: Float>(
    prediction: &[T],
    target: &[T],
    grad: &mut [T],
    term: impl Fn(T, T) -> T,
    slope: impl Fn(T, T) -> T,
) -> T {
    assert_eq!(prediction.len(), target.len(), "prediction and target");
    assert_eq!(prediction.len(), grad.len(), "prediction and gradient");
    let n = cast::<T>(prediction.len());
    let scale = T::one() / n;
    let mut sum = T::zero();
    for ((g, &p), &y) in grad.iter_mut().zip(prediction).zip(target) {
        sum = sum + term(p, y);
        *g = slope(p, y) * scale;
    }
    sum / n
}
