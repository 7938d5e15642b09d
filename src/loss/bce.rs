//! Binary cross-entropy on probabilities.

use num_traits::Float;

use super::{
    check_probabilities,
    elementwise::{mean_and_gradient, mean_of},
    Loss,
};
use crate::cast::cast;
use crate::error::Error;

/// Binary cross-entropy over the outputs of a sample, on predicted probabilities
/// (PyTorch's `nn.BCELoss`).
///
/// Predictions must be probabilities in `[0, 1]`, typically a sigmoid's output; on
/// logits use [`BceWithLogits`](crate::BceWithLogits), which is also numerically safer. Targets must lie in
/// `[0, 1]` (the trainer refuses others with [`Error::InvalidTarget`]).
///
/// # Math
///
/// For `n` outputs, predictions `xᵢ` and targets `yᵢ`, with PyTorch's clamp of each
/// logarithm at −100 (so `x = 0` and `x = 1` give finite values) and its `ε` in the
/// gradient's denominator, `10⁻¹²` rounded to f32 (`9.9999999600419720e-13`: PyTorch
/// declares it as a C++ `float`, also for f64):
///
/// ```text
/// ℓ(x, y) = −[ y · max(ln x, −100) + (1 − y) · max(ln(1 − x), −100) ]
/// L       = (1/n) Σᵢ ℓ(xᵢ, yᵢ)
/// ∂L/∂xᵢ  = (1/n) (xᵢ − yᵢ) / max((1 − xᵢ) xᵢ, ε)
/// ```
///
/// The gradient is PyTorch's backward formula, which is the derivative of the
/// unclamped loss with its denominator bounded away from 0: it is finite at `x = 0`
/// and `x = 1` (`±1/(nε)` when the target disagrees), not the derivative of the clamp.
/// `ln(1 − x)` is computed as `ln_1p(−x)`, as PyTorch does.
///
/// # Predictions outside `[0, 1]`
///
/// PyTorch raises an error. Here [`value`](Loss::value) and [`gradient`](Loss::gradient)
/// return NaN (and a NaN gradient) for such a prediction, or a NaN one, so the trainer
/// refuses the step with [`Error::Diverged`] and changes nothing. Predictions
/// come from the model, so this is checked where they are scored rather than up front.
///
/// ```
/// use backprop::{Bce, Loss};
///
/// let mut grad = [0.0; 2];
/// let loss = Bce.gradient(&[0.75, 0.0], &[1.0, 0.0], &mut grad);
/// assert_eq!(loss, -(0.75f64.ln()) / 2.0); // the second output is exact: 0
/// assert_eq!(grad, [(0.75 - 1.0) / (0.25 * 0.75) / 2.0, 0.0]);
/// assert!(Bce.value(&[1.5f64], &[1.0]).is_nan()); // not a probability
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bce;

impl Bce {
    /// `ℓ(x, y)`, NaN outside the domain `x ∈ [0, 1]`.
    fn elementwise<T: Float>(x: T, y: T) -> T {
        if !(x >= T::zero() && x <= T::one()) {
            return T::nan();
        }
        let floor = cast(-100.0);
        // PyTorch's arrangement: (y − 1)·max(ln(1 − x), −100) − y·max(ln x, −100).
        (y - T::one()) * (-x).ln_1p().max(floor) - y * x.ln().max(floor)
    }

    /// `(x − y) / max((1 − x) x, ε)`, NaN outside the domain.
    fn slope<T: Float>(x: T, y: T) -> T {
        if !(x >= T::zero() && x <= T::one()) {
            return T::nan();
        }
        // PyTorch's EPSILON is a C++ `float`, so even in f64 it is 1e-12 rounded to f32.
        let eps = cast(1e-12_f32);
        (x - y) / ((T::one() - x) * x).max(eps)
    }
}

impl<T: Float> Loss<T> for Bce {
    fn value(&self, prediction: &[T], target: &[T]) -> T {
        mean_of(prediction, target, Bce::elementwise)
    }

    fn gradient(&self, prediction: &[T], target: &[T], grad: &mut [T]) -> T {
        mean_and_gradient(prediction, target, grad, Bce::elementwise, Bce::slope)
    }

    /// Refuses a target outside `[0, 1]` with [`Error::InvalidTarget`].
    fn check_targets(&self, targets: &[T]) -> Result<(), Error> {
        check_probabilities(targets)
    }
}
