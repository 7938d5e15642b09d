//! Binary cross-entropy on logits, with the sigmoid folded in.

use num_traits::Float;

use super::{
    check_probabilities,
    elementwise::{mean_and_gradient, mean_of},
    Loss,
};
use crate::error::Error;

/// Binary cross-entropy over the outputs of a sample, on logits: a sigmoid followed by
/// [`Bce`](crate::Bce), computed stably in one piece (PyTorch's `nn.BCEWithLogitsLoss`
/// without `weight` or `pos_weight`).
///
/// Targets must lie in `[0, 1]` (the trainer refuses others with
/// [`Error::InvalidTarget`]); logits may be any finite number.
///
/// # Math
///
/// For `n` outputs, logits `xᵢ` and targets `yᵢ`, with `σ(x) = 1/(1 + e^(−x))`:
///
/// ```text
/// ℓ(x, y) = −[ y ln σ(x) + (1 − y) ln(1 − σ(x)) ]
///         = max(x, 0) − x y + ln(1 + e^(−|x|))
/// L       = (1/n) Σᵢ ℓ(xᵢ, yᵢ)
/// ∂L/∂xᵢ  = (1/n) (σ(xᵢ) − yᵢ)
/// ```
///
/// `e^(−|x|)` never overflows, so the loss is finite and accurate for any finite logit
/// (at `|x| = 800`, where `σ` alone rounds to 0 or 1, it is still exact). The sum is
/// arranged as PyTorch arranges it, `(1 − y) x − ln σ(x)` with
/// `ln σ(x) = min(x, 0) − ln_1p(e^(−|x|))`, so both round alike.
///
/// ```
/// use backprop::{BceWithLogits, Loss};
///
/// let mut grad = [0.0];
/// let loss = BceWithLogits.gradient(&[0.0], &[1.0], &mut grad);
/// assert_eq!(loss, 2.0f64.ln()); // σ(0) = ½
/// assert_eq!(grad, [-0.5]);
/// assert_eq!(BceWithLogits.value(&[-800.0], &[1.0]), 800.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BceWithLogits;

impl BceWithLogits {
    fn elementwise<T: Float>(x: T, y: T) -> T {
        let log_sigmoid = x.min(T::zero()) - (-x.abs()).exp().ln_1p();
        (T::one() - y) * x - log_sigmoid
    }

    /// `σ(x) − y`; `e^(−x)` may overflow to `+∞`, which gives `σ(x) = 0` as it should.
    fn slope<T: Float>(x: T, y: T) -> T {
        T::one() / (T::one() + (-x).exp()) - y
    }
}

impl<T: Float> Loss<T> for BceWithLogits {
    fn value(&self, prediction: &[T], target: &[T]) -> T {
        mean_of(prediction, target, BceWithLogits::elementwise)
    }

    fn gradient(&self, prediction: &[T], target: &[T], grad: &mut [T]) -> T {
        mean_and_gradient(
            prediction,
            target,
            grad,
            BceWithLogits::elementwise,
            BceWithLogits::slope,
        )
    }

    /// Refuses a target outside `[0, 1]` with [`Error::InvalidTarget`].
    fn check_targets(&self, targets: &[T]) -> Result<(), Error> {
        check_probabilities(targets)
    }
}
