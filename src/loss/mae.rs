//! Mean absolute error (L1).

use num_traits::Float;

use super::{
    elementwise::{mean_and_gradient, mean_of},
    Loss,
};

/// Mean absolute error over the outputs of a sample (PyTorch's `nn.L1Loss`).
///
/// # Math
///
/// For `n` outputs, with `dᵢ = ŷᵢ − yᵢ`:
///
/// ```text
/// L      = (1/n) Σᵢ |dᵢ|
/// ∂L/∂ŷᵢ = (1/n) sign(dᵢ)        sign(0) = 0
/// ```
///
/// At the kink `dᵢ = 0` the gradient is 0, as PyTorch's `sgn(0)` (not Rust's
/// `signum(0.0) = 1`).
///
/// ```
/// use backprop::{Loss, Mae};
///
/// let mut grad = [0.0; 3];
/// let loss = Mae.gradient(&[1.0, 3.0, 2.0], &[0.0, 5.0, 2.0], &mut grad);
/// assert_eq!(loss, 1.0); // (1 + 2 + 0) / 3
/// assert_eq!(grad, [1.0 / 3.0, -1.0 / 3.0, 0.0]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mae;

impl<T: Float> Loss<T> for Mae {
    fn value(&self, prediction: &[T], target: &[T]) -> T {
        mean_of(prediction, target, |p, y| (p - y).abs())
    }

    fn gradient(&self, prediction: &[T], target: &[T], grad: &mut [T]) -> T {
        mean_and_gradient(
            prediction,
            target,
            grad,
            |p, y| (p - y).abs(),
            |p, y| sign(p - y),
        )
    }
}

/// −1, 0 or 1: the sign with `sign(0) = 0`, PyTorch's `sgn` (the subgradient it picks).
pub(crate) fn sign<T: Float>(d: T) -> T {
    if d > T::zero() {
        T::one()
    } else if d < T::zero() {
        -T::one()
    } else {
        T::zero()
    }
}
