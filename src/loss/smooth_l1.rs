//! Smooth L1 loss: quadratic near the target (scaled by `1/beta`), L1 beyond `beta`.

use num_traits::Float;

use super::mae::sign;
use super::{
    elementwise::{mean_and_gradient, mean_of},
    Loss,
};
use crate::cast::cast;
use crate::error::{check_non_negative, Error};

/// Smooth L1 loss over the outputs of a sample (PyTorch's `nn.SmoothL1Loss`).
///
/// # Math
///
/// For `n` outputs, with `dᵢ = ŷᵢ − yᵢ` and `β = beta ≥ 0`:
///
/// ```text
/// ℓ(d)   = ½ d² / β          if |d| < β
///          |d| − ½ β         otherwise
/// L      = (1/n) Σᵢ ℓ(dᵢ)
/// ∂L/∂ŷᵢ = (1/n) clamp(dᵢ / β, −1, 1)
/// ```
///
/// With `β = 0` the quadratic piece is empty and the loss is [`Mae`](crate::Mae), with
/// its gradient `sign(d)/n` and `sign(0) = 0`, as PyTorch. For `β > 0` it is
/// [`Huber`](crate::Huber) with `delta = β`, divided by `β`.
///
/// ```
/// use backprop::{Loss, SmoothL1};
///
/// let smooth = SmoothL1::new(0.5);
/// let mut grad = [0.0; 2];
/// let loss = smooth.gradient(&[0.25, -3.0], &[0.0, 0.0], &mut grad);
/// assert_eq!(loss, (0.0625 + 2.75) / 2.0); // ½·0.25²/0.5, 3 − ½·0.5
/// assert_eq!(grad, [0.25, -0.5]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SmoothL1<T> {
    beta: T,
}

impl<T: Float> SmoothL1<T> {
    /// Smooth L1 loss with threshold `beta` (PyTorch's default is `1.0`).
    ///
    /// This only stores `beta`; [`Trainer::new`](crate::Trainer::new) refuses a `beta`
    /// that is negative or not finite (PyTorch refuses `beta < 0` too, and accepts `+∞`,
    /// where the loss is identically 0).
    pub fn new(beta: T) -> Self {
        Self { beta }
    }

    /// The threshold between the quadratic and the linear piece.
    pub fn beta(&self) -> T {
        self.beta
    }

    fn elementwise(&self, d: T) -> T {
        let half: T = cast(0.5);
        let z = d.abs();
        if z < self.beta {
            half * z * z / self.beta
        } else {
            z - half * self.beta
        }
    }

    fn slope(&self, d: T) -> T {
        if d < -self.beta {
            -T::one()
        } else if d > self.beta {
            T::one()
        } else if self.beta > T::zero() {
            d / self.beta
        } else {
            sign(d) // β = 0 and d = 0: L1's kink, where PyTorch picks 0
        }
    }
}

impl<T: Float> Loss<T> for SmoothL1<T> {
    fn value(&self, prediction: &[T], target: &[T]) -> T {
        mean_of(prediction, target, |p, y| self.elementwise(p - y))
    }

    fn gradient(&self, prediction: &[T], target: &[T], grad: &mut [T]) -> T {
        mean_and_gradient(
            prediction,
            target,
            grad,
            |p, y| self.elementwise(p - y),
            |p, y| self.slope(p - y),
        )
    }

    fn validate(&self) -> Result<(), Error> {
        check_non_negative("beta", self.beta)
    }
}
